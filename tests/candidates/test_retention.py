"""Retention across its periods (short ones, set in the test): leaving the pool, the renewal
request, the erasure; with and without the person coming back; and the admin's page saying
beforehand what the sweep will do and afterwards what it did."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate, CandidateActivity, RetentionRun
from candidates.services.activity import activity_record
from candidates.services.retention import retention_counts, retention_forecast
from staffing.models import User
from staffing.services.personal_data.retention_sweep import retention_sweep
from tests import factories as f

pytestmark = pytest.mark.django_db

POOL, INACTIVE, RENEWAL = 5, 20, 7
START = timezone.now()


def day(n: float) -> dt.datetime:
    return START + dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def _short_periods(settings):
    settings.RETENTION_POOL_DAYS = POOL
    settings.RETENTION_INACTIVE_DAYS = INACTIVE
    settings.RETENTION_RENEWAL_DAYS = RENEWAL


@pytest.fixture
def person():
    candidate = f.CandidateUserFactory().candidate
    CandidateActivity.objects.create(candidate=candidate, last_seen_at=START)
    return candidate


def _status(candidate: Candidate) -> str:
    candidate.refresh_from_db()
    return candidate.status


def test_without_activity_the_sweep_pauses_asks_and_erases_each_after_its_period(person):
    assert retention_sweep(now=day(POOL - 0.1)) == {"paused": 0, "asked": 0, "erased": 0}
    assert retention_sweep(now=day(POOL + 0.1))["paused"] == 1
    assert _status(person) == Candidate.Status.INACTIVE
    assert retention_sweep(now=day(INACTIVE - 0.1))["asked"] == 0
    assert retention_sweep(now=day(INACTIVE + 0.1))["asked"] == 1
    assert len(mail.outbox) == 1
    assert retention_sweep(now=day(INACTIVE + 0.2))["asked"] == 0  # asked once
    assert retention_sweep(now=day(INACTIVE + RENEWAL))["erased"] == 0  # not yet over
    assert retention_sweep(now=day(INACTIVE + RENEWAL + 0.2))["erased"] == 1
    assert _status(person) == Candidate.Status.ERASED
    assert retention_sweep(now=day(INACTIVE + RENEWAL + 5)) == {
        "paused": 0,
        "asked": 0,
        "erased": 0,
    }
    assert RetentionRun.objects.count() == 8
    assert sum(r.erased for r in RetentionRun.objects.all()) == 1


def test_coming_back_after_the_request_restarts_the_clock(person):
    retention_sweep(now=day(INACTIVE + 0.1))
    activity_record(candidate=person, now=day(INACTIVE + 1))  # logs in
    assert retention_sweep(now=day(INACTIVE + RENEWAL + 0.2))["erased"] == 0
    assert _status(person) != Candidate.Status.ERASED
    # Inactive again from the login: asked again a whole period later, not before.
    assert retention_sweep(now=day(2 * INACTIVE + 0.9))["asked"] == 0
    assert retention_sweep(now=day(2 * INACTIVE + 1.1))["asked"] == 1


def test_retention_consent_keeps_the_person_in_the_pool(person):
    from candidates.models import Consent

    Consent.objects.create(candidate=person, purpose="retention", version="v")
    assert retention_sweep(now=day(POOL + 1))["paused"] == 0
    assert _status(person) == Candidate.Status.ACTIVE


def test_forecast_lists_what_the_next_30_days_bring(person):
    someone_active = f.CandidateUserFactory().candidate
    CandidateActivity.objects.create(candidate=someone_active, last_seen_at=day(10))
    steps = retention_forecast(now=day(1), days=30)
    mine = [(s.kind, s.due.date()) for s in steps if s.candidate_id == person.pk]
    assert mine == [
        ("pause", day(POOL).date()),
        ("ask", day(INACTIVE).date()),
        ("erase", day(INACTIVE + RENEWAL).date()),
    ]
    # The other person leaves the pool on day 15 and is asked on day 30, inside the window too.
    assert retention_counts(steps) == {"pause": 2, "ask": 2, "erase": 1}
    # What it foretold is what the sweep does, on those days.
    assert retention_sweep(now=day(INACTIVE + 0.1))["asked"] == 1
    assert [
        s.kind for s in retention_forecast(now=day(INACTIVE + 0.2)) if s.candidate_id == person.pk
    ] == ["erase"]


def test_the_retention_page_is_for_agency_admins(client, person):
    retention_sweep(now=day(POOL + 0.1))
    admin = f.UserFactory(role=User.Role.ADMIN)
    client.force_login(f.RecruiterFactory())
    assert client.get(reverse("agency_retention")).status_code == 403
    client.force_login(admin)
    page = client.get(reverse("agency_retention")).content.decode()
    assert 'data-count="erase"' in page and f"#{person.pk}" in page
    assert "retention-runs" in page and RetentionRun.objects.count() == 1


def _due_for_erasure(n: int) -> list[Candidate]:
    people = []
    for _i in range(n):
        candidate = f.CandidateUserFactory().candidate
        CandidateActivity.objects.create(
            candidate=candidate, last_seen_at=START, renewal_requested_at=day(INACTIVE)
        )
        people.append(candidate)
    return people


def test_the_sweep_erases_in_batches_and_records_the_run_as_it_goes(monkeypatch):
    from staffing.services.personal_data import retention_sweep as reminders

    people = _due_for_erasure(5)
    batches, seen = [], []
    real = reminders.candidates_erase

    def erase(*, candidate_ids, by):
        batches.append(list(candidate_ids))
        run = RetentionRun.objects.get()
        seen.append((run.erased, run.finished_at))  # the row exists before the erasures
        return real(candidate_ids=candidate_ids, by=by)

    monkeypatch.setattr(reminders, "candidates_erase", erase)
    result = retention_sweep(now=day(INACTIVE + RENEWAL + 1), batch_size=2)

    assert result["erased"] == 5
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [erased for erased, _finished in seen] == [0, 2, 4]  # counted batch by batch
    assert all(finished is None for _erased, finished in seen)
    run = RetentionRun.objects.get()
    assert run.erased == 5 and run.finished_at is not None
    assert all(_status(p) == Candidate.Status.ERASED for p in people)


def test_the_sweep_stops_before_its_time_budget_and_the_next_run_goes_on(monkeypatch):
    from staffing.services.personal_data import retention_sweep as reminders

    _due_for_erasure(5)
    clock = iter(range(0, 10_000, 100))  # every reading of the clock is 100 s later
    monkeypatch.setattr(reminders, "_clock", lambda: float(next(clock)))

    first = retention_sweep(now=day(INACTIVE + RENEWAL + 1), batch_size=2, budget_seconds=450)
    # Started at 0; batch 1 at 100 (takes 100 s), batch 2 at 300: 300 + 100 <= 450; batch 3
    # at 500 would end after the budget, so the run stops cleanly.
    assert first["erased"] == 4
    assert RetentionRun.objects.get().finished_at is not None
    second = retention_sweep(now=day(INACTIVE + RENEWAL + 2), batch_size=2)
    assert second["erased"] == 1
    assert Candidate.objects.exclude(status=Candidate.Status.ERASED).count() == 0


def test_the_finnish_retention_page_tells_leaving_the_pool_from_erasure(client, person):
    retention_sweep(now=day(POOL + 0.1))
    client.force_login(f.UserFactory(role=User.Role.ADMIN))
    page = client.get(reverse("agency_retention"), HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "henkilö poistuu ehdokasjoukosta" in page and "poistetaan pysyvästi" in page
    assert "poistaa ihmiset" not in page  # "poistaa" was used for both
    assert "Poistettu pysyvästi" in page  # the runs' erasure column
