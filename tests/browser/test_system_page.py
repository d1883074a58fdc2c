"""In a real Chromium: the agency admin opens the System page from the navigation, reads what is
wrong, sees a new failure appear without reloading, and the page fits a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from staffing.models import OutboundEmail, StaffingRequest
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def troubles():
    now = timezone.now()
    f.WorkerHeartbeatFactory(hostname="celery@worker-1", pid=4242)
    f.WorkerHeartbeatFactory(
        hostname="celery@worker-2", pid=4343, last_seen=now - dt.timedelta(minutes=3)
    )
    waiting = f.StaffingRequestFactory()
    StaffingRequest.objects.filter(pk=waiting.pk).update(created_at=now - dt.timedelta(minutes=2))
    f.ShortlistFactory(request=f.StaffingRequestFactory(status=StaffingRequest.Status.SHORTLISTED))
    stuck = f.OutboundEmailFactory(key="offer:31:1", status=OutboundEmail.Status.SENDING)
    OutboundEmail.objects.filter(pk=stuck.pk).update(created_at=now - dt.timedelta(minutes=12))
    f.TaskFailureFactory(
        arguments="17", message="'int' object is not iterable", exception_type="TypeError"
    )
    return waiting


def test_admin_reads_the_problems_and_sees_a_new_one_live(
    page, live_server, troubles, screenshot_dir
):
    admin = f.AgencyAdminFactory(email="system-admin@example.fi")
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, live_server, admin.email, f.PASSWORD)
    page.click("#language-switch button[value=en]")
    page.click("#nav-more > a")  # the admin's less frequent pages are under "More"
    page.click("nav >> text=System")
    expect(page.locator("#system-overall")).to_have_attribute("data-state", "problem")
    expect(page.locator("#system-workers")).to_contain_text("celery@worker-2")
    expect(page.locator("#system-matching")).to_contain_text(f"#{troubles.pk}")
    expect(page.locator("#system-emails")).to_contain_text("offer:31:1")
    expect(page.locator("#system-tasks")).to_contain_text("'int' object is not iterable")
    page.screenshot(path=screenshot_dir / "system-laptop.png", full_page=True)

    f.TaskFailureFactory(
        task_name="staffing.tasks.send_email", exception_type="SMTPServerDisconnected"
    )
    # The status block refreshes itself every 5 seconds.
    expect(page.locator("#system-tasks")).to_contain_text("SMTPServerDisconnected", timeout=12_000)


def test_the_system_page_fits_a_phone(page, live_server, troubles, screenshot_dir):
    admin = f.AgencyAdminFactory(email="system-phone@example.fi")
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, admin.email, f.PASSWORD)
    page.goto(f"{live_server.url}/agency/system/")
    expect(page.locator("#system-tasks")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "system-phone.png", full_page=True)
