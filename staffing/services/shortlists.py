"""A recruiter's curation of a shortlist: add, remove, move (each with a reason) and approve.

Nothing reaches the client before `shortlist_approve`. Every change is stored as a ShortlistEdit
(shown on the request page) and as an audit event on the request's timeline.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate
from staffing.base.audit import audit_record, personal_data_views_record
from staffing.base.events import REQUEST_APPROVED, domain_event_publish
from staffing.base.queueing import enqueue_on_commit
from staffing.matching.engine import hard_failures, rank
from staffing.matching.pool import Pool
from staffing.models import Shortlist, ShortlistEdit, ShortlistEntry, StaffingRequest, User
from staffing.services.matching import request_spec
from staffing.services.pool import features_load

SEARCH_LIMIT = 20


class ShortlistError(ValidationError):
    """A curation step that cannot be done; the message is for the recruiter."""


def _locked(shortlist: Shortlist) -> tuple[Shortlist, StaffingRequest]:
    """Lock the request, then the shortlist (always in this order), and check they are editable."""
    request = StaffingRequest.objects.select_for_update().get(pk=shortlist.request_id)
    shortlist = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if not request.is_curatable:
        raise ShortlistError(_("This request is no longer being staffed."))
    if request.current_shortlist != shortlist:
        raise ShortlistError(_("A newer shortlist exists for this request."))
    return shortlist, request


def _not_approved(shortlist: Shortlist) -> None:
    """Offers go out down the approved order: from approval on, nobody is moved or removed
    (people can still be added at the end, for the next waves)."""
    if shortlist.approved_at is not None:
        raise ShortlistError(
            _(
                "The shortlist is approved: offers follow its order, so nobody can be moved "
                "or removed."
            )
        )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ShortlistError(_("Give a reason: it is recorded with the change."))
    return reason[:300]


def _record(
    *,
    shortlist: Shortlist,
    candidate_id: int,
    action: str,
    reason: str,
    by: User,
    from_rank: int | None = None,
    to_rank: int | None = None,
) -> ShortlistEdit:
    edit = ShortlistEdit.objects.create(
        shortlist=shortlist,
        candidate_id=candidate_id,
        action=action,
        reason=reason,
        from_rank=from_rank,
        to_rank=to_rank,
        by=by,
    )
    audit_record(
        actor=by,
        action=f"shortlist.{action}",
        target=shortlist,
        staffing_request_id=shortlist.request_id,
        candidate_id=candidate_id,
        data={"reason": reason, "from_rank": from_rank, "to_rank": to_rank},
    )
    return edit


def shortlist_approve(*, shortlist: Shortlist, by: User) -> Shortlist:
    """Approve the ranked shortlist: from now on the client sees it and offers go out.

    The first offer wave is sent by a worker after the approval commits (`offer_wave_send`).
    """
    with transaction.atomic():
        shortlist, request = _locked(shortlist)
        if shortlist.approved_at is not None:
            raise ShortlistError(_("This shortlist is already approved."))
        if not shortlist.ranked.exists():
            raise ShortlistError(_("The shortlist is empty: add people before approving it."))
        shortlist.approved_by, shortlist.approved_at = by, timezone.now()
        shortlist.save(update_fields=["approved_by", "approved_at"])
        request.status = StaffingRequest.Status.APPROVED
        request.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by,
            action="shortlist.approved",
            target=shortlist,
            staffing_request_id=request.pk,
            data={"entries": shortlist.ranked.count()},
        )
        domain_event_publish(
            name=REQUEST_APPROVED,
            company_id=request.company_id,
            payload={"request_id": request.pk, "status": request.status},
        )
        # APPROVED is the record: if this message is lost, the offer-wave sweep sends it.
        enqueue_on_commit("staffing.tasks.send_first_offer_wave", request.pk, by.pk)
    return shortlist


def shortlist_entry_add(
    *, shortlist: Shortlist, candidate: Candidate, by: User, reason: str
) -> ShortlistEntry:
    """Put a person the recruiter found at the end of the ranked list, explained by the engine.

    A near miss who is added is moved into the ranked list (one entry per person).
    """
    reason = _reason(reason)
    with transaction.atomic():
        shortlist, request = _locked(shortlist)
        existing = shortlist.entries.filter(candidate=candidate).first()
        if existing is not None and not existing.near_miss:
            raise ShortlistError(_("This person is already on the shortlist."))
        if existing is not None:
            existing.delete()
        score, explanation = candidate_explain(staffing_request=request, candidate=candidate)
        last = shortlist.entries.filter(near_miss=False).aggregate(m=Max("rank"))["m"] or 0
        entry = ShortlistEntry.objects.create(
            shortlist=shortlist,
            candidate=candidate,
            rank=last + 1,
            score=score,
            explanation=explanation,
        )
        _record(
            shortlist=shortlist,
            candidate_id=candidate.pk,
            action=ShortlistEdit.Action.ADD,
            reason=reason,
            by=by,
            to_rank=entry.rank,
        )
    return entry


def shortlist_entry_remove(*, entry: ShortlistEntry, by: User, reason: str) -> None:
    """Take a person off the ranked list; the edit keeps who, when and why."""
    reason = _reason(reason)
    with transaction.atomic():
        shortlist, _request = _locked(entry.shortlist)
        _not_approved(shortlist)
        entry = _entry_locked(shortlist, entry.pk)
        entry.delete()
        _record(
            shortlist=shortlist,
            candidate_id=entry.candidate_id,
            action=ShortlistEdit.Action.REMOVE,
            reason=reason,
            by=by,
            from_rank=entry.rank,
        )


def _entry_locked(shortlist: Shortlist, entry_id: int) -> ShortlistEntry:
    entry = shortlist.entries.filter(pk=entry_id, near_miss=False).first()
    if entry is None:
        raise ShortlistError(_("This person is no longer on the shortlist."))
    return entry


def shortlist_entry_move(
    *, entry: ShortlistEntry, direction: Literal["up", "down"], by: User, reason: str
) -> ShortlistEntry:
    """Swap a person with the neighbour above or below in the ranked list."""
    reason = _reason(reason)
    with transaction.atomic():
        shortlist, _request = _locked(entry.shortlist)
        _not_approved(shortlist)
        entry = _entry_locked(shortlist, entry.pk)
        ranked = shortlist.entries.filter(near_miss=False)
        if direction == "up":
            neighbour = ranked.filter(rank__lt=entry.rank).order_by("-rank").first()
        else:
            neighbour = ranked.filter(rank__gt=entry.rank).order_by("rank").first()
        if neighbour is None:
            raise ShortlistError(_("This person cannot move further."))
        old, new = entry.rank, neighbour.rank
        # Ranks are unique per shortlist: park one entry on a free rank during the swap.
        parked = (ranked.aggregate(m=Max("rank"))["m"] or 0) + 1
        ShortlistEntry.objects.filter(pk=entry.pk).update(rank=parked)
        ShortlistEntry.objects.filter(pk=neighbour.pk).update(rank=old)
        ShortlistEntry.objects.filter(pk=entry.pk).update(rank=new)
        entry.rank = new
        _record(
            shortlist=shortlist,
            candidate_id=entry.candidate_id,
            action=ShortlistEdit.Action.MOVE_UP
            if direction == "up"
            else ShortlistEdit.Action.MOVE_DOWN,
            reason=reason,
            by=by,
            from_rank=old,
            to_rank=new,
        )
    return entry


def candidate_explain(
    *, staffing_request: StaffingRequest, candidate: Candidate
) -> tuple[float, dict[str, Any]]:
    """The engine's score and explanation of one person for this request (as if ranked alone)."""
    spec = request_spec(request=staffing_request)
    batch = features_load(ids=[candidate.pk])
    if not len(batch):
        return 0.0, {"failed": [{"code": "matchable"}], "passed": [], "factors": [], "score": 0}
    pool = Pool(capacity=4)
    pool.upsert(batch)
    result = rank(pool, spec, size=1, near_miss_size=1)
    found = [*result.ranked, *result.near_misses]
    if found:
        return found[0].score, found[0].explanation
    failed = [code for code, mask in hard_failures(pool, spec).items() if mask[0]]
    return 0.0, {"failed": [{"code": c} for c in failed], "passed": [], "factors": [], "score": 0}


def candidate_search(
    *, query: str, by: User, staffing_request: StaffingRequest, limit: int = SEARCH_LIMIT
) -> list[Candidate]:
    """Matchable people whose name, email or postal code matches; the look-up is audit-logged."""
    terms = (query or "").split()
    if not terms:
        return []
    people: QuerySet[Candidate] = Candidate.objects.matchable()
    for term in terms[:4]:
        people = people.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(postal_code__startswith=term)
        )
    found = list(people.order_by("last_name", "first_name", "id")[:limit])
    # The search text is often a person's name or email: none of it is kept, not even a hash
    # (a hash of a name can be tested against guessed names), only how many terms it had.
    audit_record(
        actor=by,
        action="candidates.searched",
        target=staffing_request,
        staffing_request_id=staffing_request.pk,
        data={
            "terms": len(terms),
            "candidate_ids": [c.pk for c in found],
        },
    )
    # Each person the results showed (name, email, postal code) sees it in their view log.
    personal_data_views_record(
        viewer=by,
        candidate_ids=[c.pk for c in found],
        seen="search",
        target=staffing_request,
        staffing_request_id=staffing_request.pk,
    )
    return found
