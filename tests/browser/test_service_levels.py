"""In a real Chromium on the demo data: the service-levels page shows 12 weeks of trend charts
with their tables to a recruiter on a laptop and to a client manager on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from staffing.demo.seed import DEMO_PASSWORD, seed_demo
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def demo():
    seed_demo(candidates=150)


def _open(browser, live_server, email, password, viewport):
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    browser_login(page, live_server, email, password)
    return page


def _twelve_weeks_drawn(page) -> None:
    panels = page.locator(".kpi-panel")
    expect(panels).to_have_count(6)
    for i in range(6):
        panel = panels.nth(i)
        expect(panel.locator("tbody tr")).to_have_count(12)
        # The demo has requests in every week: every week of the request charts has a point.
        if panel.get_attribute("data-kpi") in ("fill_time", "fill_rate"):
            expect(panel.locator("svg circle")).to_have_count(12)


def test_twelve_weeks_on_a_laptop_and_on_a_phone(browser, live_server, demo, screenshot_dir):
    recruiter = f.RecruiterFactory(email="levels@example.fi")
    page = _open(browser, live_server, recruiter.email, f.PASSWORD, {"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/agency/service-levels/")
    _twelve_weeks_drawn(page)
    # One row per demo client (four with history, and the Swedish-speaking one).
    expect(page.locator("#service-level-table tbody tr")).to_have_count(5)
    page.screenshot(path=str(screenshot_dir / "service-levels-desktop.png"), full_page=True)
    page.select_option("select[name=by]", "site")
    page.wait_for_url("**by=site**")
    page.select_option("select[name=group]", label="Kotimarket Kamppi")
    page.wait_for_url("**group=**")
    expect(page.locator(".kpi-panel").first.locator("svg g")).to_have_count(2)
    page.screenshot(path=str(screenshot_dir / "service-levels-kamppi.png"), full_page=True)

    phone = _open(
        browser, live_server, "esimies@demo.fi", DEMO_PASSWORD, {"width": 390, "height": 844}
    )
    phone.goto(f"{live_server.url}/client/service-levels/")
    _twelve_weeks_drawn(phone)
    expect(phone.locator("#service-level-table")).not_to_contain_text("Linkki")
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, width
    phone.screenshot(path=str(screenshot_dir / "service-levels-phone.png"), full_page=True)
