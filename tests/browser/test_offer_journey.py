"""In a real Chromium: two candidates accept from the links in their offer emails, a third is
told kindly that the work filled. Screenshots of each step go to tests/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from staffing.models import OutboundEmail, Placement, StaffingRequest
from staffing.services.offers import offer_wave_send
from tests import factories as f
from tests.staffing.approved_requests import approved_request

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

LINK = re.compile(r"https?://\S+/o/\S+/")


def _link(offer) -> str:
    body = OutboundEmail.objects.get(key=f"offer:{offer.pk}:{offer.wave}").body
    return LINK.search(body).group(0)


def test_two_accept_from_their_links_and_the_third_is_told_it_filled(
    browser, live_server, settings, screenshot_dir
):
    settings.SITE_URL = live_server.url
    world = approved_request(headcount=2, people=3)
    offers = offer_wave_send(staffing_request=world.request, by=None)
    assert len(offers) == 3

    for i, (offer, person) in enumerate(zip(offers, world.people, strict=True), start=1):
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
        page = context.new_page()
        # The link works from the email: log in first, then continue to the offer.
        page.goto(_link(offer))
        page.fill("input[name=login]", person.email)
        page.fill("input[name=password]", f.PASSWORD)
        page.click("main button[type=submit]")
        expect(page.locator(f"[data-offer='{offer.pk}']")).to_be_visible()
        page.screenshot(path=screenshot_dir / f"offer-{i}-link.png", full_page=True)
        if i < 3:
            page.click("button[value=accept]")
            expect(page.locator("#offer-closed.alert-success")).to_contain_text(
                "You have accepted this offer"
            )
            expect(page.locator("main .alert")).to_have_count(1)  # said once
            expect(page.locator(f"[data-offer='{offer.pk}']")).to_have_attribute(
                "data-status", "accepted"
            )
        else:
            # The third offer was closed when the request filled.
            expect(page.locator("#offer-closed")).to_contain_text("Every place was taken")
            expect(page.locator("button[value=accept]")).to_have_count(0)
        page.screenshot(path=screenshot_dir / f"offer-{i}-answered.png", full_page=True)
        context.close()

    world.request.refresh_from_db()
    assert world.request.status == StaffingRequest.Status.FILLED
    placed = set(
        Placement.objects.filter(request=world.request).values_list("candidate_id", flat=True)
    )
    assert placed == {world.people[0].candidate.pk, world.people[1].candidate.pk}
