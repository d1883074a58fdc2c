"""In a real Chromium: a recruiter searches the pool for Swedish C1, evenings, within 15 km of
Kamppi, sees the one person who fits, and opens their page; the page also fits a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from candidates.availability import DayPart, bit
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_recruiter_searches_and_opens_a_person(page, live_server, screenshot_dir):
    evenings = sum(bit(d, DayPart.EVENING) for d in range(7))
    aino = f.CandidateFactory(first_name="Aino", last_name="Virtanen", availability=evenings)
    f.CandidateLanguageFactory(candidate=aino, language="sv", level=5)
    far = f.CandidateFactory(
        first_name="Mikko", last_name="Korhonen", latitude=61.4991, longitude=23.7871
    )
    f.CandidateLanguageFactory(candidate=far, language="sv", level=6)
    recruiter = f.RecruiterFactory()
    page.set_viewport_size({"width": 1400, "height": 900})
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    page.goto(f"{live_server.url}/agency/candidates/")
    page.select_option("#f-language", "sv")
    page.select_option("#f-language-level", "5")
    page.select_option("#f-part", "2")
    page.fill("#f-postal", "00100")
    page.fill("#f-km", "15")
    page.click("#candidate-search button[type=submit]")
    page.wait_for_url(lambda url: "km=15" in url)
    results = page.locator("#candidate-results tbody tr")
    expect(results).to_have_count(1)
    expect(page.locator("#result-count")).to_contain_text("1")
    page.screenshot(path=screenshot_dir / "candidate-search-1400.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / "candidate-search-390.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.click("text=Aino Virtanen")
    page.wait_for_url(lambda url: f"/agency/candidates/{aino.pk}/" in url)
    expect(page.locator("h1")).to_contain_text("Aino")
