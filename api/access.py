"""Who may manage a company's API keys and webhooks: its client managers who serve the whole
company, and agency admins for any company. Another company answers 404; a manager tied to some
of the company's sites answers 403, since a key and a webhook see every site of the company."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from clients.models import ClientCompany
from staffing.models import User

API_SETTINGS_ROLES = (User.Role.CLIENT_MANAGER, User.Role.ADMIN)


def api_company_for_user(user: User, company_id: int) -> ClientCompany:
    if user.role == User.Role.ADMIN:
        return get_object_or_404(ClientCompany, pk=company_id)
    membership = getattr(user, "client_membership", None)
    if membership is None or membership.company_id != company_id:
        raise Http404
    if not manages_whole_company(user):
        raise PermissionDenied
    return membership.company


def manages_whole_company(user: User) -> bool:
    """An agency admin, or a client manager whose membership names no sites (so all of them).
    A key or webhook sees the whole company: a manager tied to some sites may not make one."""
    if user.role == User.Role.ADMIN:
        return True
    membership = getattr(user, "client_membership", None)
    return membership is not None and not membership.names_sites()


def api_key_for_company(company: ClientCompany, pk: int) -> ApiKey:
    return get_object_or_404(company.api_keys.all(), pk=pk)


def endpoint_for_company(company: ClientCompany, pk: int) -> WebhookEndpoint:
    return get_object_or_404(company.webhook_endpoints.all(), pk=pk)


def delivery_for_company(company: ClientCompany, pk: int) -> WebhookDelivery:
    return get_object_or_404(
        WebhookDelivery.objects.filter(endpoint__company=company).select_related("endpoint"),
        pk=pk,
    )
