"""API keys: created (the secret shown once), renamed, re-scoped and revoked by the company's
client managers or an agency admin; each change is audited."""

from __future__ import annotations

from django.utils import timezone

from api.models import ApiKey, api_key_create
from clients.models import ClientCompany
from staffing.base.audit import audit_record
from staffing.models import User


def api_key_issue(*, company: ClientCompany, name: str, scope: str, by: User) -> tuple[ApiKey, str]:
    """A new key and its raw secret, which the caller shows once and nobody can read again."""
    key, raw = api_key_create(company=company, name=name, scope=scope, by=by)
    audit_record(
        actor=by, action="api_key.created", target=key, data={"scope": scope, "name": key.name}
    )
    return key, raw


def api_key_update(*, key: ApiKey, name: str, scope: str, by: User) -> ApiKey:
    before = {"name": key.name, "scope": key.scope}
    key.name, key.scope = name[:100], scope
    key.save(update_fields=["name", "scope"])
    audit_record(
        actor=by,
        action="api_key.changed",
        target=key,
        data={"before": before, "name": key.name, "scope": scope},
    )
    return key


def api_key_revoke(*, key: ApiKey, by: User) -> ApiKey:
    """Revoke the key at once: its next call answers 401."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="api_key.revoked", target=key)
    return key
