"""In a real Chromium: the live previews (the order form's fill estimate, the weights preview)
ask the server with GET and must not put the form's CSRF token in the address, where it would
land in access logs and proxies; they still answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _preview_urls(page, path: str, fragment: str, target: str) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url) if fragment in r.url else None)
    page.goto(path)
    expect(page.locator(target)).not_to_contain_text("…", timeout=10_000)
    return urls


def test_previews_leave_the_csrf_token_out_of_the_address(browser, live_server):
    profile = f.ServiceProfileFactory(name="Evening cashiers")
    manager = f.ClientManagerFactory(company=profile.company)
    recruiter = f.RecruiterFactory(email="preview-recruiter@example.fi")

    page = browser.new_context(locale="en-GB").new_page()
    browser_login(page, live_server, manager.email, f.PASSWORD)
    urls = _preview_urls(page, f"{live_server.url}/client/requests/new/", "/estimate/", "#estimate")
    assert urls and all("csrfmiddlewaretoken" not in url for url in urls), urls
    assert any(f"service_profile={profile.pk}" in url for url in urls), urls

    page = browser.new_context(locale="en-GB").new_page()
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    weights = f"{live_server.url}/agency/clients/profiles/{profile.pk}/weights/"
    urls = _preview_urls(page, weights, "/weights/preview/", "#weights-preview")
    page.locator("#id_distance").evaluate(
        "el => { el.value = 30; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    page.wait_for_timeout(1000)
    assert len(urls) >= 2 and all("csrfmiddlewaretoken" not in url for url in urls), urls
    assert any("distance=30" in url for url in urls), urls
