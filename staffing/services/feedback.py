"""What the client says about people: declining a presented person, ratings and marks.
Everything the engine reads is followed by `Candidate...touch()` in the same transaction; a slot
that reopens asks for a backfill once the change is committed. (Cancelling a request or a shift
is in `staffing.services.requests.cancel`; no-shows are in `staffing.services.placements`.)
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from candidates.models import Candidate
from clients.models import CandidateMark, ClientCompany
from staffing.base.audit import audit_record
from staffing.models import (
    Placement,
    PresentedDecline,
    ServiceRating,
    StaffingRequest,
    User,
)
from staffing.services.errors import FeedbackError
from staffing.services.placements import (
    backfill_on_commit,
    placement_complete,
    placement_ended,
    placements_active_locked,
    placements_cancel_for_client,
    placements_cancelled_tell_later,
)
from staffing.services.requests.status import request_reopen


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
        if not request.company.may_decline_presented:
            raise FeedbackError(
                _(
                    "Your contract does not include declining the people presented. "
                    "Call your recruiter to talk about this person."
                )
            )
        if PresentedDecline.objects.filter(request=request, candidate=candidate).exists():
            raise FeedbackError(_("You have already declined this person."))
        placements = placements_active_locked(request=request, candidate=candidate)
        cancelled = placements_cancel_for_client(placements, reason=reason)
        decline = PresentedDecline.objects.create(
            request=request, candidate=candidate, reason=reason[:300], by=by
        )
        if cancelled:
            request_reopen(staffing_request=request, by=by)
        audit_record(
            actor=by,
            action="person.declined_by_client",
            target=decline,
            staffing_request_id=request.pk,
            candidate_id=candidate.pk,
            data={"reason": reason[:300], "placements_cancelled": len(cancelled)},
        )
        placements_cancelled_tell_later(placement_ids=cancelled, reason="declined_by_client")
        backfill_on_commit(request_id=request.pk, by=by, reason="client_declined")
    return decline


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
        if not placement_ended(placement):
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
        placement_complete(placement)
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
