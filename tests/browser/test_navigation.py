"""In a real Chromium: the staff menu fits a laptop screen in every language (the admin's
twelve pages once pushed the page 230-460 px wider than 1400 px, hiding the logout button),
and the admin's less frequent pages are one click away under "More"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.mark.parametrize("width", [1400, 992])
def test_the_admin_menu_fits_the_screen_in_each_language(page, live_server, width):
    admin = f.AgencyAdminFactory(email=f"nav-{width}@example.fi", is_staff=True)
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(page, live_server, admin.email, f.PASSWORD)

    def menu_open() -> None:
        """Below the width the agency's menu opens from, it folds behind the toggler."""
        toggler = page.locator("nav .navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            expect(page.locator("#language-switch")).to_be_visible()

    for language in ("fi", "sv", "en"):
        menu_open()
        with page.expect_navigation():
            page.click(f"#language-switch button[value={language}]")
        menu_open()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, language
        logout = page.locator("nav button[type=submit]:has(.bi-box-arrow-right)")
        expect(logout).to_be_in_viewport()
        assert logout.bounding_box()["height"] < 40, (language, logout.bounding_box())
    page.click("#nav-more > a")
    for name in ("Retention", "System", "API and webhooks", "Administration"):
        expect(page.locator("#nav-more .dropdown-menu").get_by_text(name)).to_be_visible()
