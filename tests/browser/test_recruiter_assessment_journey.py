"""The recruiter opens a person, records an interview and a Swedish language check on the
anchored scales, and sees the verified level on the page; on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from candidates.languages import CEFRLevel
from candidates.models import Assessment
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1400, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_recruiter_records_an_interview_and_a_swedish_check(
    browser, live_server, screenshot_dir, device
):
    person = f.CandidateFactory(first_name="Saga", last_name="Lindqvist")
    f.CandidateLanguageFactory(candidate=person, language="sv", level=CEFRLevel.B1)
    recruiter = f.RecruiterFactory()
    context = browser.new_context(**VIEWPORTS[device], locale="en-GB")
    page = context.new_page()
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    page.goto(f"{live_server.url}/agency/candidates/{person.pk}/")
    expect(page.locator("h1")).to_contain_text("Saga Lindqvist")
    page.screenshot(path=screenshot_dir / f"candidate-page-{device}.png", full_page=True)

    def record(kind: str, scores: dict[str, int], language: str = "", level: str = "") -> None:
        form = page.locator("#assessment-form")
        if form.get_attribute("open") is None:
            form.locator("summary").click()
        page.select_option("#id_kind", kind)
        for area, score in scores.items():
            page.check(f"input[name={area}][value='{score}']")
        if language:
            page.select_option("#id_language_checked", language)
            page.select_option("#id_language_level_verified", level)
        page.check("#id_evenings_weekends_confirmed")
        page.fill("#id_summary", "Calm, warm and clear.")
        with page.expect_navigation():
            page.click("#assessment-form button[type=submit]")

    record("interview", {"service_attitude": 5, "communication": 4, "sales": 3, "calming": 4})
    expect(page.locator("[data-assessment]")).to_have_count(1)
    expect(page.locator("[data-assessment]").first).to_contain_text("Interview")
    record(
        "language_check",
        {"service_attitude": 4, "communication": 4, "sales": 3},
        language="sv",
        level=str(CEFRLevel.C1.value),
    )
    expect(page.locator("[data-assessment]")).to_have_count(2)
    expect(page.locator('#languages [data-language="sv"]')).to_contain_text("C1 verified")
    assert Assessment.objects.filter(candidate=person, language_level_verified=5).exists()
    page.locator("#assessment-form summary").click()
    page.screenshot(path=screenshot_dir / f"candidate-assessed-{device}.png", full_page=True)
    # Nothing wider than the screen on a phone.
    assert (
        page.evaluate("document.documentElement.scrollWidth")
        <= VIEWPORTS[device]["viewport"]["width"]
    )
    context.close()
