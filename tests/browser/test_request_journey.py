"""In a real Chromium, in separate browser contexts: a client manager orders two people for
tomorrow evening, the recruiter approves the shortlist, two candidates accept, the client sees
the two confirmed people and, after the shift, rates them. Screenshots of each step are kept."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from psycopg2.extras import DateTimeTZRange

from staffing.models import Placement, ServiceRating, Shift, StaffingRequest
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def journey_world():
    profile = f.ServiceProfileFactory(name="Evening cashiers")
    f.ProfileLanguageFactory(profile=profile, language="fi", level=4)
    manager = f.ClientManagerFactory(company=profile.company, email="manager@example.fi")
    people = []
    for i, name in enumerate(["Aino", "Eero", "Helmi"]):
        user = f.CandidateUserFactory(email=f"{name.lower()}@example.fi", profile__first_name=name)
        f.CandidateLanguageFactory(candidate=user.candidate, language="fi", level=6)
        f.AssessmentFactory(candidate=user.candidate, service_attitude=5 - i)
        people.append(user)
    return {
        "manager": manager,
        "recruiter": f.RecruiterFactory(email="recruiter@example.fi"),
        "people": people,
    }


def _context_page(browser, live_server, email: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    browser_login(page, live_server, email, f.PASSWORD)
    return page


def _shift_into_the_past(req: StaffingRequest) -> None:
    """The shift happened: move it (and its placements) to yesterday evening."""
    shift = Shift.objects.get(request=req)
    start = shift.starts_at - dt.timedelta(days=2)
    end = shift.ends_at - dt.timedelta(days=2)
    Shift.objects.filter(pk=shift.pk).update(starts_at=start, ends_at=end)
    Placement.objects.filter(shift=shift).update(
        period=DateTimeTZRange(start, end),
        blocked=DateTimeTZRange(*Placement.blocked_range(start, end)),
    )


def test_order_approve_accept_and_rate(
    browser, live_server, journey_world, celery_worker_process, screenshot_dir
):
    client = _context_page(browser, live_server, "manager@example.fi")
    client.set_viewport_size({"width": 412, "height": 915})  # a phone
    client.goto(f"{live_server.url}/client/requests/new/")
    client.fill("input[name=headcount]", "2")
    client.locator("input[name=headcount]").dispatch_event("change")
    # No history for this new client yet: the estimate says so instead of guessing a time.
    expect(client.locator("#estimate-time")).to_contain_text("Too little history", timeout=10_000)
    client.screenshot(path=screenshot_dir / "journey-1-order.png", full_page=True)
    client.click("#request-form button[type=submit]")
    expect(client.locator("#request-status [data-status]")).to_have_attribute(
        "data-status", "shortlisted", timeout=20_000
    )
    request_id = int(client.url.rstrip("/").split("/")[-1])
    client.screenshot(path=screenshot_dir / "journey-2-shortlisted.png", full_page=True)

    recruiter = _context_page(browser, live_server, "recruiter@example.fi")
    expect(recruiter.locator(f"tr[data-request='{request_id}']")).to_be_visible()
    recruiter.goto(f"{live_server.url}/agency/requests/{request_id}/")
    expect(recruiter.locator("#shortlist-entries > li[data-candidate]")).to_have_count(3)
    recruiter.screenshot(path=screenshot_dir / "journey-3-recruiter-shortlist.png", full_page=True)
    recruiter.click("#approve-form button")
    expect(recruiter.locator("#approved-badge")).to_be_visible()
    expect(recruiter.locator("#offers-panel [data-offer]")).to_have_count(3, timeout=10_000)

    # The client sees the proposed people by first name, without reloading.
    expect(client.locator("#people [data-person]")).to_have_count(3, timeout=10_000)
    client.screenshot(path=screenshot_dir / "journey-4-client-people.png", full_page=True)

    for user in journey_world["people"][:2]:
        person = _context_page(browser, live_server, user.email)
        person.set_viewport_size({"width": 412, "height": 915})
        person.goto(f"{live_server.url}/me/offers/")
        person.click("button[value=accept]")
        expect(
            person.locator(".offer-card[data-status=accepted], [data-status=accepted]").first
        ).to_be_visible()
        person.context.close()

    expect(client.locator("#request-status [data-status]")).to_have_attribute(
        "data-status", "filled", timeout=20_000
    )
    expect(client.locator("#people [data-placed=yes]")).to_have_count(2, timeout=10_000)
    client.screenshot(path=screenshot_dir / "journey-5-client-confirmed.png", full_page=True)
    # The recruiter's page, open all along, moves with its live panel: badge and Progress too.
    expect(recruiter.locator("#request-badge")).to_have_attribute(
        "data-status", "filled", timeout=10_000
    )
    expect(recruiter.locator("#request-progress")).to_contain_text("(2 of 2)")
    expect(recruiter.locator("#placements [data-placement]")).to_have_count(2)
    recruiter.reload()
    recruiter.screenshot(path=screenshot_dir / "journey-6-recruiter-filled.png", full_page=True)

    _shift_into_the_past(StaffingRequest.objects.get(pk=request_id))
    client.reload()
    for _ in range(2):
        client.locator("#people a[data-rate].btn-primary").first.click()
        client.check("input[name=score][value='5']")
        client.fill("textarea[name=comment]", "Calm and kind with every customer")
        if _ == 0:
            client.check("input[name=mark][value=favourite]")
            client.screenshot(path=screenshot_dir / "journey-7-rating.png", full_page=True)
        client.click("#rating-form button[type=submit]")
        expect(client.locator("#request-status")).to_be_visible()
        if _ == 0:
            expect(client.locator("#people a[data-rate].btn-primary")).to_have_count(1)
    expect(client.locator("#timeline")).to_contain_text("Service rated 5/5")
    client.screenshot(path=screenshot_dir / "journey-8-rated.png", full_page=True)
    assert ServiceRating.objects.filter(placement__request_id=request_id).count() == 2
