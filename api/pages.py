"""The settings pages where a company's client managers (and agency admins) manage API keys and
webhook endpoints, and read the delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.access import (
    API_SETTINGS_ROLES,
    api_company_for_user,
    api_key_for_company,
    delivery_for_company,
    endpoint_for_company,
    manages_whole_company,
)
from api.forms import (
    ApiKeyForm,
    WebhookEndpointChangeForm,
    WebhookEndpointCreateForm,
)
from api.models import WebhookAttempt
from api.services.keys import api_key_issue, api_key_revoke, api_key_update
from api.services.webhooks import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)
from clients.models import ClientCompany
from staffing.base.access import role_required
from staffing.models import User

DELIVERIES_SHOWN = 50


@role_required(*API_SETTINGS_ROLES)
def api_settings(request: HttpRequest) -> HttpResponse:
    """A client manager goes to their company's page; an agency admin picks a company."""
    if request.user.role != User.Role.ADMIN:
        membership = getattr(request.user, "client_membership", None)
        if membership is None:
            return render(request, "api/settings_companies.html", {"companies": []})
        if not manages_whole_company(request.user):
            raise PermissionDenied
        return redirect("api_settings_company", company_id=membership.company_id)
    companies = ClientCompany.objects.order_by("name")
    return render(request, "api/settings_companies.html", {"companies": companies})


def _company_page(request: HttpRequest, company: ClientCompany, **extra) -> HttpResponse:
    context = {
        "company": company,
        "keys": company.api_keys.select_related("created_by"),
        "endpoints": company.webhook_endpoints.all(),
        "key_form": extra.pop("key_form", None) or ApiKeyForm(),
        "endpoint_form": extra.pop("endpoint_form", None) or WebhookEndpointCreateForm(),
        **extra,
    }
    return render(request, "api/settings_company.html", context)


@role_required(*API_SETTINGS_ROLES)
def api_settings_company(request: HttpRequest, company_id: int) -> HttpResponse:
    return _company_page(request, api_company_for_user(request.user, company_id))


@role_required(*API_SETTINGS_ROLES)
@require_POST
def api_key_new(request: HttpRequest, company_id: int) -> HttpResponse:
    company = api_company_for_user(request.user, company_id)
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _company_page(request, company, key_form=form)
    key, raw = api_key_issue(
        company=company,
        name=form.cleaned_data["name"],
        scope=form.cleaned_data["scope"],
        by=request.user,
    )
    # Shown in this answer only: the secret is stored hashed and cannot be read again.
    return _company_page(request, company, new_key=key, new_key_secret=raw)


@role_required(*API_SETTINGS_ROLES)
@require_POST
def api_key_change(request: HttpRequest, company_id: int, pk: int) -> HttpResponse:
    company = api_company_for_user(request.user, company_id)
    key = api_key_for_company(company, pk)
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        api_key_update(
            key=key,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            by=request.user,
        )
        messages.success(request, _("The key was saved."))
    else:
        messages.error(request, _("Give the key a name and a scope."))
    return redirect("api_settings_company", company_id=company.pk)


@role_required(*API_SETTINGS_ROLES)
@require_POST
def api_key_revoke_view(request: HttpRequest, company_id: int, pk: int) -> HttpResponse:
    company = api_company_for_user(request.user, company_id)
    api_key_revoke(key=api_key_for_company(company, pk), by=request.user)
    messages.success(request, _("The key was revoked: it no longer works."))
    return redirect("api_settings_company", company_id=company.pk)


@role_required(*API_SETTINGS_ROLES)
@require_POST
def webhook_new(request: HttpRequest, company_id: int) -> HttpResponse:
    company = api_company_for_user(request.user, company_id)
    form = WebhookEndpointCreateForm(request.POST)
    if not form.is_valid():
        return _company_page(request, company, endpoint_form=form)
    endpoint = webhook_endpoint_create(
        company=company,
        url=form.cleaned_data["url"],
        events=form.cleaned_data["events"],
        secret=form.cleaned_data["secret"],
        by=request.user,
    )
    return _company_page(request, company, new_endpoint=endpoint)


def _endpoint_page(request: HttpRequest, company, endpoint, form=None) -> HttpResponse:
    deliveries = (
        endpoint.deliveries.select_related("event")
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-at")))
        .order_by("-created_at", "-pk")[:DELIVERIES_SHOWN]
    )
    initial = {"url": endpoint.url, "events": endpoint.events, "is_active": endpoint.is_active}
    context = {
        "company": company,
        "endpoint": endpoint,
        "form": form or WebhookEndpointChangeForm(initial=initial),
        "deliveries": deliveries,
    }
    return render(request, "api/webhook_endpoint.html", context)


@role_required(*API_SETTINGS_ROLES)
def webhook_detail(request: HttpRequest, company_id: int, pk: int) -> HttpResponse:
    company = api_company_for_user(request.user, company_id)
    return _endpoint_page(request, company, endpoint_for_company(company, pk))


@role_required(*API_SETTINGS_ROLES)
@require_POST
def webhook_change(request: HttpRequest, company_id: int, pk: int) -> HttpResponse:
    company = api_company_for_user(request.user, company_id)
    endpoint = endpoint_for_company(company, pk)
    form = WebhookEndpointChangeForm(request.POST)
    if not form.is_valid():
        return _endpoint_page(request, company, endpoint, form)
    webhook_endpoint_update(
        endpoint=endpoint,
        url=form.cleaned_data["url"],
        events=form.cleaned_data["events"],
        is_active=form.cleaned_data["is_active"],
        by=request.user,
    )
    messages.success(request, _("The endpoint was saved."))
    return redirect("api_webhook_detail", company_id=company.pk, pk=endpoint.pk)


@role_required(*API_SETTINGS_ROLES)
@require_POST
def webhook_delete(request: HttpRequest, company_id: int, pk: int) -> HttpResponse:
    company = api_company_for_user(request.user, company_id)
    webhook_endpoint_delete(endpoint=endpoint_for_company(company, pk), by=request.user)
    messages.success(request, _("The endpoint was deleted."))
    return redirect("api_settings_company", company_id=company.pk)


@role_required(*API_SETTINGS_ROLES)
@require_POST
def delivery_resend(request: HttpRequest, company_id: int, pk: int) -> HttpResponse:
    company = api_company_for_user(request.user, company_id)
    delivery = delivery_for_company(company, pk)
    webhook_delivery_resend(delivery=delivery, by=request.user)
    messages.success(request, _("Sending again. The result appears in the log below."))
    return redirect("api_webhook_detail", company_id=company.pk, pk=delivery.endpoint_id)
