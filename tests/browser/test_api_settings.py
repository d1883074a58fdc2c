"""In a real Chromium: a client manager creates an API key (the secret shown once), adds a
webhook endpoint, reads its delivery log and resends a delivery; on a phone nothing is wider
than the screen. The Swagger UI renders from vendored assets under the site's CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from api.models import ApiKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from api.services.webhooks import webhook_event_record
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_keys_and_webhooks_on_desktop_and_phone(browser, live_server, screenshot_dir, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    manager = f.ClientManagerFactory(company__name="Kotimarket")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    browser_login(page, live_server, manager.email, f.PASSWORD)
    page.goto(f"{live_server.url}/settings/api/")
    page.fill("input[name=name]", "Rota system")
    page.select_option("select[name=scope]", "order")
    with page.expect_navigation():
        page.click("text=Create the key")
    secret = page.locator("#new-key code").inner_text()
    key = ApiKey.objects.get()
    assert secret.startswith(key.prefix + ".")
    page.fill("input[name=url]", "http://127.0.0.1:9/hooks")
    page.check("input[value='placement.confirmed']")
    page.check("input[value='request.shortlisted']")
    with page.expect_navigation():
        page.click("text=Add the endpoint")
    expect(page.locator("#new-endpoint code")).to_contain_text("whsec_")
    page.screenshot(path=screenshot_dir / "api-settings-desktop.png", full_page=True)

    endpoint = WebhookEndpoint.objects.get()
    event = webhook_event_record(
        name="placement.confirmed", company_id=endpoint.company_id, payload={"placement_id": 7}
    )
    delivery = WebhookDelivery.objects.get(event=event)
    WebhookAttempt.objects.create(
        delivery=delivery, status_code=503, response_body="Service Unavailable", duration_ms=12
    )
    page.goto(f"{live_server.url}/settings/api/{endpoint.company_id}/webhooks/{endpoint.pk}/")
    page.click("text=Attempts and responses")
    expect(page.locator("#deliveries")).to_contain_text("HTTP 503")
    page.screenshot(path=screenshot_dir / "api-delivery-log-desktop.png", full_page=True)
    with page.expect_navigation():
        page.click("text=Resend")
    expect(page.locator(".alert-success")).to_contain_text("Sending again")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    small = phone.new_page()
    browser_login(small, live_server, manager.email, f.PASSWORD)
    for name, path in (
        ("api-settings-phone.png", f"/settings/api/{endpoint.company_id}/"),
        (
            "api-delivery-log-phone.png",
            f"/settings/api/{endpoint.company_id}/webhooks/{endpoint.pk}/",
        ),
    ):
        small.goto(live_server.url + path)
        assert small.evaluate("document.documentElement.scrollWidth") <= 390, path
        small.screenshot(path=screenshot_dir / name, full_page=True)


def test_swagger_ui_renders_from_vendored_assets(browser, live_server, screenshot_dir):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/requests/")
    page.screenshot(path=screenshot_dir / "api-docs-desktop.png")
    assert outside == []
