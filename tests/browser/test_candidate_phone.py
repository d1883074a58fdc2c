"""A candidate on a phone: every tab of their menu is on the screen, the availability page
saves each tap with no Save button to wonder about, and an offer tells the pay, the place, the
contact person and how many minutes are left, counting down."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from staffing.models import Offer
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def test_a_candidate_reaches_every_tab_and_reads_the_offer(browser, live_server, screenshot_dir):
    user = f.CandidateUserFactory(language="sv")
    profile = f.ServiceProfileFactory(
        pay_min=Decimal("12.50"),
        pay_max=Decimal("14"),
        contact_name="Sanna Lehtinen",
        contact_phone="+358501234501",
        instructions="Svarta byxor. Personalingången.",
    )
    req = f.StaffingRequestFactory(service_profile=profile, status="offering")
    f.ShiftFactory(request=req)
    Offer.objects.create(
        request=req,
        candidate=user.candidate,
        wave=1,
        deadline=timezone.now() + dt.timedelta(minutes=26, seconds=30),
    )
    context = browser.new_context(viewport=PHONE, locale="sv-FI")
    page = context.new_page()
    page.clock.install()
    browser_login(page, live_server, user.email, f.PASSWORD)

    page.goto(f"{live_server.url}/me/")
    tabs = page.locator(".candidate-nav a.nav-link")
    expect(tabs).to_have_count(10)
    for tab in tabs.all():
        box = tab.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], tab.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=screenshot_dir / "candidate-tabs-phone.png")

    page.goto(f"{live_server.url}/me/availability/")
    expect(page.locator("#availability-form button[type=submit]")).to_have_count(0)
    page.locator("label.slot-toggle").first.click()
    expect(page.locator("#availability-status [data-saved]")).to_be_visible()
    page.screenshot(path=screenshot_dir / "candidate-availability-phone.png", full_page=True)

    page.goto(f"{live_server.url}/me/offers/")
    card = page.locator(".offer-card")
    expect(card.locator(".offer-pay")).to_have_text("12,50–14 € i timmen")
    expect(card.locator(".offer-contact")).to_contain_text("Sanna Lehtinen, 050 1234501")
    expect(card.locator(".offer-map")).to_have_attribute(
        "href", profile.site.map_url.replace("&amp;", "&")
    )
    expect(card.locator("[data-countdown]")).to_have_text("Svara inom 27 minuter")
    page.clock.run_for("16:00")
    expect(card.locator("[data-countdown]")).to_have_text("Svara inom 11 minuter")
    page.clock.run_for("10:00")
    expect(card.locator("[data-countdown]")).to_have_text("Svara inom 1 minut")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=screenshot_dir / "candidate-offer-phone.png", full_page=True)
    context.close()
