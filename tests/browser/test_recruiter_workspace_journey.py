"""In a real Chromium, with the real worker: a recruiter searches, opens a person, records an
interview, adds a note and a task, puts the person in a client's talent pool, and sees them
rise on that client's bench within seconds (the pool's explained factor)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from candidates.models import CandidateNote, CandidateTask
from staffing.base.queueing import task_enqueue
from staffing.models import BenchEntry
from tests import factories as f
from tests.conftest import browser_login, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.worker,
]

# Jyväskylä: no other worker test puts people here, and the worker's pool outlives their data.
FORUM = {"latitude": 62.2426, "longitude": 25.7473}


def _bench_order(profile_id: int) -> list[int]:
    return list(
        BenchEntry.objects.filter(bench__profile_id=profile_id)
        .order_by("rank")
        .values_list("candidate_id", flat=True)
    )


def test_recruiter_assesses_notes_pools_and_sees_the_bench_rise(
    browser, live_server, celery_worker_process, screenshot_dir
):
    site = f.SiteFactory(
        name="Forum", city="Jyväskylä", postal_code="40100", company__name="Kotimarket", **FORUM
    )
    profile = f.ServiceProfileFactory(name="Forum weekends", site=site, role_type="retail")
    f.ProfileLanguageFactory(profile=profile, language="fi", level=4)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    f.TypicalShiftFactory(
        profile=profile, weekday=tomorrow.weekday(), start_time=dt.time(10), end_time=dt.time(16)
    )
    # Aaro's earlier interview was excellent; Saga is about to be interviewed (well, not as well).
    aaro = f.CandidateFactory(first_name="Aaro", last_name="Aalto", postal_code="40100", **FORUM)
    saga = f.CandidateFactory(
        first_name="Saga", last_name="Lindqvist", postal_code="40100", **FORUM
    )
    for person in (aaro, saga):
        f.CandidateLanguageFactory(candidate=person, language="fi", level=6)
    f.AssessmentFactory(candidate=aaro, service_attitude=5, communication=5, sales=5)
    pool = f.TalentPoolFactory(company=profile.company, name="Forum regulars")
    task_enqueue("staffing.tasks.refresh_bench", profile.pk)
    wait_for(lambda: _bench_order(profile.pk) == [aaro.pk, saga.pk])

    recruiter = f.RecruiterFactory(first_name="Riikka", last_name="Rekry")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    page.click("#language-switch button[value=en]")
    page.click("nav >> text=Candidates")
    page.fill("#f-q", "Lindqvist")
    with page.expect_navigation():
        page.click("#candidate-search button[type=submit]")
    expect(page.locator("#candidate-results tbody tr")).to_have_count(1)
    with page.expect_navigation():
        page.click("#candidate-results >> text=Saga Lindqvist")
    expect(page.locator("h1")).to_contain_text("Saga Lindqvist")

    page.locator("#assessment-form summary").click()
    page.select_option("#id_kind", "interview")
    for area, score in {"service_attitude": 4, "communication": 4, "sales": 3}.items():
        page.check(f"input[name={area}][value='{score}']")
    page.fill("#id_summary", "Warm and calm with an upset customer.")
    with page.expect_navigation():
        page.click("#assessment-form button[type=submit]")
    expect(page.locator("[data-assessment]")).to_have_count(1)

    page.fill("#notes textarea[name=text]", "Prefers weekend shifts near Forum.")
    with page.expect_navigation():
        page.click("#notes button[type=submit]")
    expect(page.locator("#notes [data-note]")).to_contain_text("Prefers weekend shifts")
    page.fill("#tasks input[name=title]", "Call back on Tuesday")
    page.fill("#tasks input[name=due_on]", tomorrow.isoformat())
    with page.expect_navigation():
        page.click("#tasks button[type=submit]")
    expect(page.locator("#tasks [data-task]")).to_contain_text("Call back on Tuesday")
    assert CandidateNote.objects.filter(candidate=saga).exists()
    assert CandidateTask.objects.get(candidate=saga).assignee == recruiter

    page.select_option("#pool-add-person-pool", str(pool.pk))
    with page.expect_navigation():
        page.click("#pool-add-person button[type=submit]")
    expect(page.locator("#talent-pools")).to_contain_text("Forum regulars")
    page.screenshot(path=screenshot_dir / "workspace-candidate-page.png", full_page=True)

    # The worker rebuilds the client's bench: Saga now ranks above Aaro, and it says why.
    started = time.monotonic()
    wait_for(lambda: _bench_order(profile.pk) == [saga.pk, aaro.pk])
    assert time.monotonic() - started < 10
    page.goto(f"{live_server.url}/agency/bench/{profile.pk}/")
    first = page.locator("#bench-entries > li").first
    expect(first).to_contain_text("Saga Lindqvist")
    expect(first).to_contain_text("In the client's talent pool")
    page.screenshot(path=screenshot_dir / "workspace-bench.png", full_page=True)

    page.click("nav >> text=My tasks")
    expect(page.locator("#task-list")).to_contain_text("Call back on Tuesday")
    page.screenshot(path=screenshot_dir / "workspace-my-tasks.png", full_page=True)
    page.click("#nav-more > a")  # the less frequent pages are under "More"
    page.click("nav >> text=Talent pools")
    expect(page.locator("#pool-list")).to_contain_text("1 person")
    page.screenshot(path=screenshot_dir / "workspace-pools.png", full_page=True)

    # The pages built here fit a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (
        (f"/agency/candidates/{saga.pk}/", "candidate"),
        ("/agency/candidates/tasks/", "my-tasks"),
        ("/agency/pools/", "pools"),
        (f"/agency/pools/{pool.pk}/", "pool"),
        ("/agency/candidates/?q=Lindqvist", "search"),
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.screenshot(path=screenshot_dir / f"workspace-{name}-phone.png", full_page=True)
    context.close()
