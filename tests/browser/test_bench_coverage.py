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
    expect(page.locator("#coverage-gaps")).to_be_visible()
    expect(page.locator("#bench-heatmap")).not_to_be_visible()  # the numbers wait behind a click
    page.click("#coverage-numbers > summary")
    heatmap = page.locator("#bench-heatmap")
    expect(heatmap).to_be_visible()
    expect(page.locator("#thin-spots")).to_contain_text(
        "Kotimarket Kamppi – Saturday evening (2 ready, want 5)"
    )
    expect(heatmap.locator("td.thin").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "bench-coverage-laptop.png", full_page=True)

    page.click(f"#bench-heatmap a[href$='/agency/bench/{benches.pk}/']")
    expect(page.locator("#bench-entries details[open]")).to_have_count(0)
    page.locator("#bench-entries summary").first.click()
    expect(page.locator("#bench-entries > li")).to_have_count(3)
    expect(page.locator("#bench-entries")).to_contain_text("Aino Laine")
    expect(page.locator("#bench-entries")).to_contain_text("Distance: +8.50 points")
    page.screenshot(path=screenshot_dir / "bench-detail.png", full_page=True)


def test_the_heatmap_scrolls_sideways_on_a_phone(page, live_server, benches, screenshot_dir):
    recruiter = f.RecruiterFactory(email="bench-phone@example.fi")
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    page.goto(f"{live_server.url}/agency/bench/")
    page.click("#coverage-numbers > summary")
    scroller = page.locator("#bench-heatmap").locator("xpath=..")
    expect(scroller).to_be_visible()
    widths = scroller.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1]  # the table is wider than the phone: it scrolls, not squeezes
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390  # the page itself does not scroll sideways
    page.screenshot(path=screenshot_dir / "bench-coverage-phone.png", full_page=True)


def test_on_the_demo_the_page_leads_with_real_gaps(browser, live_server, screenshot_dir):
    """The demo's history asks for Estonian at Linkki Oulu and Chinese at Iso Omena, which few
    people in the pool speak: those gaps come first, and each opens a search for that gap."""
    from staffing.demo.seed import seed_demo
    from staffing.services.bench import benches_refresh_all
    from staffing.services.pool import pool_reset

    seed_demo(candidates=300)
    pool_reset()
    benches_refresh_all()
    recruiter = f.RecruiterFactory(email="demo-bench@example.fi")
    for viewport, name in (
        ({"width": 1400, "height": 900}, "desktop"),
        ({"width": 390, "height": 844}, "phone"),
    ):
        context = browser.new_context(viewport=viewport, locale="en-GB")
        page = context.new_page()
        browser_login(page, live_server, recruiter.email, f.PASSWORD)
        page.goto(f"{live_server.url}/agency/bench/")
        rows = page.locator("#gap-table tbody tr")
        expect(rows.first).to_be_visible()
        expect(rows.first).to_contain_text("0 of")  # nobody ready: the worst gap leads
        # The planted thin spots (Estonian, Chinese) or the Swedish-speaking client's new shops
        # in Vasa and Borgå, where the pool is thin.
        assert rows.first.get_attribute("data-language") in ("et", "zh", "sv", "fi")
        page.screenshot(path=screenshot_dir / f"bench-gaps-{name}.png", full_page=True)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
        context.close()
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    page.goto(f"{live_server.url}/agency/bench/")
    first = page.locator("#gap-table tbody tr").first
    language = first.get_attribute("data-language")
    with page.expect_navigation():
        first.locator("a.btn").click()
    assert "/agency/candidates/" in page.url and f"language={language}" in page.url
    page.screenshot(path=screenshot_dir / "bench-gap-search.png", full_page=True)
