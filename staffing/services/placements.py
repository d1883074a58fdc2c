"""A placement's life after an offer was accepted (`Placement.objects.book`, in `offer_accept`):
the person cancels; the client's side cancels it (a declined person, a cancelled shift or
request); a no-show is reported; once the shift is over, or the client rated it, it is completed;
the person contests a no-show or late cancellation recorded against them. A reopened place is
offered again (`request_backfill`, or a backfill task once the change commits).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate
from candidates.services.consent import candidate_benches_refresh_enqueue
from staffing.base.audit import audit_record
from staffing.base.events import PLACEMENT_CANCELLED, domain_event_publish, placement_event_payload
from staffing.base.outbox import email_queue
from staffing.base.queueing import enqueue_on_commit
from staffing.models import Placement, ReliabilityRecord, ServiceRating, StaffingRequest, User
from staffing.services.errors import FeedbackError
from staffing.services.notifications import placement_cancelled_notify, placements_cancelled_tell
from staffing.services.offers import request_backfill
from staffing.services.requests.status import request_reopen

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
        domain_event_publish(
            name=PLACEMENT_CANCELLED,
            company_id=locked.request.company_id,
            payload=placement_event_payload(locked, by="candidate"),
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
    *, record: ReliabilityRecord, by: User, answer: str, decision: str
) -> ReliabilityRecord:
    """A recruiter answers the person's account of a contested record, upholding or
    withdrawing it; the person reads the answer and is told by email. A withdrawn record stops
    counting in matching at once (the pool reloads the person) and the benches are refreshed."""
    answer = answer.strip()[:1000]
    if not answer:
        raise PlacementError(_("Please write an answer."))
    if decision not in ReliabilityRecord.Decision.values:
        raise PlacementError(_("Please choose whether the record is upheld or withdrawn."))
    with transaction.atomic():
        locked = ReliabilityRecord.objects.select_for_update().get(pk=record.pk)
        if locked.contested_at is None:
            raise PlacementError(_("This record has not been contested."))
        if locked.answered_at is not None:
            raise PlacementError(_("This record has already been answered."))
        locked.answer = answer
        locked.answered_by = by
        locked.answered_at = timezone.now()
        locked.decision = decision
        locked.save(update_fields=["answer", "answered_by", "answered_at", "decision"])
        if decision == ReliabilityRecord.Decision.WITHDRAWN:
            Candidate.objects.filter(pk__in=[locked.candidate_id]).touch()
            candidate_benches_refresh_enqueue(candidate=locked.candidate)
        _record_decision_tell(locked)
        audit_record(
            actor=by,
            action="reliability.answered",
            target=locked,
            candidate_id=locked.candidate_id,
            data={"kind": locked.kind, "decision": decision},
        )
    return locked


def _record_decision_tell(record: ReliabilityRecord) -> None:
    candidate = record.candidate
    user = candidate.user
    email_queue(
        key=f"reliability-decided:{record.pk}",
        to=candidate.email or (user.email if user else ""),
        language=(user.language if user else "") or settings.LANGUAGE_CODE,
        template="candidate_record_decided",
        context={
            "record": record,
            "link": settings.SITE_URL + reverse("candidate_visibility"),
        },
    )


def backfill_on_commit(*, request_id: int, by: User, reason: str) -> None:
    """Offer the reopened place once this commits. The request is OFFERING by then, which the
    offer-wave sweep advances if this message is lost."""
    enqueue_on_commit("staffing.tasks.backfill_request", request_id, by.pk, reason)


def placements_cancelled_tell_later(*, placement_ids: list[int], reason: str) -> None:
    """Queue an email to each person whose placement the client cancelled (sent after commit)."""
    if placement_ids:
        placements_cancelled_tell(placement_ids=placement_ids, reason=reason)


def placements_active_locked(**filters) -> list[Placement]:
    """The confirmed placements matching `filters`, locked, in id order."""
    return list(
        Placement.objects.select_for_update()
        .filter(status=Placement.Status.CONFIRMED, **filters)
        .order_by("pk")
    )


def placements_cancel_for_client(placements: list[Placement], *, reason: str) -> list[int]:
    """Cancel these placements on the client's side (a declined person, a cancelled shift or
    request); returns their ids. Call with them locked (`placements_active_locked`)."""
    ids = [p.pk for p in placements]
    now = timezone.now()
    Placement.objects.filter(pk__in=ids).update(
        status=Placement.Status.CANCELLED,
        cancelled_at=now,
        cancel_reason=reason[:300],
        updated_at=now,
    )
    Candidate.objects.filter(pk__in=[p.candidate_id for p in placements]).touch()
    companies = dict(
        StaffingRequest.objects.filter(pk__in={p.request_id for p in placements}).values_list(
            "pk", "company_id"
        )
    )
    for placement in placements:
        placement.status = Placement.Status.CANCELLED
        domain_event_publish(
            name=PLACEMENT_CANCELLED,
            company_id=companies[placement.request_id],
            payload=placement_event_payload(placement, by="client"),
        )
    return ids


def placement_complete(placement: Placement) -> None:
    """A confirmed placement whose work was done (the client rated it) counts as completed."""
    if placement.status == Placement.Status.CONFIRMED:
        placement.status = Placement.Status.COMPLETED
        placement.save(update_fields=["status", "updated_at"])


def placement_ended(placement: Placement) -> bool:
    """The placement's shift is over."""
    return placement.shift.ends_at <= timezone.now()


def placement_no_show_report(
    *, placement: Placement, by: User, reason: str = ""
) -> ReliabilityRecord:
    """Record that a placed person did not come; it feeds reliability and, while the shift is
    still on, reopens the slot for a backfill."""
    with transaction.atomic():
        request = StaffingRequest.objects.select_for_update().get(pk=placement.request_id)
        placement = (
            Placement.objects.select_for_update().select_related("shift").get(pk=placement.pk)
        )
        if placement.status not in Placement.ACTIVE_STATUSES:
            raise FeedbackError(_("This placement is not active."))
        if placement.shift.starts_at > timezone.now():
            raise FeedbackError(_("A no-show can be reported once the shift has started."))
        placement.status = Placement.Status.NO_SHOW
        placement.save(update_fields=["status", "updated_at"])
        record = ReliabilityRecord.objects.create(
            placement=placement,
            candidate_id=placement.candidate_id,
            kind=ReliabilityRecord.Kind.NO_SHOW,
            reason=(reason or "").strip()[:500],
            reported_by=by,
        )
        ServiceRating.objects.filter(placement=placement).delete()
        Candidate.objects.filter(pk__in=[placement.candidate_id]).touch()
        reopen = (
            not placement_ended(placement) and request.status != StaffingRequest.Status.CANCELLED
        )
        if reopen:
            request_reopen(staffing_request=request, by=by)
        audit_record(
            actor=by,
            action="placement.no_show",
            target=record,
            staffing_request_id=request.pk,
            candidate_id=placement.candidate_id,
            data={"reason": record.reason, "backfill": reopen},
        )
        if reopen:
            backfill_on_commit(request_id=request.pk, by=by, reason="no_show")
    return record
