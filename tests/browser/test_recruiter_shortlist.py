"""The recruiter's request page with a full shortlist (50 people): one compact row each, the full
explanation behind a toggle, and curation that asks for the reason before it sends a change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from staffing.models import ShortlistEdit
from staffing.services.matching import shortlist_build
from staffing.services.pool import pool_reset
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def full_shortlist():
    """A request with 60 people who fit (50 are shortlisted) and a few one requirement short."""
    profile = f.ServiceProfileFactory(name="Weekend sales floor")
    req = f.StaffingRequestFactory(service_profile=profile, headcount=2)
    f.ShiftFactory(request=req)
    f.RequestLanguageFactory(request=req, language="fi", level=4, reason="Customers")
    f.RequestLanguageFactory(request=req, language="en", level=3, reason="Tourists")
    till, upsell = f.SkillFactory(code="till"), f.SkillFactory(code="upselling")
    req.required_skills.add(till)
    req.preferred_skills.add(upsell)
    for i in range(66):
        person = f.CandidateFactory(latitude=60.17 + i * 0.002, longitude=24.94 + i * 0.003)
        f.CandidateLanguageFactory(candidate=person, language="fi", level=6 if i % 3 else 4)
        # Every eleventh person speaks too little English: a near miss.
        f.CandidateLanguageFactory(candidate=person, language="en", level=2 if i % 11 == 5 else 4)
        if i % 2 == 0:
            f.CandidateLanguageFactory(candidate=person, language="sv", level=3)
        if i % 4 != 3:
            f.AssessmentFactory(candidate=person, service_attitude=5 - i % 3, sales=2 + i % 4)
        f.CandidateSkillFactory(candidate=person, skill=till, level=1 + i % 3)
        if i % 3 == 0:
            f.CandidateSkillFactory(candidate=person, skill=upsell)
    pool_reset()
    shortlist = shortlist_build(request_id=req.pk)
    pool_reset()
    return {"req": req, "shortlist": shortlist, "recruiter": f.RecruiterFactory()}


def test_fifty_entries_are_compact_rows_with_details_and_reasoned_changes(
    browser, live_server, full_shortlist, screenshot_dir
):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    browser_login(page, live_server, full_shortlist["recruiter"].email, f.PASSWORD)
    page.goto(f"{live_server.url}/agency/requests/{full_shortlist['req'].pk}/")

    rows = page.locator("#shortlist-entries > li[data-candidate]")
    # The first twenty rows come with the page; the rest when asked for.
    expect(rows).to_have_count(20)
    page.locator("#shortlist-more button").click()
    expect(rows).to_have_count(50)
    expect(page.locator("#shortlist-more")).to_have_count(0)
    expect(page.locator("#near-misses > li[data-near-miss]")).not_to_have_count(0)
    page.screenshot(path=screenshot_dir / "recruiter-shortlist-50.png")
    page.screenshot(path=screenshot_dir / "recruiter-shortlist-50-full.png", full_page=True)
    page.locator("#near-misses").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "recruiter-shortlist-near-misses.png")
    # Fifty people (with the near misses and the offers panel) in five screens, not thirty.
    assert page.evaluate("document.documentElement.scrollHeight") < 5 * 900

    second = rows.nth(1)
    expect(second.locator(".explanation")).to_be_hidden()
    second.locator(".sl-toggle").click()
    expect(second.locator(".sl-detail")).to_have_class(
        re.compile(r"(?=.*\bcollapse\b)(?=.*\bshow\b)")
    )
    expect(second.locator(".explanation")).to_be_visible()
    expect(second.locator(".sl-passed li").first).to_contain_text("Active")
    expect(second.locator(".sl-factors tbody tr")).not_to_have_count(0)
    page.screenshot(path=screenshot_dir / "recruiter-shortlist-details.png")

    # The arrows sit beside the reason in a person's details; moving without a reason asks for
    # it, and nothing is sent.
    third = rows.nth(2)
    moved = third.get_attribute("data-candidate")
    third.locator(".sl-toggle").click()
    third.locator("button[value=up]").click()
    reason = third.locator("input[name=reason]")
    expect(reason).to_be_visible()
    expect(reason).to_be_focused()
    expect(reason).to_have_class(re.compile("is-invalid"))
    assert not ShortlistEdit.objects.exists()

    reason.fill("Knows this store well")
    third.locator("button[value=up]").click()
    expect(rows.nth(1)).to_have_attribute("data-candidate", moved)
    edit = ShortlistEdit.objects.get()
    assert (edit.action, edit.reason, edit.to_rank) == ("move_up", "Knows this store well", 2)
    context.close()
