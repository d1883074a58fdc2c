"""Placements after an offer was accepted: the person cancels, or contests a no-show or late
cancellation recorded against them; once the shift is over the placement is completed. A reopened
place is offered again (`request_backfill`).

No-shows are recorded by `staffing.services.feedback.placement_no_show_report`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate
from staffing.base.audit import audit_record
from staffing.models import Placement, ReliabilityRecord, StaffingRequest, User
from staffing.services.notifications import placement_cancelled_notify
from staffing.services.offers import request_backfill

# A person cancelling closer to the start than this leaves the client short: a late cancellation.
LATE_CANCELLATION = dt.timedelta(hours=24)


class PlacementError(Exception):
    """A change that cannot be made; the message is for the person who asked."""


def _lock(placement: Placement) -> Placement:
    """Lock in the usual order: the request, then the candidate, then the placement."""
    StaffingRequest.objects.select_for_update().filter(pk=placement.request_id).first()
    Candidate.objects.select_for_update().filter(pk=placement.candidate_id).first()
    return (
        Placement.objects.select_for_update(of=("self",))
        .select_related("shift", "request", "candidate__user")
        .get(pk=placement.pk)
    )


def placement_cancel(*, placement: Placement, by: User, reason: str) -> Placement:
    """The placed person cancels. Under 24 hours before the start it is recorded as a late
    cancellation (which the person sees and may contest). The place is offered again."""
    reason = reason.strip()[:300]
    if not reason:
        raise PlacementError(_("Please tell us why you cancel."))
    with transaction.atomic():
        locked = _lock(placement)
        now = timezone.now()
        if locked.status != Placement.Status.CONFIRMED:
            raise PlacementError(_("This assignment is no longer active."))
        if locked.shift.starts_at <= now:
            raise PlacementError(_("The shift has already started. Please call the agency."))
        late = locked.shift.starts_at - now < LATE_CANCELLATION
        locked.status = Placement.Status.CANCELLED
        locked.cancelled_at = now
        locked.cancel_reason = reason
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        if late:
            ReliabilityRecord.objects.get_or_create(
                placement=locked,
                kind=ReliabilityRecord.Kind.LATE_CANCELLATION,
                defaults={"candidate": locked.candidate, "reason": reason, "reported_by": by},
            )
        Candidate.objects.filter(pk__in=[locked.candidate_id]).touch()
        audit_record(
            actor=by,
            action="placement.cancelled",
            target=locked,
            staffing_request_id=locked.request_id,
            candidate_id=locked.candidate_id,
            data={"late": late, "reason": reason, "shift": locked.shift_id},
        )
        placement_cancelled_notify(placement=locked, by_candidate=True)
        request_backfill(staffing_request=locked.request, by=by, reason="cancellation")
    return locked


def reliability_record_contest(
    *, record: ReliabilityRecord, by: User, reason: str
) -> ReliabilityRecord:
    """The person gives their account of a no-show or late cancellation; a recruiter answers it
    (`reliability_record_answer`)."""
    reason = reason.strip()[:500]
    if not reason:
        raise PlacementError(_("Please tell us what happened."))
    with transaction.atomic():
        locked = ReliabilityRecord.objects.select_for_update().get(pk=record.pk)
        if locked.contested_at is not None:
            raise PlacementError(_("You have already contested this record."))
        locked.contest_reason = reason
        locked.contested_at = timezone.now()
        locked.save(update_fields=["contest_reason", "contested_at"])
        audit_record(
            actor=by,
            action="reliability.contested",
            target=locked,
            staffing_request_id=locked.placement.request_id,
            candidate_id=locked.candidate_id,
            data={"kind": locked.kind, "reason": reason},
        )
    return locked


def placements_complete(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Complete confirmed placements whose shift has ended; returns the ids completed.

    The work was done unless someone says otherwise: a no-show reported later still turns a
    completed placement into a no-show, and the client may rate it. Idempotent and safe to run
    from several workers: only rows still confirmed are claimed (rows another transaction holds
    are left for the next run), and completing them is a conditional update.
    """
    now = now or timezone.now()
    due = list(
        Placement.objects.filter(status=Placement.Status.CONFIRMED, period__endswith__lte=now)
        .order_by("pk")
        .values_list("pk", "candidate_id")[:limit]
    )
    if not due:
        return []
    with transaction.atomic():
        # The usual lock order: people first (their matching data changes), then placements.
        Candidate.objects.filter(pk__in=[candidate_id for _pk, candidate_id in due]).touch()
        claimed = list(
            Placement.objects.select_for_update(skip_locked=True)
            .filter(pk__in=[pk for pk, _candidate_id in due], status=Placement.Status.CONFIRMED)
            .order_by("pk")
            .values_list("pk", "candidate_id", "request_id")
        )
        ids = [pk for pk, _candidate_id, _request_id in claimed]
        Placement.objects.filter(pk__in=ids, status=Placement.Status.CONFIRMED).update(
            status=Placement.Status.COMPLETED, updated_at=now
        )
        for pk, candidate_id, request_id in claimed:
            audit_record(
                actor=None,
                action="placement.completed",
                target=Placement(pk=pk),
                staffing_request_id=request_id,
                candidate_id=candidate_id,
            )
    return ids


def reliability_record_answer(
    *, record: ReliabilityRecord, by: User, answer: str
) -> ReliabilityRecord:
    """A recruiter answers the person's account of a contested record; the person reads it."""
    answer = answer.strip()[:1000]
    if not answer:
        raise PlacementError(_("Please write an answer."))
    with transaction.atomic():
        locked = ReliabilityRecord.objects.select_for_update().get(pk=record.pk)
        if locked.contested_at is None:
            raise PlacementError(_("This record has not been contested."))
        if locked.answered_at is not None:
            raise PlacementError(_("This record has already been answered."))
        locked.answer = answer
        locked.answered_by = by
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "answered_by", "answered_at"])
        audit_record(
            actor=by,
            action="reliability.answered",
            target=locked,
            candidate_id=locked.candidate_id,
            data={"kind": locked.kind},
        )
    return locked
