"""In a real Chromium: a new recruiter is made to set up an authenticator app at first login,
sets it up, logs out, and logs back in with a code; the second factor is in the audit log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from staffing.models import AuditEvent
from tests import factories as f
from tests.conftest import browser_login, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_new_recruiter_enrols_totp_then_logs_in_with_a_code(browser, live_server, screenshot_dir):
    recruiter = f.RecruiterFactory(email="uusi.rekry@example.fi", second_factor=False)
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI")
    page = desktop.new_page()
    errors: list[str] = []
    # CSP refusals and script errors; a missing file shows as a 404 response (the browser's
    # own favicon request is no page's doing).
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    # Forced to enrol: every page leads to the authenticator set-up, which (as every change of
    # a second factor) first asks for the password again.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=.*totp"))
    page.goto(f"{live_server.url}/agency/requests/")
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=.*totp"))
    page.screenshot(path=screenshot_dir / "mfa-0-reauthenticate-phone.png", full_page=True)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.locator("img.mfa-qr")).to_be_visible()
    page.screenshot(path=screenshot_dir / "mfa-1-enrol-desktop.png", full_page=True)

    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", f.totp_code(secret))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text(re.compile(r"\d{8}"))  # the recovery codes
    page.screenshot(path=screenshot_dir / "mfa-2-recovery-codes-desktop.png", full_page=True)
    page.goto(f"{live_server.url}/agency/requests/")
    expect(page).to_have_url(re.compile(r"/agency/requests/$"))
    assert AuditEvent.objects.filter(action="mfa.added", actor=recruiter).exists()
    assert not errors, errors  # no CSP violations, no script errors

    page.click("nav button:has-text('Kirjaudu ulos')")
    expect(page).to_have_url(re.compile(r"/$|/accounts/login/"))
    desktop.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="fi-FI")
    page = phone.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", recruiter.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.screenshot(path=screenshot_dir / "mfa-3-code-phone.png", full_page=True)
    page.fill("input[name=code]", "000000")
    page.click("main button[type=submit]")
    expect(page.locator("main .invalid-feedback, main .alert-danger").first).to_be_visible()
    wait_for(lambda: AuditEvent.objects.filter(action="mfa.failed", target_id=recruiter.pk))
    page.fill("input[name=code]", f.totp_code(secret))
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/agency/requests/$"))
    page.goto(f"{live_server.url}/account/security/")
    expect(page.locator("main")).to_contain_text("Kirjaudu ulos kaikkialta")
    page.screenshot(path=screenshot_dir / "mfa-4-security-phone.png", full_page=True)
    phone.close()
