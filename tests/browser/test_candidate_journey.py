"""On a phone-sized Chromium: a new candidate signs up, confirms the email, fills the profile,
taps availability, uploads a CV and downloads their data."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core import mail
from playwright.sync_api import expect

from candidates.models import Candidate
from tests.candidates.conftest import PDF_BYTES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE, "accept_downloads": True}


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.ACCOUNT_RATE_LIMITS = False  # the Redis cache outlives test runs


def test_candidate_signs_up_and_fills_the_profile(page, live_server, screenshot_dir):
    def shot(name: str) -> None:
        page.screenshot(path=screenshot_dir / f"candidate-{name}.png", full_page=True)

    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "mobile.person@example.fi")
    page.fill("input[name=first_name]", "Mira")
    page.fill("input[name=last_name]", "Mobiili")
    page.fill("input[name=password1]", "a-long-pass-phrase-42")
    page.fill("input[name=password2]", "a-long-pass-phrase-42")
    # Consents start unticked (a pre-ticked box is not consent): the person ticks them.
    page.check("#id_purposes_matching")
    page.check("#id_purposes_presentation")
    page.check("input[name=notice_read]")
    shot("1-signup")
    with page.expect_navigation():
        page.click("main button[type=submit]")

    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    shot("2-confirm-email")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/me/")
    expect(page.locator("#completeness-percent")).to_be_visible()
    shot("3-home")

    page.goto(f"{live_server.url}/me/profile/")
    page.fill("input[name=phone]", "+358401112223")
    page.fill("input[name=postal_code]", "00100")
    page.fill("input[name=max_travel_km]", "15")
    shot("4-profile")
    page.click("main form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(f"{live_server.url}/me/languages/")
    page.select_option("select[name=language]", "fi")
    page.select_option("select[name=level]", "6")
    page.click("main form.card button[type=submit]")
    expect(page.locator("#language-list [data-language=fi]")).to_be_visible()
    shot("5-languages")

    page.goto(f"{live_server.url}/me/availability/")
    for cell in ("cell_5_0", "cell_5_1", "cell_6_1"):
        page.click(f"label[for=id_{cell}]")
        expect(page.locator("#availability-status [data-saved]")).to_be_visible()
    shot("6-availability")

    page.goto(f"{live_server.url}/me/cv/")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "mira.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.click("main form.card button[type=submit]")
    expect(page.locator("#current-cv")).to_contain_text("mira.pdf")
    shot("7-cv")

    page.goto(f"{live_server.url}/me/data/")
    shot("8-data")
    with page.expect_download() as download_info:
        page.click("#download-data")
    archive = zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["sections"]["profile"]["rows"][0]["phone"] == "+358401112223"
    assert "cv/mira.pdf" in archive.namelist()

    candidate = Candidate.objects.get(email="mobile.person@example.fi")
    assert candidate.status == Candidate.Status.ACTIVE and candidate.matching_consent
    assert candidate.latitude is not None and candidate.availability
    page.goto(f"{live_server.url}/me/")
    shot("9-home-filled")
