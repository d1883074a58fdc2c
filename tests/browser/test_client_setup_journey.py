"""In a real Chromium: an agency admin sets up a client without the Django admin (the company,
two sites, a service profile), invites a contact who signs up through the emailed link and
orders; then a recruiter tunes the profile's weights from the live preview of its bench and
saves them as a new rules version. Screenshots (desktop and phone) of the pages are kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clients.models import ClientCompany, ServiceProfile
from staffing.models import OutboundEmail, StaffingRequest
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

KAMPPI = (60.1699, 24.9384)  # postal code 00100


@pytest.fixture
def people():
    """Two Finnish speakers near Kamppi: one well assessed but farther away, one unassessed
    living at the site; weighing distance over assessment swaps them."""
    assessed = f.CandidateFactory(latitude=KAMPPI[0] + 0.15, longitude=KAMPPI[1])  # ~17 km
    f.AssessmentFactory(candidate=assessed, service_attitude=5, communication=5)
    nearby = f.CandidateFactory(latitude=KAMPPI[0], longitude=KAMPPI[1])
    for person in (assessed, nearby):
        f.CandidateLanguageFactory(candidate=person, language="fi", level=6)
    return {"assessed": assessed, "nearby": nearby}


def _page(browser, live_server, email: str | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    if email:
        browser_login(page, live_server, email, f.PASSWORD)
    return page


def _shots(page, screenshot_dir, name: str) -> None:
    page.screenshot(path=screenshot_dir / f"{name}-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} is {width} px wide on a phone"
    page.screenshot(path=screenshot_dir / f"{name}-phone.png", full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_admin_sets_up_a_client_contact_orders_recruiter_tunes_weights(
    browser, live_server, people, screenshot_dir
):
    f.AgencyAdminFactory(email="admin@example.fi")
    f.RecruiterFactory(email="recruiter@example.fi")
    admin = _page(browser, live_server, "admin@example.fi")
    admin.goto(f"{live_server.url}/agency/clients/")
    _submit(admin, "#client-new")
    admin.fill("input[name=name]", "Kauppa Oy")
    admin.fill("input[name=business_id]", "12345")
    _submit(admin, "#agency-form button[type=submit]")
    expect(admin.locator("#agency-form")).to_contain_text("seven digits")
    admin.fill("input[name=business_id]", "1234567-8")
    _submit(admin, "#agency-form button[type=submit]")
    company = ClientCompany.objects.get(name="Kauppa Oy")

    for name, code in (("Kamppi", "00100"), ("Itis", "00930")):
        _submit(admin, "#site-new")
        admin.fill("input[name=name]", name)
        admin.fill("input[name=street_address]", "Katu 1")
        admin.fill("input[name=postal_code]", "00000")
        _submit(admin, "#agency-form button[type=submit]")
        expect(admin.locator("#agency-form")).to_contain_text("We do not know the postal code")
        admin.fill("input[name=postal_code]", code)
        _submit(admin, "#agency-form button[type=submit]")
    expect(admin.locator("#sites-card .site-row")).to_have_count(2)

    _submit(admin, "#terms-edit")
    admin.fill("input[name=offer_response_urgent_minutes]", "15")
    admin.select_option("select[name=responsible_recruiter]", label="recruiter@example.fi")
    _submit(admin, "#agency-form button[type=submit]")
    expect(admin.locator("#terms-card")).to_contain_text("recruiter@example.fi")
    company.refresh_from_db()
    assert company.offer_response_urgent_minutes == 15

    _submit(admin, "#profile-new")
    _shots(admin, screenshot_dir, "clients-profile-form")
    admin.fill("input[name=name]", "Weekend cashiers")
    admin.select_option("select[name=site]", label="Kamppi")
    admin.select_option("select[name=role_type]", "retail")
    admin.check("input[name=focus][value=service]")
    admin.select_option("select[name=languages-0-language]", "fi")
    admin.select_option("select[name=languages-0-level]", "4")
    admin.select_option("select[name=shifts-0-weekday]", "5")
    admin.fill("input[name=shifts-0-start]", "10:00")
    admin.fill("input[name=shifts-0-end]", "18:00")
    _submit(admin, "#profile-form button[type=submit]")
    profile = ServiceProfile.objects.get(company=company)
    assert list(profile.languages.values_list("language", "level")) == [("fi", 4)]

    _submit(admin, "#contact-invite")
    admin.fill("input[name=email]", "maija@kauppa.fi")
    admin.fill("input[name=first_name]", "Maija")
    admin.fill("input[name=last_name]", "Manageri")
    admin.get_by_label("Kamppi", exact=True).check()
    admin.select_option("select[name=language]", "en")
    _submit(admin, "#agency-form button[type=submit]")
    expect(admin.locator("#contacts-card .invitation-row")).to_contain_text("maija@kauppa.fi")
    _shots(admin, screenshot_dir, "clients-detail")
    admin.goto(f"{live_server.url}/agency/clients/")
    _shots(admin, screenshot_dir, "clients-list")

    # The contact signs up from the emailed link and orders.
    body = OutboundEmail.objects.get(to="maija@kauppa.fi").body
    link = re.search(r"https?://\S+/client/join/\S+/", body).group(0)
    contact = _page(browser, live_server)
    contact.goto(link)
    _shots(contact, screenshot_dir, "clients-join")
    contact.fill("input[name=password]", "a-Long-pass-1234")
    _submit(contact, "main button[type=submit]")
    expect(contact.locator("#request-form")).to_be_visible()
    # One choice of site and profile: only the Kamppi site's profiles are offered.
    choices = contact.locator("select[name=service_profile] option:not([value=''])")
    expect(choices).to_have_count(1)
    expect(choices).to_contain_text("Kamppi")
    _submit(contact, "#request-form button[type=submit]")
    order = StaffingRequest.objects.get(company=company)
    assert order.submitted_by.email == "maija@kauppa.fi" and order.site.name == "Kamppi"
    assert order.entered_by is None

    # A recruiter tunes the profile's weights from the preview.
    recruiter = _page(browser, live_server, "recruiter@example.fi")
    recruiter.goto(f"{live_server.url}/agency/clients/{company.pk}/order/")
    expect(recruiter.locator("select[name=ordered_by] option")).to_contain_text(["Maija"])
    _shots(recruiter, screenshot_dir, "clients-phone-order")
    recruiter.goto(f"{live_server.url}/agency/clients/{company.pk}/")
    _submit(recruiter, "#profiles-card a:has-text('Weights')")
    expect(recruiter.locator("#preview-nochange")).to_be_visible(timeout=10_000)
    for code, value in (("assessment", "0"), ("distance", "40")):
        recruiter.locator(f"#id_{code}").evaluate(
            "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
            value,
        )
    expect(recruiter.locator("output[data-weight-output=id_distance]")).to_have_text("40")
    moved = recruiter.locator("#preview-moved li")
    expect(moved.first).to_contain_text(f"{people['nearby'].first_name}: rank 2 → 1")
    _shots(recruiter, screenshot_dir, "clients-weights")
    _submit(recruiter, "#weights-save")
    expect(recruiter.locator(".alert-success")).to_contain_text("rules version 1")
    profile.refresh_from_db()
    assert profile.weights_version == 1
    assert profile.weights == {"assessment": 0.0, "distance": 40.0}
