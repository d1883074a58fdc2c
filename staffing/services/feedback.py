"""What the client (and the recruiter) say about people: declines, cancellations, ratings, marks
and no-shows. Everything the engine reads is followed by `Candidate...touch()` in the same
transaction; a slot that reopens asks for a backfill once the change is committed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate
from clients.models import CandidateMark, ClientCompany
from staffing.base.audit import audit_record
from staffing.base.queueing import enqueue_on_commit
from staffing.models import (
    Placement,
    PresentedDecline,
    ReliabilityRecord,
    ServiceRating,
    Shift,
    ShiftCancellation,
    StaffingRequest,
    User,
)


class FeedbackError(ValidationError):
    """A step that cannot be done; the message is for the person who tried."""


def _backfill_on_commit(*, request_id: int, by: User, reason: str) -> None:
    """Offer the reopened place once this commits. The request is OFFERING by then, which the
    offer-wave sweep advances if this message is lost."""
    enqueue_on_commit("staffing.tasks.backfill_request", request_id, by.pk, reason)


def _placed_tell(*, placement_ids: list[int], reason: str) -> None:
    """Queue an email to each person whose placement the client cancelled (sent after commit)."""
    if placement_ids:
        from staffing.services.notifications import placements_cancelled_tell

        placements_cancelled_tell(placement_ids=placement_ids, reason=reason)


def _active_placements(**filters) -> list[Placement]:
    return list(
        Placement.objects.select_for_update()
        .filter(status=Placement.Status.CONFIRMED, **filters)
        .order_by("pk")
    )


def _placements_cancel(placements: list[Placement], *, reason: str) -> list[int]:
    ids = [p.pk for p in placements]
    now = timezone.now()
    Placement.objects.filter(pk__in=ids).update(
        status=Placement.Status.CANCELLED,
        cancelled_at=now,
        cancel_reason=reason[:300],
        updated_at=now,
    )
    Candidate.objects.filter(pk__in=[p.candidate_id for p in placements]).touch()
    return ids


def presented_decline(
    *, staffing_request: StaffingRequest, candidate: Candidate, by: User, reason: str
) -> PresentedDecline:
    """The client does not want this person for this request; a placement is cancelled and the
    agency backfills from the next best people."""
    reason = (reason or "").strip()
    if not reason:
        raise FeedbackError(_("Tell the agency why, so that they can find a better fit."))
    with transaction.atomic():
        request = StaffingRequest.objects.select_for_update().get(pk=staffing_request.pk)
        if request.is_final and request.status == StaffingRequest.Status.CANCELLED:
            raise FeedbackError(_("This request has been cancelled."))
        if PresentedDecline.objects.filter(request=request, candidate=candidate).exists():
            raise FeedbackError(_("You have already declined this person."))
        placements = _active_placements(request=request, candidate=candidate)
        cancelled = _placements_cancel(placements, reason=reason)
        decline = PresentedDecline.objects.create(
            request=request, candidate=candidate, reason=reason[:300], by=by
        )
        if request.status == StaffingRequest.Status.FILLED and cancelled:
            request.status, request.filled_at = StaffingRequest.Status.OFFERING, None
            request.save(update_fields=["status", "filled_at", "updated_at"])
        audit_record(
            actor=by,
            action="person.declined_by_client",
            target=decline,
            staffing_request_id=request.pk,
            candidate_id=candidate.pk,
            data={"reason": reason[:300], "placements_cancelled": len(cancelled)},
        )
        _placed_tell(placement_ids=cancelled, reason="declined_by_client")
        _backfill_on_commit(request_id=request.pk, by=by, reason="client_declined")
    return decline


def request_cancel(*, staffing_request: StaffingRequest, by: User, reason: str) -> StaffingRequest:
    """Cancel the whole request; the people placed are told."""
    with transaction.atomic():
        request = StaffingRequest.objects.select_for_update().get(pk=staffing_request.pk)
        if request.status == StaffingRequest.Status.CANCELLED:
            raise FeedbackError(_("This request is already cancelled."))
        if request.shifts.filter(starts_at__lte=timezone.now()).exists():
            raise FeedbackError(_("A shift has already started: call the agency instead."))
        cancelled = _placements_cancel(_active_placements(request=request), reason=reason or "")
        request.status = StaffingRequest.Status.CANCELLED
        request.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by,
            action="request.cancelled",
            target=request,
            staffing_request_id=request.pk,
            data={"reason": (reason or "")[:300], "placements_cancelled": len(cancelled)},
        )
        _placed_tell(placement_ids=cancelled, reason="request_cancelled")
        _offers_withdraw(request, by)
    return request


def _offers_withdraw(request: StaffingRequest, by: User) -> None:
    from staffing.services.offers import offers_withdraw

    offers_withdraw(staffing_request=request, by=by)


def _fill_settle(request: StaffingRequest, by: User) -> None:
    """The shifts left may all be full now: then the request is filled."""
    from staffing.services.offers import request_fill_settle

    request_fill_settle(staffing_request=request, by=by)


def shift_cancel(*, shift: Shift, by: User, reason: str) -> ShiftCancellation:
    """Cancel one shift of a request; the last open shift cancels the whole request."""
    with transaction.atomic():
        request = StaffingRequest.objects.select_for_update().get(pk=shift.request_id)
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        if request.status == StaffingRequest.Status.CANCELLED:
            raise FeedbackError(_("This request is already cancelled."))
        if ShiftCancellation.objects.filter(shift=shift).exists():
            raise FeedbackError(_("This shift is already cancelled."))
        if shift.starts_at <= timezone.now():
            raise FeedbackError(_("This shift has already started: call the agency instead."))
        cancelled = _placements_cancel(_active_placements(shift=shift), reason=reason or "")
        cancellation = ShiftCancellation.objects.create(
            shift=shift, reason=(reason or "")[:300], by=by
        )
        audit_record(
            actor=by,
            action="shift.cancelled",
            target=shift,
            staffing_request_id=request.pk,
            data={
                "reason": (reason or "")[:300],
                "starts_at": shift.starts_at.isoformat(),
                "placements_cancelled": len(cancelled),
            },
        )
        if not request.shifts.active().exists():
            request.status = StaffingRequest.Status.CANCELLED
            request.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=by,
                action="request.cancelled",
                target=request,
                staffing_request_id=request.pk,
                data={"reason": (reason or "")[:300], "last_shift": True},
            )
            _offers_withdraw(request, by)
        else:
            _fill_settle(request, by)
        _placed_tell(placement_ids=cancelled, reason="shift_cancelled")
    return cancellation


def _ended(placement: Placement) -> bool:
    return placement.shift.ends_at <= timezone.now()


def service_rating_give(
    *, placement: Placement, by: User, score: int, comment: str = ""
) -> ServiceRating:
    """Rate a placed person's service after the shift (again: the rating is replaced).

    A rated confirmed placement counts as completed: the client says the work was done.
    """
    if not 1 <= int(score) <= 5:
        raise FeedbackError(_("Choose 1 to 5 stars."))
    with transaction.atomic():
        placement = (
            Placement.objects.select_for_update()
            .select_related("shift", "request")
            .get(pk=placement.pk)
        )
        if placement.status not in Placement.ACTIVE_STATUSES:
            raise FeedbackError(_("Only people who did the shift can be rated."))
        if not _ended(placement):
            raise FeedbackError(_("You can rate the service once the shift is over."))
        rating, created = ServiceRating.objects.update_or_create(
            placement=placement,
            defaults={
                "candidate_id": placement.candidate_id,
                "company_id": placement.request.company_id,
                "score": int(score),
                "comment": (comment or "").strip()[:2000],
                "by": by,
            },
        )
        if placement.status == Placement.Status.CONFIRMED:
            placement.status = Placement.Status.COMPLETED
            placement.save(update_fields=["status", "updated_at"])
        Candidate.objects.filter(pk__in=[placement.candidate_id]).touch()
        audit_record(
            actor=by,
            action="placement.rated" if created else "placement.rating_changed",
            target=rating,
            staffing_request_id=placement.request_id,
            candidate_id=placement.candidate_id,
            data={"score": int(score)},
        )
    return rating


def candidate_mark_set(
    *, company: ClientCompany, candidate: Candidate, by: User, kind: str, reason: str = ""
) -> CandidateMark | None:
    """Mark a person as the client's favourite or do-not-return; an empty kind clears the mark."""
    if kind and kind not in CandidateMark.Kind.values:
        raise FeedbackError(_("Choose favourite, do not return, or no mark."))
    with transaction.atomic():
        existing = (
            CandidateMark.objects.select_for_update()
            .filter(company=company, candidate=candidate)
            .first()
        )
        if not kind:
            if existing is not None:
                existing.delete()
            mark = None
        else:
            mark, _created = CandidateMark.objects.update_or_create(
                company=company,
                candidate=candidate,
                defaults={"kind": kind, "reason": (reason or "").strip()[:300], "created_by": by},
            )
        Candidate.objects.filter(pk__in=[candidate.pk]).touch()
        audit_record(
            actor=by,
            action="candidate.marked",
            target=mark or company,
            candidate_id=candidate.pk,
            data={"kind": kind or None, "previous": existing.kind if existing else None},
        )
    return mark


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
        reopen = not _ended(placement) and request.status != StaffingRequest.Status.CANCELLED
        if reopen and request.status == StaffingRequest.Status.FILLED:
            request.status, request.filled_at = StaffingRequest.Status.OFFERING, None
            request.save(update_fields=["status", "filled_at", "updated_at"])
        audit_record(
            actor=by,
            action="placement.no_show",
            target=record,
            staffing_request_id=request.pk,
            candidate_id=placement.candidate_id,
            data={"reason": record.reason, "backfill": reopen},
        )
        if reopen:
            _backfill_on_commit(request_id=request.pk, by=by, reason="no_show")
    return record
