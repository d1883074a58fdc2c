"""The client's order form on a phone: each language need is language and level side by side,
with the reason full width below, and nothing is squeezed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_language_rows_stack_sensibly_on_a_phone(browser, live_server, screenshot_dir):
    profile = f.ServiceProfileFactory(name="Evening cashiers")
    f.ProfileLanguageFactory(profile=profile, language="fi", level=4)
    f.ProfileLanguageFactory(profile=profile, language="sv", level=3)
    manager = f.ClientManagerFactory(company=profile.company)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    browser_login(page, live_server, manager.email, f.PASSWORD)
    page.goto(f"{live_server.url}/client/requests/new/")

    card = page.locator("#language-card")
    row = card.locator(".language-row").first
    expect(row).to_be_visible()
    card.scroll_into_view_if_needed()
    card.screenshot(path=screenshot_dir / "order-form-languages-phone.png")

    language = row.locator("select[name$=language]").bounding_box()
    level = row.locator("select[name$=level]").bounding_box()
    reason = row.locator("input[name$=reason]").bounding_box()
    # Language and level side by side, on one line ...
    assert abs(language["y"] - level["y"]) < 2
    assert level["x"] > language["x"] + language["width"]
    # ... and the reason below them, as wide as both together.
    assert reason["y"] > language["y"] + language["height"]
    assert reason["width"] > 1.8 * language["width"]
    # No label wraps onto a second line.
    for label in row.locator("label").all():
        box = label.bounding_box()
        assert box["height"] < 30, label.inner_text()
    context.close()
