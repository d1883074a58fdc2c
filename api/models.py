"""API keys of client companies: stored hashed, only the prefix is shown after creation."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read")
        ORDER = "order", _("Read and order")

    company = models.ForeignKey(
        "clients.ClientCompany",
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("company"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True)
    hashed_key = models.CharField(_("hashed key"), max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


def api_key_create(*, company, name: str, scope: str, by=None) -> tuple[ApiKey, str]:
    """A new key for `company`; returns the key and its raw secret, which is never stored."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        company=company,
        name=name[:100],
        prefix=prefix,
        hashed_key=key_hash(raw),
        scope=scope,
        created_by=by,
    )
    return key, raw


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a company sent with a POST that created a request: a retry with the
    same key and body answers with that request; the same key with another body is refused."""

    company = models.ForeignKey(
        "clients.ClientCompany",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("company"),
    )
    key = models.CharField(_("key"), max_length=255)
    body_hash = models.CharField(_("body hash"), max_length=64)
    staffing_request = models.ForeignKey(
        "staffing.StaffingRequest",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("staffing request"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["company", "key"], name="api_idempotency_company_key")
        ]

    def __str__(self) -> str:
        return self.key


class WebhookEndpoint(models.Model):
    """A URL of a client system that hears about the chosen events, signed with its secret."""

    company = models.ForeignKey(
        "clients.ClientCompany",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("company"),
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One domain event for one company, as its endpoints receive it; `id` is the event id
    receivers de-duplicate on."""

    id = models.UUIDField(primary_key=True, editable=False)
    company = models.ForeignKey(
        "clients.ClientCompany",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("company"),
    )
    name = models.CharField(_("event"), max_length=50)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.name} {self.id}"


class WebhookDelivery(models.Model):
    """An event on its way to one endpoint: the outbox row, written in the transaction that
    caused the event, that the send task and the sweep work from."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(
        WebhookEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Due for its next attempt at this time; a worker claims the row by moving it forward.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="api_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: what the receiver answered (or why it could not)."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    status_code = models.PositiveIntegerField(_("response status"), null=True, blank=True)
    response_body = models.TextField(_("response"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    manual = models.BooleanField(_("resent by hand"), default=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"
