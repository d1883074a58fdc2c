"""In a real Chromium: a recruiter opens bench coverage, sees the thin spot listed above the
heatmap, follows a profile to its ranked bench; and on a phone the heatmap scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from staffing.models import Bench, BenchEntry
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _coverage(pattern) -> dict[str, list[int]]:
    today = timezone.localdate()
    return {
        (today + dt.timedelta(days=i)).isoformat(): pattern(today + dt.timedelta(days=i))
        for i in range(14)
    }


def _bench(profile, ready: int, pattern) -> Bench:
    return Bench.objects.create(
        profile=profile,
        rules_version="2025.1",
        refreshed_at=timezone.now() - dt.timedelta(minutes=12),
        ready_count=ready,
        coverage=_coverage(pattern),
    )


@pytest.fixture
def benches():
    kamppi = f.ServiceProfileFactory(
        name="Weekend cashiers", site__name="Kamppi", site__company__name="Kotimarket"
    )
    bench = _bench(
        kamppi, 14, lambda d: [9, 12, 2] if d.weekday() == 5 else [9, 12, 6 + d.weekday()]
    )
    for rank, name in enumerate(("Aino", "Eero", "Helmi"), start=1):
        BenchEntry.objects.create(
            bench=bench,
            candidate=f.CandidateFactory(first_name=name, last_name="Laine"),
            rank=rank,
            score=80 - rank * 5,
            shifts_available=3 - rank % 2,
            explanation={
                "passed": ["matchable", "weekly_grid", "language"],
                "factors": [
                    {
                        "code": "assessment",
                        "points": 20.0,
                        "service_attitude": 5,
                        "communication": 4,
                        "sales": 4,
                    },
                    {"code": "distance", "points": 8.5, "km": 3.2},
                ],
                "score": 80 - rank * 5,
                "missing": [{"code": "not_assessed"}] if rank == 3 else [],
            },
        )
    desk = f.ServiceProfileFactory(
        name="Evening helpdesk", site__name="Pasila", site__company__name="Alpha Asiakaspalvelu"
    )
    _bench(desk, 30, lambda d: [0, 4, 11] if d.weekday() >= 5 else [14, 20, 7])
    f.ServiceProfileFactory(name="Morning desk", site=desk.site)  # never built
    return kamppi


def test_recruiter_reads_the_heatmap_and_opens_a_bench(page, live_server, benches, screenshot_dir):
    recruiter = f.RecruiterFactory(email="bench-recruiter@example.fi")
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    page.click("#language-switch button[value=en]")
    page.click("nav >> text=Bench")
    heatmap = page.locator("#bench-heatmap")
    expect(heatmap).to_be_visible()
    expect(page.locator("#thin-spots")).to_contain_text(
        "Kotimarket Kamppi – Saturday evening (2 ready, want 5)"
    )
    expect(heatmap.locator("td.thin").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "bench-coverage-laptop.png", full_page=True)

    page.click(f"#bench-heatmap a[href$='/agency/bench/{benches.pk}/']")
    expect(page.locator("#bench-entries > li")).to_have_count(3)
    expect(page.locator("#bench-entries")).to_contain_text("Aino Laine")
    expect(page.locator("#bench-entries")).to_contain_text("Distance: +8.50 points")
    page.screenshot(path=screenshot_dir / "bench-detail.png", full_page=True)


def test_the_heatmap_scrolls_sideways_on_a_phone(page, live_server, benches, screenshot_dir):
    recruiter = f.RecruiterFactory(email="bench-phone@example.fi")
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    page.goto(f"{live_server.url}/agency/bench/")
    scroller = page.locator("#bench-heatmap").locator("xpath=..")
    expect(scroller).to_be_visible()
    widths = scroller.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1]  # the table is wider than the phone: it scrolls, not squeezes
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390  # the page itself does not scroll sideways
    page.screenshot(path=screenshot_dir / "bench-coverage-phone.png", full_page=True)


def test_service_levels_draw_a_chart_and_a_table(page, live_server, benches, screenshot_dir):
    from staffing.models import StaffingRequest

    status = StaffingRequest.Status
    now = timezone.now()
    plan = [  # (profile, days ago, status, seconds to shortlist, seconds to filled)
        (benches, 2, status.FILLED, 40, 5400),
        (benches, 3, status.FILLED, 75, 16200),
        (benches, 6, status.OFFERING, 50, None),
        (benches.company.service_profiles.first(), 8, status.CANCELLED, None, None),
    ]
    desk = f.ServiceProfileFactory(site__company__name="Alpha Asiakaspalvelu")
    plan += [(desk, 1, status.FILLED, 20, 2700), (desk, 4, status.FILLED, 35, 4000)]
    for profile, days, state, to_short, to_fill in plan:
        req = f.StaffingRequestFactory(service_profile=profile, status=state)
        created = now - dt.timedelta(days=days)
        StaffingRequest.objects.filter(pk=req.pk).update(
            created_at=created,
            shortlisted_at=created + dt.timedelta(seconds=to_short) if to_short else None,
            filled_at=created + dt.timedelta(seconds=to_fill) if to_fill else None,
        )
    recruiter = f.RecruiterFactory(email="levels-recruiter@example.fi")
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    page.goto(f"{live_server.url}/agency/service-levels/")
    expect(page.locator("#service-level-charts svg")).to_have_count(3)
    expect(page.locator("#service-level-charts rect.bar").first).to_be_visible()
    expect(page.locator("#service-level-table tbody tr")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "service-levels.png", full_page=True)
