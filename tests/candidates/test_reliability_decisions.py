"""A contested reliability record is upheld or withdrawn; a withdrawn one stops counting at once
and the person is told by email."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from staffing.matching.pool import Pool
from staffing.models import OutboundEmail, Placement, ReliabilityRecord
from staffing.services.placements import PlacementError, reliability_record_answer
from staffing.services.pool import features_load
from tests import factories as f

pytestmark = pytest.mark.django_db


def _contested(candidate, kind: str) -> ReliabilityRecord:
    start = timezone.now() - dt.timedelta(days=3)
    shift = f.ShiftFactory(starts_at=start, ends_at=start + dt.timedelta(hours=5))
    status = Placement.Status.NO_SHOW if kind == "no_show" else Placement.Status.CANCELLED
    placement = f.PlacementFactory(candidate=candidate, shift=shift, status=status)
    return ReliabilityRecord.objects.create(
        placement=placement,
        candidate=candidate,
        kind=kind,
        contest_reason="I was there",
        contested_at=timezone.now(),
    )


def _lapses(candidate) -> tuple[int, int]:
    pool = Pool()
    pool.upsert(features_load(ids=[candidate.pk]))
    seen = pool.features(0)
    return seen.no_shows, seen.late_cancellations


@pytest.mark.parametrize("kind", ["no_show", "late_cancellation"])
def test_a_withdrawn_record_stops_counting_and_the_person_is_emailed(
    kind, queued_tasks, django_capture_on_commit_callbacks
):
    candidate = f.CandidateUserFactory().candidate
    record = _contested(candidate, kind)
    assert _lapses(candidate) == ((1, 0) if kind == "no_show" else (0, 1))
    before = type(candidate).objects.get(pk=candidate.pk).updated_at
    with django_capture_on_commit_callbacks(execute=True):
        reliability_record_answer(
            record=record, by=f.RecruiterFactory(), answer="Confirmed", decision="withdrawn"
        )
    assert _lapses(candidate) == (0, 0)
    assert type(candidate).objects.get(pk=candidate.pk).updated_at > before
    assert ("staffing.tasks.refresh_benches_for_candidate", (candidate.pk,)) in queued_tasks
    email = OutboundEmail.objects.get(key=f"reliability-decided:{record.pk}")
    assert email.to == candidate.email or email.to == candidate.user.email
    assert email.language == "fi"  # in the person's language
    assert "ei enää huomioida" in email.body and "Confirmed" in email.body


def test_an_upheld_record_keeps_counting(queued_tasks):
    candidate = f.CandidateUserFactory().candidate
    record = _contested(candidate, "no_show")
    reliability_record_answer(
        record=record, by=f.RecruiterFactory(), answer="The client saw no one", decision="upheld"
    )
    assert _lapses(candidate) == (1, 0)
    assert "merkintä pysyy voimassa" in OutboundEmail.objects.get().body


def test_a_decision_is_required(queued_tasks):
    record = _contested(f.CandidateFactory(), "no_show")
    with pytest.raises(PlacementError):
        reliability_record_answer(record=record, by=f.RecruiterFactory(), answer="x", decision="")


def test_the_recruiter_withdraws_on_the_candidate_page(client, queued_tasks):
    candidate = f.CandidateUserFactory().candidate
    record = _contested(candidate, "no_show")
    client.force_login(f.RecruiterFactory())
    page = client.get(reverse("recruiter_candidate_detail", args=[candidate.pk])).content.decode()
    assert 'value="withdrawn"' in page
    client.post(
        reverse("recruiter_record_answer", args=[record.pk]),
        {"answer": "Sorry, our mistake", "decision": "withdrawn"},
    )
    record.refresh_from_db()
    assert record.decision == "withdrawn"
    page = client.get(reverse("recruiter_candidate_detail", args=[candidate.pk])).content.decode()
    assert "Withdrawn" in page
    client.force_login(candidate.user)
    page = client.get(reverse("candidate_visibility")).content.decode()
    assert "it no longer counts when we match you to work" in page
