"""After the shift: confirmed placements are completed by a beat task, whoever rates them; a
completed placement can still be rated and a no-show reported later still counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from staffing.celery import app
from staffing.models import (
    AuditEvent,
    Placement,
    ReliabilityRecord,
    ServiceRating,
    StaffingRequest,
)
from staffing.services.feedback import service_rating_give
from staffing.services.placements import placement_no_show_report, placements_complete
from staffing.tasks import complete_ended_placements
from tests import factories as f

pytestmark = pytest.mark.django_db

Status = Placement.Status


def _placement(*, start: dt.timedelta, hours: int = 5, status: str = Status.CONFIRMED):
    """A placement on a shift starting `start` from now (negative: in the past)."""
    begin = timezone.now() + start
    shift = f.ShiftFactory(
        request=f.StaffingRequestFactory(status=StaffingRequest.Status.FILLED),
        starts_at=begin,
        ends_at=begin + dt.timedelta(hours=hours),
    )
    return f.PlacementFactory(shift=shift, status=status)


def _version(candidate):
    candidate.refresh_from_db()
    return candidate.updated_at


def test_confirmed_placements_whose_shift_ended_are_completed_once():
    ended = _placement(start=-dt.timedelta(hours=8))
    running = _placement(start=-dt.timedelta(hours=1))
    upcoming = _placement(start=dt.timedelta(days=1))
    no_show = _placement(start=-dt.timedelta(hours=9), status=Status.NO_SHOW)
    cancelled = _placement(start=-dt.timedelta(hours=9), status=Status.CANCELLED)
    before = _version(ended.candidate)

    assert placements_complete() == [ended.pk]

    statuses = dict(Placement.objects.values_list("pk", "status"))
    assert statuses == {
        ended.pk: Status.COMPLETED,
        running.pk: Status.CONFIRMED,
        upcoming.pk: Status.CONFIRMED,
        no_show.pk: Status.NO_SHOW,
        cancelled.pk: Status.CANCELLED,
    }
    assert _version(ended.candidate) > before  # experience feeds the engine
    event = AuditEvent.objects.get(action="placement.completed")
    assert (event.target_id, event.candidate_id, event.staffing_request_id, event.actor) == (
        ended.pk,
        ended.candidate_id,
        ended.request_id,
        None,
    )
    assert placements_complete() == []
    assert AuditEvent.objects.filter(action="placement.completed").count() == 1


def test_a_shift_ending_exactly_now_is_completed():
    placement = _placement(start=-dt.timedelta(hours=5))
    now = placement.shift.ends_at
    assert placements_complete(now=now) == [placement.pk]


def test_the_beat_task_completes_ended_placements_and_is_scheduled():
    _placement(start=-dt.timedelta(hours=6))
    assert complete_ended_placements() == 1
    assert complete_ended_placements() == 0
    entry = settings.CELERY_BEAT_SCHEDULE["complete-ended-placements"]
    assert entry["task"] == "staffing.tasks.complete_ended_placements"
    assert entry["task"] in app.tasks


def test_a_completed_placement_can_be_rated():
    placement = _placement(start=-dt.timedelta(hours=8))
    placements_complete()
    manager = f.ClientManagerFactory(company=placement.request.company)

    rating = service_rating_give(placement=placement, by=manager, score=5, comment="Great")

    assert rating.score == 5
    assert Placement.objects.get(pk=placement.pk).status == Status.COMPLETED


def test_a_no_show_reported_after_completion_still_counts(django_capture_on_commit_callbacks):
    placement = _placement(start=-dt.timedelta(hours=8))
    placements_complete()
    manager = f.ClientManagerFactory(company=placement.request.company)
    service_rating_give(placement=placement, by=manager, score=4)

    with django_capture_on_commit_callbacks() as callbacks:
        record = placement_no_show_report(placement=placement, by=manager, reason="Never came")

    assert record.kind == ReliabilityRecord.Kind.NO_SHOW
    assert Placement.objects.get(pk=placement.pk).status == Status.NO_SHOW
    assert not ServiceRating.objects.filter(placement=placement).exists()
    assert callbacks == []  # the shift is over: nothing to backfill
    assert placements_complete() == []  # and the beat does not complete it again
