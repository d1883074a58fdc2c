"""The weekly grid, dates off, and "still the same" confirmations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from candidates.availability import mask_from_cells
from candidates.models import Candidate, DateOff
from candidates.services.activity import activity_record
from candidates.services.consent import candidate_benches_refresh_enqueue
from staffing.base.audit import audit_record
from staffing.base.models import User

CONFIRM_SALT = "candidates.availability-confirm"


def _changed(candidate: Candidate, by: User | None, action: str, data: dict) -> None:
    Candidate.objects.filter(pk__in=[candidate.pk]).touch()
    candidate_benches_refresh_enqueue(candidate=candidate)
    activity_record(candidate=candidate)
    audit_record(actor=by, action=action, target=candidate, candidate_id=candidate.pk, data=data)


@transaction.atomic
def availability_set(
    *, candidate: Candidate, by: User | None, cells: Iterable[tuple[int, int]]
) -> Candidate:
    """Replace the weekly grid; saving it also confirms it as of now."""
    candidate.availability = mask_from_cells(cells)
    candidate.availability_confirmed_at = timezone.now()
    candidate.save(update_fields=["availability", "availability_confirmed_at"])
    _changed(candidate, by, "candidate.availability_set", {"mask": candidate.availability})
    return candidate


@transaction.atomic
def availability_confirm(*, candidate: Candidate, by: User | None) -> Candidate:
    """The "still the same" tap: the grid is unchanged, but fresh again (fresh ranks higher)."""
    candidate.availability_confirmed_at = timezone.now()
    candidate.save(update_fields=["availability_confirmed_at"])
    _changed(candidate, by, "candidate.availability_confirmed", {})
    return candidate


def availability_confirm_token(*, candidate: Candidate) -> str:
    """A signed token for the one-tap confirm link in the reminder email."""
    return signing.dumps({"c": candidate.pk}, salt=CONFIRM_SALT, compress=True)


def availability_confirm_by_token(*, token: str) -> Candidate | None:
    """Confirm from an emailed link; None when the token is bad, expired or the person is gone."""
    max_age = dt.timedelta(days=settings.AVAILABILITY_STALE_DAYS * 2)
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    candidate = Candidate.objects.filter(
        pk=payload.get("c"), status=Candidate.Status.ACTIVE
    ).first()
    if candidate is None:
        return None
    return availability_confirm(candidate=candidate, by=None)


@transaction.atomic
def date_off_add(*, candidate: Candidate, by: User | None, date: dt.date) -> DateOff:
    row, _created = DateOff.objects.get_or_create(candidate=candidate, date=date)
    _changed(candidate, by, "candidate.date_off_added", {"date": date.isoformat()})
    return row


@transaction.atomic
def date_off_remove(*, candidate: Candidate, by: User | None, date_off_id: int) -> None:
    candidate.dates_off.filter(pk=date_off_id).delete()
    _changed(candidate, by, "candidate.date_off_removed", {"date_off_id": date_off_id})
