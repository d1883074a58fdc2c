"""The agency admin's System page: every section with its state, live refresh, admin only, and
it still answers quickly (showing the problem) while Redis stalls or is gone."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from staffing.models import OutboundEmail, StaffingRequest, WorkerHeartbeat
from tests import factories as f
from tests.staffing.test_health import closed_port, stalled_redis

pytestmark = pytest.mark.django_db
SECTIONS = ["database", "redis", "workers", "beat", "matching", "emails", "tasks"]


@pytest.fixture
def admin(client):
    user = f.AgencyAdminFactory()
    client.force_login(user)
    return user


def test_admin_sees_every_section(client, admin):
    page = client.get(reverse("agency_system"))
    assert page.status_code == 200
    html = page.content.decode()
    for section in SECTIONS:
        assert f'id="system-{section}"' in html
    assert 'hx-trigger="every 5s"' in html
    assert 'data-queue="staffing.urgent"' in html


def test_the_page_shows_each_problem(client, admin):
    WorkerHeartbeat.objects.all().delete()
    now = timezone.now()
    f.WorkerHeartbeatFactory(hostname="celery@alive", pid=11)
    f.WorkerHeartbeatFactory(
        hostname="celery@gone", pid=12, last_seen=now - dt.timedelta(minutes=2)
    )
    waiting = f.StaffingRequestFactory()
    waiting.company.name = "Kotimarket"
    waiting.company.save()
    StaffingRequest.objects.filter(pk=waiting.pk).update(created_at=now - dt.timedelta(minutes=1))
    stuck = f.OutboundEmailFactory(key="offer:7:1", status=OutboundEmail.Status.SENDING)
    OutboundEmail.objects.filter(pk=stuck.pk).update(created_at=now - dt.timedelta(minutes=9))
    f.OutboundEmailFactory(key="offer:8:1", status=OutboundEmail.Status.FAILED)
    f.TaskFailureFactory(arguments="41", message="'int' object is not iterable")

    html = client.get(reverse("agency_system")).content.decode()
    assert 'data-worker="celery@alive:11"' in html
    assert 'data-worker="celery@gone:12"' in html
    assert f'data-request="{waiting.pk}"' in html
    assert "Kotimarket" in html
    assert 'data-email="offer:7:1"' in html
    assert 'data-email="offer:8:1"' in html
    assert "staffing.tasks.match_request(41)" in html
    assert "&#x27;int&#x27; object is not iterable" in html
    # No address of the stuck email's recipient is shown.
    assert stuck.to not in html
    assert 'id="system-overall" data-state="problem"' in html


def test_htmx_refresh_returns_the_status_block_alone(client, admin):
    response = client.get(reverse("agency_system"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="system-status"')
    assert "<html" not in html


def test_the_page_answers_quickly_and_shows_redis_down(client, admin, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    html = client.get(reverse("agency_system")).content.decode()
    redis_card = html.split('id="system-redis"')[1].split("</section>")[0]
    assert 'data-state="problem"' in redis_card
    assert "data-queue=" not in redis_card


def test_the_page_does_not_hang_on_a_stalled_redis(client, admin, settings):
    with stalled_redis() as url:
        settings.CELERY_BROKER_URL = url
        started = time.monotonic()
        response = client.get(reverse("agency_system"))
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 2.5
    redis_card = response.content.decode().split('id="system-redis"')[1].split("</section>")[0]
    assert 'data-state="problem"' in redis_card


@pytest.mark.parametrize(
    "factory", [f.RecruiterFactory, f.ClientManagerFactory, f.CandidateUserFactory]
)
def test_other_roles_get_403(client, factory):
    client.force_login(factory())
    assert client.get(reverse("agency_system")).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("agency_system"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_only_the_admin_has_the_link_in_the_navigation(client, admin):
    url = reverse("agency_system")
    assert f'href="{url}"' in client.get(reverse("recruiter_board")).content.decode()
    client.force_login(f.RecruiterFactory())
    assert f'href="{url}"' not in client.get(reverse("recruiter_board")).content.decode()
