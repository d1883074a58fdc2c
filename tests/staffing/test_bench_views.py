"""Bench coverage heatmap and a profile's bench: what recruiters read, and the refresh button."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from candidates.availability import DayPart
from staffing.coverage import heat_level
from staffing.models import AuditEvent, Bench, BenchEntry
from staffing.services.bench import bench_refresh
from staffing.services.pool import pool_reset
from tests import factories as f

pytestmark = pytest.mark.django_db


def _coverage(counts_for) -> dict[str, list[int]]:
    """Stored coverage for the next 14 days; `counts_for(date)` gives [morning, day, evening]."""
    today = timezone.localdate()
    days = [today + dt.timedelta(days=i) for i in range(14)]
    return {d.isoformat(): counts_for(d) for d in days}


def _saturday_evening_thin(day: dt.date) -> list[int]:
    return [8, 12, 2] if day.weekday() == 5 else [8, 12, 5]


@pytest.fixture
def recruiter_client(client):
    client.force_login(f.RecruiterFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def kamppi():
    profile = f.ServiceProfileFactory(
        name="Weekend cashiers", site__company__name="Kotimarket", site__name="Kamppi"
    )
    Bench.objects.create(
        profile=profile,
        rules_version="test",
        refreshed_at=timezone.now(),
        ready_count=14,
        coverage=_coverage(_saturday_evening_thin),
    )
    return profile


@pytest.fixture
def refresh_calls(monkeypatch):
    """Profile ids the bench refresh task was queued with (the broker is not involved)."""
    from staffing.celery import app

    calls: list[int] = []

    def send_task(name, args=(), **kwargs):
        if name == "staffing.tasks.refresh_bench":
            calls.append(args[0])

    monkeypatch.setattr(app, "send_task", send_task)
    return calls


def test_heat_levels_follow_the_wanted_number():
    assert [heat_level(n, 5) for n in (None, 0, 1, 4, 5, 9, 10)] == [None, 0, 1, 1, 2, 2, 3]


def test_coverage_lists_thin_spots_above_the_heatmap(recruiter_client, kamppi):
    response = recruiter_client.get(reverse("bench_coverage"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kotimarket Kamppi – Saturday evening (2 ready, want 5)" in body
    assert body.index('id="thin-spots"') < body.index('id="bench-heatmap"')
    heatmap = response.context["heatmap"]
    (spot,) = heatmap.thin_spots
    assert spot.cell.day.weekday() == 5 and spot.cell.part == DayPart.EVENING
    (row,) = heatmap.rows
    assert len(row.cells) == 7 * 3
    assert [c.count for c in row.cells[:3]] == _saturday_evening_thin(timezone.localdate())
    assert body.count(" thin") >= 1 and 'class="heat heat-1 thin' in body
    assert reverse("bench_detail", args=[kamppi.pk]) in body


def test_a_profile_without_a_bench_is_unknown_not_thin(recruiter_client, kamppi):
    f.ServiceProfileFactory(name="Brand new desk", site=kamppi.site)
    heatmap = recruiter_client.get(reverse("bench_coverage")).context["heatmap"]
    new = next(r for r in heatmap.rows if r.profile == "Brand new desk")
    assert not new.computed
    assert {c.level for c in new.cells} == {None}
    assert len(heatmap.thin_spots) == 1


def test_coverage_filters_by_client_and_groups_by_client(recruiter_client, kamppi):
    other = f.ServiceProfileFactory(name="Helpdesk", site__company__name="Alpha Asiakaspalvelu")
    all_groups = recruiter_client.get(reverse("bench_coverage")).context["heatmap"].groups
    assert [company for company, _ in all_groups] == ["Alpha Asiakaspalvelu", "Kotimarket"]
    response = recruiter_client.get(reverse("bench_coverage"), {"company": other.company_id})
    assert [r.profile for r in response.context["heatmap"].rows] == ["Helpdesk"]
    assert "Weekend cashiers" not in response.content.decode()


def test_inactive_profiles_are_left_out(recruiter_client, kamppi):
    kamppi.is_active = False
    kamppi.save()
    assert recruiter_client.get(reverse("bench_coverage")).context["heatmap"].rows == []
    assert recruiter_client.get(reverse("bench_detail", args=[kamppi.pk])).status_code == 404


def test_detail_shows_the_ranked_bench_with_explanations(recruiter_client, kamppi):
    bench = kamppi.bench
    person = f.CandidateFactory(first_name="Aino", last_name="Virtanen")
    BenchEntry.objects.create(
        bench=bench,
        candidate=person,
        rank=1,
        score=71.5,
        shifts_available=2,
        explanation={"passed": ["matchable"], "factors": [], "score": 71.5},
    )
    response = recruiter_client.get(reverse("bench_detail", args=[kamppi.pk]))
    body = response.content.decode()
    assert "Aino Virtanen" in body
    assert "✓ Active and consents to matching" in body
    assert "Score: 71.5" in body
    assert "free for 2 typical shifts" in body
    assert 'id="bench-refreshed"' in body and "Refreshed" in body
    assert "Refresh now" in body


def test_detail_of_an_unknown_profile_is_404(recruiter_client):
    assert recruiter_client.get(reverse("bench_detail", args=[999999])).status_code == 404


def test_get_never_queues_a_refresh(recruiter_client, kamppi, refresh_calls):
    refreshed_at = kamppi.bench.refreshed_at
    with_callbacks = recruiter_client.get(reverse("bench_detail", args=[kamppi.pk]))
    assert with_callbacks.status_code == 200
    recruiter_client.get(reverse("bench_coverage"))
    assert refresh_calls == []
    assert not AuditEvent.objects.filter(action="bench.refresh_requested").exists()
    assert Bench.objects.get(pk=kamppi.bench.pk).refreshed_at == refreshed_at


def test_refresh_now_queues_the_task_once_committed(
    recruiter_client, kamppi, refresh_calls, django_capture_on_commit_callbacks
):
    url = reverse("bench_detail", args=[kamppi.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = recruiter_client.post(url)
    assert response.status_code == 302 and response.url == url
    assert refresh_calls == []  # nothing is queued before the transaction commits
    for callback in callbacks:
        callback()
    assert refresh_calls == [kamppi.pk]
    event = AuditEvent.objects.get(action="bench.refresh_requested")
    assert (event.target_type, event.target_id) == ("clients.serviceprofile", kamppi.pk)


@pytest.mark.parametrize("role", ["manager", "candidate"])
def test_refresh_is_for_recruiters_only(client, kamppi, refresh_calls, role):
    user = f.ClientManagerFactory(company=kamppi.company) if role == "manager" else None
    client.force_login(user or f.CandidateUserFactory())
    assert client.post(reverse("bench_detail", args=[kamppi.pk])).status_code == 403
    assert refresh_calls == []


def test_detail_after_a_real_refresh(recruiter_client):
    """The engine's own bench: people ready for a Saturday shift, each with its explanation."""
    pool_reset()
    try:
        profile = f.ServiceProfileFactory(name="Saturday floor")
        f.TypicalShiftFactory(profile=profile, weekday=5)
        f.ProfileLanguageFactory(profile=profile, language="fi", level=4)
        for name in ("Aino", "Eero", "Helmi"):
            person = f.CandidateFactory(first_name=name, last_name="Test")
            f.CandidateLanguageFactory(candidate=person, language="fi", level=6)
        f.CandidateFactory(first_name="Nobody", last_name="Finnish")
        bench = bench_refresh(profile_id=profile.pk)
    finally:
        pool_reset()
    assert bench is not None and bench.ready_count == 3
    response = recruiter_client.get(reverse("bench_detail", args=[profile.pk]))
    body = response.content.decode()
    for name in ("Aino Test", "Eero Test", "Helmi Test"):
        assert name in body
    assert "Nobody Finnish" not in body
    assert "Speaks every required language at the required level" in body
    row = response.context["heatmap"].rows[0]
    assert row.computed and all(c.count is not None for c in row.cells)
