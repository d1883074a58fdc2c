"""A request accepted by the web server gets its shortlist even if Redis was down then."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from staffing import tasks
from staffing.models import StaffingRequest
from staffing.services.requests import staffing_request_submit
from tests import factories as f

pytestmark = pytest.mark.django_db


def _submit(manager, profile) -> StaffingRequest:
    start = timezone.now() + dt.timedelta(days=1)
    return staffing_request_submit(
        by=manager,
        site=profile.site,
        service_profile=profile,
        urgency="urgent",
        headcount=1,
        shifts=[(start, start + dt.timedelta(hours=4))],
    )


def test_broker_down_keeps_the_request_and_the_sweep_queues_it_again(
    request, django_capture_on_commit_callbacks
):
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)

    request.getfixturevalue("broker_down")
    with django_capture_on_commit_callbacks(execute=True):
        staffing_request = _submit(manager, profile)
    staffing_request.refresh_from_db()
    assert staffing_request.status == StaffingRequest.Status.RECEIVED

    queued = request.getfixturevalue("queued_tasks")
    StaffingRequest.objects.filter(pk=staffing_request.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert tasks.sweep_unmatched_requests() == 1
    assert queued == [("staffing.tasks.match_request", (staffing_request.pk,))]


def test_the_sweep_leaves_fresh_and_matched_requests_alone(queued_tasks):
    queued = queued_tasks
    f.StaffingRequestFactory()  # just arrived: its own on-commit hook is queueing it
    old_matched = f.StaffingRequestFactory(status=StaffingRequest.Status.SHORTLISTED)
    StaffingRequest.objects.filter(pk=old_matched.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert tasks.sweep_unmatched_requests() == 0
    assert queued == []


def test_matching_twice_stores_one_shortlist():
    """Tasks are idempotent: a duplicate delivery finds the request already matched."""
    request = f.StaffingRequestFactory()
    f.ShiftFactory(request=request)
    assert tasks.match_request(request.pk) is not None
    assert tasks.match_request(request.pk) is None
    assert request.shortlists.count() == 1


def test_a_vanished_request_is_ignored():
    assert tasks.match_request(987654321) is None


def test_a_consent_change_commits_even_when_the_broker_is_down(
    broker_down, django_capture_on_commit_callbacks
):
    """Every enqueue goes through `task_enqueue`: the bench refresh is left to the bench sweep,
    never turned into an error after the person's change was saved."""
    from candidates.services.consent import consent_withdraw

    user = f.CandidateUserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(candidate=user.candidate, by=user, purpose="matching")
    user.candidate.refresh_from_db()
    assert user.candidate.matching_consent is False
