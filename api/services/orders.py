"""Orders from client systems: the order form's service, made idempotent by `Idempotency-Key`."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django.db import IntegrityError, transaction

from api.models import IdempotencyKey
from clients.models import ClientCompany
from staffing.models import StaffingRequest, User
from staffing.services.requests import LanguageNeed, staffing_request_submit_once

# uuid5 namespace of API orders: (company, Idempotency-Key) → the request's submission key.
IDEMPOTENCY_NAMESPACE = uuid.UUID("5b2f7a8e-4c1d-4f0a-9e3b-7d6c5a4b3f21")


class IdempotencyConflict(Exception):
    """The key was used before with another body."""


def body_hash(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent_request_find(
    *, company: ClientCompany, key: str, digest: str
) -> StaffingRequest | None:
    """The request an earlier POST with this key created (None when there was none); raises
    `IdempotencyConflict` when that POST had another body."""
    earlier = (
        IdempotencyKey.objects.filter(company=company, key=key)
        .select_related("staffing_request")
        .first()
    )
    if earlier is None:
        return None
    if earlier.body_hash != digest:
        raise IdempotencyConflict
    return earlier.staffing_request


def api_request_submit(
    *,
    company: ClientCompany,
    by: User | None,
    order: dict[str, Any],
    idempotency_key: str | None,
    digest: str,
) -> tuple[StaffingRequest, bool]:
    """Submit a validated order through the form's service; returns the request and whether
    this call created it (False: a retry, answered with the first call's request)."""
    submission_key = None
    if idempotency_key is not None:
        submission_key = uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{company.pk}:{idempotency_key}")
    # Whether this call stored it comes from the insert itself: two retries at once cannot both
    # answer "created".
    request, created = staffing_request_submit_once(
        by=by,  # type: ignore[arg-type]  # a key whose creator was deleted acts as nobody
        site=order["site"],
        service_profile=order["service_profile"],
        urgency=order["urgency"],
        headcount=order["headcount"],
        shifts=order["periods"],
        languages=[LanguageNeed(*need) for need in order["language_needs"]],
        required_skills=order["required_skills"],
        preferred_skills=order["preferred_skills"],
        notes=order["notes"],
        submission_key=submission_key,
    )
    if idempotency_key is None:
        return request, created
    try:
        with transaction.atomic():
            stored, _created = IdempotencyKey.objects.get_or_create(
                company=company,
                key=idempotency_key,
                defaults={"body_hash": digest, "staffing_request": request},
            )
    except IntegrityError:  # the same key stored by a concurrent retry a moment ago
        stored = IdempotencyKey.objects.get(company=company, key=idempotency_key)
    if stored.body_hash != digest:
        raise IdempotencyConflict
    return request, created
