"""API keys and the webhook outbox in the admin: read-only, since only the services (and the
settings pages) change them, and a key's secret is never stored."""

from django.contrib import admin

from api.models import (
    ApiKey,
    IdempotencyKey,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from staffing.base.admin_readonly import ReadOnlyAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "company", "scope", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    exclude = ("hashed_key",)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("url", "company", "is_active", "created_at")
    exclude = ("secret",)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("name", "id", "company", "created_at")
    list_filter = ("name",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "next_attempt_at")
    list_filter = ("status",)


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdmin):
    list_display = ("delivery", "at", "status_code", "error", "duration_ms", "manual")


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ("key", "company", "staffing_request", "created_at")
