"""`Authorization: Bearer <key>` (or `Api-Key <key>`): the request acts for the key's company."""

from __future__ import annotations

import datetime as dt
import hmac

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from api.access import manages_whole_company
from api.models import ApiKey, key_hash

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiClient:
    """The authenticated caller: a company through one of its keys."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, key: ApiKey) -> None:
        self.key = key
        self.company = key.company
        self.pk = f"apikey:{key.pk}"

    @property
    def may_order(self) -> bool:
        return self.key.scope == ApiKey.Scope.ORDER


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "api-key")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        parts = header.split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        raw = parts[1]
        prefix = raw.split(".", 1)[0]
        key = ApiKey.objects.select_related("company", "created_by").filter(prefix=prefix).first()
        if (
            key is None
            or not hmac.compare_digest(key.hashed_key, key_hash(raw))
            or key.is_revoked
            or not key.company.is_active
        ):
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if key.created_by is not None and not manages_whole_company(key.created_by):
            # A key sees every site of its company: one made by a manager who has since been
            # tied to some sites (or made before that rule) would see more than its maker.
            raise exceptions.AuthenticationFailed(
                _(
                    "This key was made by a manager who serves only some of the company's "
                    "sites. A manager of the whole company can make a new one."
                )
            )
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return ApiClient(key), key

    def authenticate_header(self, request) -> str:
        return "Bearer"
