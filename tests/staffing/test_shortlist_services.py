"""A recruiter's curation: approve, add, remove and move, each recorded with its reason."""

from __future__ import annotations

import pytest

from staffing.models import AuditEvent, ShortlistEdit, StaffingRequest
from staffing.services.shortlists import (
    ShortlistError,
    candidate_explain,
    candidate_search,
    shortlist_approve,
    shortlist_entry_add,
    shortlist_entry_move,
    shortlist_entry_remove,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def shortlist():
    req = f.StaffingRequestFactory(status=StaffingRequest.Status.SHORTLISTED)
    f.ShiftFactory(request=req)
    shortlist = f.ShortlistFactory(request=req)
    for rank in (1, 2, 3):
        f.ShortlistEntryFactory(shortlist=shortlist, rank=rank)
    return shortlist


def _ranked_ids(shortlist) -> list[int]:
    return list(shortlist.ranked.values_list("candidate_id", flat=True))


def test_approve_opens_the_shortlist_to_the_client_and_queues_the_first_wave(
    shortlist, django_capture_on_commit_callbacks
):
    recruiter = f.RecruiterFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        shortlist_approve(shortlist=shortlist, by=recruiter)
    shortlist.refresh_from_db()
    shortlist.request.refresh_from_db()
    assert shortlist.approved_by == recruiter and shortlist.approved_at is not None
    assert shortlist.request.status == StaffingRequest.Status.APPROVED
    assert len(callbacks) == 1
    event = AuditEvent.objects.get(action="shortlist.approved")
    assert event.staffing_request_id == shortlist.request_id and event.actor == recruiter


def test_approving_twice_or_an_empty_shortlist_is_refused(shortlist):
    recruiter = f.RecruiterFactory()
    shortlist_approve(shortlist=shortlist, by=recruiter)
    with pytest.raises(ShortlistError):
        shortlist_approve(shortlist=shortlist, by=recruiter)
    empty = f.ShortlistFactory(request=f.StaffingRequestFactory(status="shortlisted"))
    with pytest.raises(ShortlistError):
        shortlist_approve(shortlist=empty, by=recruiter)
    assert empty.request.status == "shortlisted"


def test_remove_needs_a_reason_and_records_it(shortlist):
    recruiter = f.RecruiterFactory()
    entry = shortlist.ranked.first()
    with pytest.raises(ShortlistError):
        shortlist_entry_remove(entry=entry, by=recruiter, reason="  ")
    shortlist_entry_remove(entry=entry, by=recruiter, reason="Worked here last week, tired")
    assert entry.candidate_id not in _ranked_ids(shortlist)
    edit = ShortlistEdit.objects.get()
    assert (edit.action, edit.from_rank, edit.by) == ("remove", 1, recruiter)
    assert AuditEvent.objects.filter(
        action="shortlist.remove", candidate_id=entry.candidate_id
    ).exists()


def test_move_swaps_with_the_neighbour(shortlist):
    recruiter = f.RecruiterFactory()
    before = _ranked_ids(shortlist)
    third = shortlist.ranked.get(rank=3)
    shortlist_entry_move(entry=third, direction="up", by=recruiter, reason="Client knows her")
    assert _ranked_ids(shortlist) == [before[0], before[2], before[1]]
    first = shortlist.ranked.get(rank=1)
    with pytest.raises(ShortlistError):
        shortlist_entry_move(entry=first, direction="up", by=recruiter, reason="x")
    edit = ShortlistEdit.objects.get()
    assert (edit.action, edit.from_rank, edit.to_rank) == ("move_up", 3, 2)


def test_add_puts_the_person_last_with_the_engines_explanation(shortlist):
    recruiter = f.RecruiterFactory()
    person = f.CandidateFactory(first_name="Lotta")
    f.AssessmentFactory(candidate=person)
    entry = shortlist_entry_add(
        shortlist=shortlist, candidate=person, by=recruiter, reason="Called in, free tonight"
    )
    assert entry.rank == 4 and not entry.near_miss
    assert entry.explanation.get("factors") and not entry.explanation.get("failed")
    with pytest.raises(ShortlistError):
        shortlist_entry_add(shortlist=shortlist, candidate=person, by=recruiter, reason="again")
    assert ShortlistEdit.objects.get().action == "add"


def test_a_near_miss_who_is_added_moves_into_the_ranked_list(shortlist):
    recruiter = f.RecruiterFactory()
    near = f.ShortlistEntryFactory(shortlist=shortlist, rank=1, near_miss=True)
    shortlist_entry_add(shortlist=shortlist, candidate=near.candidate, by=recruiter, reason="ok")
    assert shortlist.entries.filter(candidate=near.candidate).get().near_miss is False


def test_explanation_of_someone_failing_a_hard_constraint_says_which(shortlist):
    far = f.CandidateFactory(latitude=65.0, longitude=25.5, max_travel_km=5)
    _score, explanation = candidate_explain(staffing_request=shortlist.request, candidate=far)
    assert any(item["code"] == "travel" for item in explanation["failed"])


def test_nothing_can_be_edited_on_a_final_request(shortlist):
    StaffingRequest.objects.filter(pk=shortlist.request_id).update(status="cancelled")
    with pytest.raises(ShortlistError):
        shortlist_entry_remove(entry=shortlist.ranked.first(), by=f.RecruiterFactory(), reason="x")


def test_nobody_is_moved_or_removed_once_the_shortlist_is_approved(shortlist):
    """Offers go out down the approved order; adding at the end stays possible."""
    recruiter = f.RecruiterFactory()
    shortlist_approve(shortlist=shortlist, by=recruiter)
    second = shortlist.ranked.get(rank=2)
    with pytest.raises(ShortlistError):
        shortlist_entry_move(entry=second, direction="up", by=recruiter, reason="Client asked")
    with pytest.raises(ShortlistError):
        shortlist_entry_remove(entry=second, by=recruiter, reason="Client asked")
    assert shortlist.ranked.get(rank=2) == second
    person = f.CandidateFactory()
    f.AssessmentFactory(candidate=person)
    shortlist_entry_add(shortlist=shortlist, candidate=person, by=recruiter, reason="Free today")
    assert shortlist.ranked.last().candidate == person
    assert list(ShortlistEdit.objects.values_list("action", flat=True)) == ["add"]


def test_search_finds_matchable_people_and_logs_the_look_up(shortlist):
    recruiter = f.RecruiterFactory()
    hit = f.CandidateFactory(first_name="Saana", last_name="Virtanen", postal_code="00530")
    f.CandidateFactory(first_name="Saana", matching_consent=False)
    assert candidate_search(query="saana", by=recruiter, staffing_request=shortlist.request) == [
        hit
    ]
    assert candidate_search(query="0053", by=recruiter, staffing_request=shortlist.request) == [hit]
    event = AuditEvent.objects.filter(action="candidates.searched").first()
    assert event.data["candidate_ids"] == [hit.pk] and event.actor == recruiter
