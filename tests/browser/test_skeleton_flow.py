"""In a real Chromium: each role logs in to its home; a client manager submits a request and sees
the shortlist appear without reloading; the recruiter sees it ranked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def demo_world():
    profile = f.ServiceProfileFactory(name="Evening cashiers")
    f.ProfileLanguageFactory(profile=profile, language="fi", level=4)
    manager = f.ClientManagerFactory(company=profile.company, email="manager@example.fi")
    for i in range(3):
        cand = f.CandidateFactory(first_name=f"Aino{i}")
        f.CandidateLanguageFactory(candidate=cand, language="fi", level=6)
        f.AssessmentFactory(candidate=cand, service_attitude=3 + i % 3)
    return {
        "manager": manager,
        "recruiter": f.RecruiterFactory(email="recruiter@example.fi"),
        "candidate": f.CandidateUserFactory(email="candidate@example.fi"),
    }


def test_each_role_lands_on_its_home(page, live_server, demo_world):
    homes = {"recruiter": "/agency/requests/", "manager": "/client/requests/", "candidate": "/me/"}
    for role, path in homes.items():
        browser_login(page, live_server, demo_world[role].email, f.PASSWORD)
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        page.context.clear_cookies()


def test_submit_and_watch_the_shortlist_appear(
    page, live_server, demo_world, celery_worker_process, screenshot_dir
):
    browser_login(page, live_server, demo_world["manager"].email, f.PASSWORD)
    page.goto(f"{live_server.url}/client/requests/new/")
    page.fill("input[name=headcount]", "2")
    page.screenshot(path=screenshot_dir / "skeleton-1-form.png", full_page=True)
    page.click("main button[type=submit]")
    expect(page.locator("#request-status")).to_be_visible()
    # The status part updates by itself (htmx), from received to shortlist ready.
    expect(page.locator("[data-status]")).to_have_attribute(
        "data-status", "shortlisted", timeout=20_000
    )
    page.screenshot(path=screenshot_dir / "skeleton-2-status.png", full_page=True)
    request_url = page.url

    page.context.clear_cookies()
    browser_login(page, live_server, demo_world["recruiter"].email, f.PASSWORD)
    request_id = request_url.rstrip("/").split("/")[-1]
    expect(page.locator(f"tr[data-request='{request_id}']")).to_be_visible()
    page.click(f"tr[data-request='{request_id}'] a >> nth=0")
    expect(page.locator("#shortlist-entries > li[data-candidate]")).to_have_count(3)
    page.screenshot(path=screenshot_dir / "skeleton-3-shortlist.png", full_page=True)
