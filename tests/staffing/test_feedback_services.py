"""Client declines, cancellations, ratings, marks and no-shows: each a recorded transition that
feeds the engine (the candidate's version is bumped) and, where a slot reopens, asks for a
backfill."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from psycopg2.extras import DateTimeTZRange

from clients.models import CandidateMark
from staffing.models import (
    AuditEvent,
    Placement,
    PresentedDecline,
    ReliabilityRecord,
    ServiceRating,
    StaffingRequest,
)
from staffing.services.feedback import (
    FeedbackError,
    candidate_mark_set,
    presented_decline,
    service_rating_give,
)
from staffing.services.placements import placement_no_show_report
from staffing.services.requests.cancel import request_cancel, shift_cancel
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed():
    req = f.StaffingRequestFactory(status=StaffingRequest.Status.FILLED, headcount=1)
    placement = f.PlacementFactory(shift=f.ShiftFactory(request=req))
    manager = f.ClientManagerFactory(company=req.company)
    return placement, manager


def _version(candidate):
    candidate.refresh_from_db()
    return candidate.updated_at


def _move_shift(placement, *, start: dt.datetime, hours: int = 5) -> None:
    end = start + dt.timedelta(hours=hours)
    placement.shift.starts_at, placement.shift.ends_at = start, end
    placement.shift.save()
    Placement.objects.filter(pk=placement.pk).update(
        period=DateTimeTZRange(start, end),
        blocked=DateTimeTZRange(*Placement.blocked_range(start, end)),
    )


def test_declining_a_placed_person_cancels_the_placement_and_asks_for_a_backfill(
    placed, django_capture_on_commit_callbacks
):
    placement, manager = placed
    before = _version(placement.candidate)
    with django_capture_on_commit_callbacks() as callbacks:
        presented_decline(
            staffing_request=placement.request,
            candidate=placement.candidate,
            by=manager,
            reason="We need someone with till experience",
        )
    placement.refresh_from_db()
    placement.request.refresh_from_db()
    assert placement.status == Placement.Status.CANCELLED
    assert placement.request.status == StaffingRequest.Status.OFFERING
    assert _version(placement.candidate) > before
    assert len(callbacks) == 2  # tell the person, then backfill
    assert AuditEvent.objects.filter(
        action="person.declined_by_client", candidate_id=placement.candidate_id
    ).exists()


def test_a_decline_needs_a_reason_and_happens_once(placed):
    placement, manager = placed
    kwargs = {"staffing_request": placement.request, "candidate": placement.candidate}
    with pytest.raises(FeedbackError):
        presented_decline(**kwargs, by=manager, reason=" ")
    presented_decline(**kwargs, by=manager, reason="No")
    with pytest.raises(FeedbackError):
        presented_decline(**kwargs, by=manager, reason="No again")
    assert PresentedDecline.objects.count() == 1


def test_cancelling_the_request_cancels_placements_and_tells_the_people(
    placed, django_capture_on_commit_callbacks
):
    placement, manager = placed
    with django_capture_on_commit_callbacks() as callbacks:
        request_cancel(staffing_request=placement.request, by=manager, reason="Store closed")
    placement.refresh_from_db()
    assert placement.status == Placement.Status.CANCELLED
    assert placement.request.__class__.objects.get(pk=placement.request_id).status == "cancelled"
    assert len(callbacks) == 1
    with pytest.raises(FeedbackError):
        request_cancel(staffing_request=placement.request, by=manager, reason="again")


def test_cancelling_one_of_two_shifts_keeps_the_request(placed):
    placement, manager = placed
    later = f.ShiftFactory(
        request=placement.request,
        starts_at=placement.shift.starts_at + dt.timedelta(days=1),
        ends_at=placement.shift.ends_at + dt.timedelta(days=1),
    )
    shift_cancel(shift=later, by=manager, reason="Not needed")
    assert StaffingRequest.objects.get(pk=placement.request_id).status == "filled"
    shift_cancel(shift=placement.shift, by=manager, reason="Not needed either")
    assert StaffingRequest.objects.get(pk=placement.request_id).status == "cancelled"
    assert Placement.objects.get(pk=placement.pk).status == "cancelled"
    with pytest.raises(FeedbackError):
        shift_cancel(shift=later, by=manager, reason="again")


def test_a_started_shift_cannot_be_cancelled(placed):
    placement, manager = placed
    _move_shift(placement, start=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(FeedbackError):
        shift_cancel(shift=placement.shift, by=manager, reason="late")


def test_rating_after_the_shift_completes_the_placement_and_feeds_the_engine(placed):
    placement, manager = placed
    with pytest.raises(FeedbackError):
        service_rating_give(placement=placement, by=manager, score=5)
    _move_shift(placement, start=timezone.now() - dt.timedelta(hours=8))
    before = _version(placement.candidate)
    rating = service_rating_give(placement=placement, by=manager, score=4, comment="Calm, kind")
    assert (rating.score, rating.candidate_id, rating.company_id) == (
        4,
        placement.candidate_id,
        placement.request.company_id,
    )
    assert Placement.objects.get(pk=placement.pk).status == Placement.Status.COMPLETED
    assert _version(placement.candidate) > before
    service_rating_give(placement=placement, by=manager, score=5)
    assert ServiceRating.objects.get().score == 5
    assert AuditEvent.objects.filter(action="placement.rating_changed").exists()
    with pytest.raises(FeedbackError):
        service_rating_give(placement=placement, by=manager, score=6)


def test_marks_are_set_changed_and_cleared(placed):
    placement, manager = placed
    company, person = placement.request.company, placement.candidate
    candidate_mark_set(company=company, candidate=person, by=manager, kind="favourite")
    assert CandidateMark.objects.get().kind == "favourite"
    candidate_mark_set(company=company, candidate=person, by=manager, kind="do_not_return")
    assert CandidateMark.objects.get().kind == "do_not_return"
    candidate_mark_set(company=company, candidate=person, by=manager, kind="")
    assert not CandidateMark.objects.exists()
    assert AuditEvent.objects.filter(action="candidate.marked").count() == 3
    with pytest.raises(FeedbackError):
        candidate_mark_set(company=company, candidate=person, by=manager, kind="best")


def test_no_show_during_the_shift_reopens_the_slot(placed, django_capture_on_commit_callbacks):
    placement, manager = placed
    with pytest.raises(FeedbackError):
        placement_no_show_report(placement=placement, by=manager)
    _move_shift(placement, start=timezone.now() - dt.timedelta(minutes=30))
    with django_capture_on_commit_callbacks() as callbacks:
        record = placement_no_show_report(placement=placement, by=manager, reason="Did not come")
    assert record.kind == ReliabilityRecord.Kind.NO_SHOW
    assert Placement.objects.get(pk=placement.pk).status == Placement.Status.NO_SHOW
    assert StaffingRequest.objects.get(pk=placement.request_id).status == "offering"
    assert len(callbacks) == 1
    with pytest.raises(FeedbackError):
        placement_no_show_report(placement=placement, by=manager)


def test_no_show_after_the_shift_is_recorded_without_backfill(
    placed, django_capture_on_commit_callbacks
):
    placement, _manager = placed
    recruiter = f.RecruiterFactory()
    _move_shift(placement, start=timezone.now() - dt.timedelta(hours=10))
    with django_capture_on_commit_callbacks() as callbacks:
        placement_no_show_report(placement=placement, by=recruiter)
    assert callbacks == []
    assert StaffingRequest.objects.get(pk=placement.request_id).status == "filled"
