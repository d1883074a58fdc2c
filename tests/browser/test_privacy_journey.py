"""On a phone-sized Chromium, the issue's journey: a new candidate signs up with every consent
unticked, ticks them, reads and downloads their data, erases the account, and afterwards their
surname, email and phone are in no table, no file and no Redis key."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from candidates.models import Candidate, Consent
from candidates.services.consent import PRIVACY_NOTICE_VERSION
from tests.candidates.conftest import PDF_BYTES
from tests.candidates.test_erasure import _database_hits, _file_hits, _redis_hits

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE_VIEWPORT = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
EMAIL = "pirkko.privacy-journey@example.fi"
LAST_NAME = "Yksityisyyskoski"
PHONE = "+358407770011"
# The labels (dt) whose text overflows their box or whose box overlaps their value's (dd).
OVERLAPPING_LABELS = """() => [...document.querySelectorAll('dt')].filter(dt => {
    const dd = dt.nextElementSibling, a = dt.getBoundingClientRect();
    const b = dd ? dd.getBoundingClientRect() : null;
    return dt.scrollWidth > dt.clientWidth + 1 || (b !== null && a.right > b.left + 1
        && a.top < b.bottom && b.top < a.bottom);
}).map(dt => dt.textContent)"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE_VIEWPORT, "accept_downloads": True, "locale": "fi-FI"}


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.ACCOUNT_RATE_LIMITS = False  # the Redis cache outlives test runs


def test_sign_up_choose_consents_export_and_erase_without_trace(page, live_server, screenshot_dir):
    def shot(name: str) -> None:
        page.screenshot(path=screenshot_dir / f"privacy-{name}.png", full_page=True)

    page.goto(f"{live_server.url}/accounts/signup/")
    boxes = page.locator("#consent-choices input[name=purposes]")
    expect(boxes).to_have_count(3)
    for i in range(3):
        expect(boxes.nth(i)).not_to_be_checked()
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=first_name]", "Pirkko")
    page.fill("input[name=last_name]", LAST_NAME)
    page.fill("input[name=password1]", "a-long-pass-phrase-42")
    page.fill("input[name=password2]", "a-long-pass-phrase-42")
    page.check("#id_purposes_matching")
    page.check("#id_purposes_presentation")
    page.check("input[name=notice_read]")
    shot("1-signup")
    with page.expect_navigation():
        page.click("main button[type=submit]")

    candidate = Candidate.objects.get(email=EMAIL)
    consents = Consent.objects.filter(candidate=candidate)
    assert {c.purpose for c in consents} == {"matching", "presentation"}
    assert {c.version for c in consents} == {PRIVACY_NOTICE_VERSION}
    assert "Service Staff Now" in mail.outbox[-1].subject
    assert "Hello from" not in mail.outbox[-1].body and "Hei Pirkko" in mail.outbox[-1].body
    page.goto(re.search(r"https?://\S+", mail.outbox[-1].body).group(0))
    with page.expect_navigation():
        page.click("main button[type=submit]")

    page.goto(f"{live_server.url}/me/")
    expect(page.locator("#stale-alert")).to_have_count(0)  # nothing entered, nothing to confirm
    page.goto(f"{live_server.url}/me/profile/")
    page.fill("input[name=phone]", PHONE)
    page.fill("input[name=postal_code]", "00100")
    page.click("main form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(f"{live_server.url}/me/languages/")
    page.select_option("select[name=language]", "sv")
    page.select_option("select[name=level]", "4")
    page.click("main form.card button[type=submit]")
    page.goto(f"{live_server.url}/me/availability/")
    page.click("label[for=id_cell_5_2]")
    expect(page.locator("#availability-status [data-saved]")).to_be_visible()
    page.goto(f"{live_server.url}/me/cv/")
    page.set_input_files(
        "input[name=file]",
        files=[
            {"name": "cv.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES + PHONE.encode()}
        ],
    )
    page.click("main form.card button[type=submit]")
    expect(page.locator("#current-cv")).to_be_visible()

    page.goto(f"{live_server.url}/me/data/")
    page.click("#read-data")
    expect(page.locator("[data-section=languages]")).to_contain_text("B2")
    expect(page.locator("[data-section=availability] table")).to_be_visible()
    expect(page.locator("[data-section=consents]")).to_contain_text(PRIVACY_NOTICE_VERSION)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    shot("2-export")
    page.screenshot(path=screenshot_dir / "privacy-2-export-top.png")
    with page.expect_download() as download_info:
        page.click("#download-html")
    html = download_info.value.path().read_text()
    assert LAST_NAME in html and "B2" in html and "<style>" in html
    # The downloaded file on the phone: no long Finnish label runs into its value.
    file_page = page.context.new_page()
    file_page.set_content(html)
    assert file_page.evaluate(OVERLAPPING_LABELS) == []
    assert file_page.evaluate("document.documentElement.scrollWidth") <= 390
    file_page.screenshot(path=screenshot_dir / "privacy-2-export-file.png", full_page=True)
    file_page.close()

    page.goto(f"{live_server.url}/me/data/")
    page.fill("input[name=confirm]", EMAIL)
    with page.expect_navigation():
        page.click("form[action$='/erase/'] button[type=submit]")
    shot("3-erased")

    for value in (LAST_NAME, EMAIL, PHONE):
        assert _database_hits(value) == [], value
        assert _file_hits(value.encode()) == [], value
        assert _redis_hits(value.encode()) == [], value
