"""The client's order form on a phone: the first screen holds everything an order needs and the
send button; each language need behind "more" is language and level side by side, with the
reason full width below, and nothing is squeezed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from staffing.models import StaffingRequest
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def test_a_swedish_speaking_manager_orders_in_one_screen(browser, live_server, screenshot_dir):
    company = f.ClientCompanyFactory(name="Kotimarket Oy")
    kamppi = f.SiteFactory(company=company, name="Kotimarket Kamppi")
    f.ServiceProfileFactory(site=kamppi, company=company, name="Kotimarket Kamppi: Kassa")
    pasila = f.SiteFactory(company=company, name="Kotimarket Pasila")
    evening = f.ServiceProfileFactory(site=pasila, company=company, name="Kvällskassa")
    f.ProfileLanguageFactory(profile=evening, language="sv", level=4)
    manager = f.ClientManagerFactory(company=company, language="sv")
    context = browser.new_context(viewport=PHONE, locale="sv-FI")
    page = context.new_page()
    browser_login(page, live_server, manager.email, f.PASSWORD)
    page.goto(f"{live_server.url}/client/requests/new/")
    expect(page.locator("h1")).to_have_text("Beställ personal")

    page.select_option("select[name=service_profile]", label="Pasila – Kvällskassa")
    expect(page.locator("#order-extras-summary")).to_contain_text("Svenska B2")
    page.fill("input[name=headcount]", "2")
    page.click("label[for=id_urgency_1]")  # planned
    page.screenshot(path=screenshot_dir / "order-form-sv-phone.png")

    submit = page.locator("#order-submit")
    box = submit.bounding_box()
    assert page.evaluate("window.scrollY") == 0
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with page.expect_navigation():
        submit.click()
    req = StaffingRequest.objects.get()
    assert (req.service_profile, req.site, req.headcount) == (evening, pasila, 2)
    assert req.urgency == "planned"
    assert list(req.languages.values_list("language", "level")) == [("sv", 4)]
    expect(page.locator("#request-status")).to_be_visible()
    context.close()


def test_language_rows_stack_sensibly_on_a_phone(browser, live_server, screenshot_dir):
    profile = f.ServiceProfileFactory(name="Evening cashiers")
    f.ProfileLanguageFactory(profile=profile, language="fi", level=4)
    f.ProfileLanguageFactory(profile=profile, language="sv", level=3)
    manager = f.ClientManagerFactory(company=profile.company)
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    browser_login(page, live_server, manager.email, f.PASSWORD)
    page.goto(f"{live_server.url}/client/requests/new/")

    card = page.locator("#language-card")
    row = card.locator(".language-row").first
    expect(row).to_be_hidden()  # behind "more" until opened
    page.click("#order-extras summary")
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
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
