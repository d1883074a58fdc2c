"""`/health/` for the load balancer, the checks behind it and the System page, and
`manage.py health`: each check passes on a working system and fails, quickly and without a
500, when its part is down."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from staffing.models import OutboundEmail, StaffingRequest, WorkerHeartbeat
from staffing.services import health
from staffing.services.health import celery_queue_names, email_claimed_field, system_status
from tests import factories as f

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def stalled_redis():
    """A 'Redis' that accepts connections and never answers (like a paused server)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


@pytest.fixture
def no_workers():
    """The session's real worker (if it runs) writes heartbeats to this database too."""
    WorkerHeartbeat.objects.all().delete()


class _BrokenConnection:
    def cursor(self):
        raise OperationalError("could not connect to server")


# --- /health/ -------------------------------------------------------------------------------


def test_health_answers_ok_without_login(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_when_redis_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "checks": {"database": "ok", "redis": "fail"}}


def test_health_gives_up_on_a_stalled_redis_within_about_a_second(client, settings):
    with stalled_redis() as url:
        settings.CELERY_BROKER_URL = url
        started = time.monotonic()
        response = client.get(reverse("health"))
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert elapsed < 2.5


def test_health_is_503_when_the_database_check_fails(client, monkeypatch):
    monkeypatch.setattr(health, "connection", _BrokenConnection())
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "checks": {"database": "fail", "redis": "ok"}}


def test_health_is_503_not_500_when_postgresql_is_down():
    """A whole process whose database does not exist on that port: no page touches it first."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/health/', HTTP_HOST='localhost');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/nowhere",
        "SECRET_KEY": "x",
        "DJANGO_SETTINGS_MODULE": "staffing.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body["checks"]["database"] == "fail"


def test_health_refuses_post(client):
    assert client.post(reverse("health")).status_code == 405


# --- the checks -----------------------------------------------------------------------------


def test_a_working_system_passes_every_check(no_workers, settings):
    settings.CELERY_BEAT_SCHEDULE = {"sweep": {"task": "t.sweep", "schedule": 30.0}}
    _periodic("sweep", last_run_at=timezone.now() - dt.timedelta(seconds=10))
    f.WorkerHeartbeatFactory()
    f.ShortlistFactory()
    status = system_status()
    assert [c.code for c in status.problems] == []
    assert status.ok
    assert list(status.checks) == [
        "database",
        "redis",
        "workers",
        "beat",
        "matching",
        "emails",
        "tasks",
    ]
    assert list(status.queues) == ["staffing.urgent", "staffing.offers", "staffing.background"]
    assert status.last_match_at is not None


def test_queue_names_come_from_celery_task_queues_when_set(settings):
    assert celery_queue_names() == ["staffing.urgent", "staffing.offers", "staffing.background"]
    settings.CELERY_TASK_QUEUES = None
    settings.CELERY_TASK_DEFAULT_QUEUE = "celery"
    assert celery_queue_names() == ["celery"]
    settings.CELERY_TASK_QUEUES = {"urgent": {}, "celery": {}, "background": {}}
    assert celery_queue_names() == ["urgent", "celery", "background"]


def test_workers_need_a_heartbeat_within_30_seconds(no_workers):
    now = timezone.now()
    f.WorkerHeartbeatFactory(last_seen=now - dt.timedelta(seconds=45), pid=1)
    f.WorkerHeartbeatFactory(last_seen=now - dt.timedelta(hours=2), pid=2)
    status = system_status(now=now)
    assert not status.checks["workers"].ok
    # The lost one is listed for a while; the long-gone one not at all.
    assert [(w.pid, w.alive) for w in status.workers] == [(1, False)]

    f.WorkerHeartbeatFactory(last_seen=now - dt.timedelta(seconds=5), pid=3)
    status = system_status(now=now)
    assert status.checks["workers"].ok
    assert [(w.pid, w.alive) for w in status.workers] == [(1, False), (3, True)]


def _periodic(name: str, *, last_run_at, schedule=None, enabled=True) -> PeriodicTask:
    if isinstance(schedule, CrontabSchedule):
        return PeriodicTask.objects.create(
            name=name, task=f"t.{name}", crontab=schedule, last_run_at=last_run_at, enabled=enabled
        )
    interval, _ = IntervalSchedule.objects.get_or_create(every=30, period=IntervalSchedule.SECONDS)
    return PeriodicTask.objects.create(
        name=name, task=f"t.{name}", interval=interval, last_run_at=last_run_at, enabled=enabled
    )


def _last_nightly_run(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    run = local.replace(hour=3, minute=15, second=0, microsecond=0)
    return run if run <= local else run - dt.timedelta(days=1)


def test_beat_flags_a_schedule_much_older_than_its_interval(settings):
    now = timezone.now()
    settings.CELERY_BEAT_SCHEDULE = {
        "sweep": {"task": "t.sweep", "schedule": 30.0},
        "nightly": {"task": "t.nightly", "schedule": crontab(hour=3, minute=15)},
    }
    nightly = CrontabSchedule.objects.create(hour="3", minute="15", timezone="Europe/Helsinki")
    sweep = _periodic("sweep", last_run_at=now - dt.timedelta(seconds=20))
    _periodic("nightly", last_run_at=_last_nightly_run(now), schedule=nightly)
    status = system_status(now=now)
    assert status.checks["beat"].ok, status.checks["beat"]
    assert [s.late for s in status.schedules] == [False, False]

    sweep.last_run_at = now - dt.timedelta(minutes=10)
    sweep.save()
    PeriodicTask.objects.filter(name="nightly").update(last_run_at=now - dt.timedelta(days=3))
    status = system_status(now=now)
    assert not status.checks["beat"].ok
    assert [s.late for s in status.schedules] == [True, True]
    assert "sweep" in status.checks["beat"].summary


def test_beat_flags_a_schedule_it_does_not_know_or_that_is_switched_off(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "sweep": {"task": "t.sweep", "schedule": 30.0},
        "other": {"task": "t.other", "schedule": 60.0},
    }
    _periodic("sweep", last_run_at=timezone.now(), enabled=False)
    status = system_status()
    assert not status.checks["beat"].ok
    assert [(s.name, s.late) for s in status.schedules] == [("sweep", True), ("other", True)]


def test_beat_that_never_ran_is_a_problem(settings):
    settings.CELERY_BEAT_SCHEDULE = {"sweep": {"task": "t.sweep", "schedule": 30.0}}
    assert not system_status().checks["beat"].ok


def test_requests_waiting_over_20_seconds_without_a_shortlist():
    now = timezone.now()
    fresh = f.StaffingRequestFactory()
    waiting = f.StaffingRequestFactory()
    matched = f.StaffingRequestFactory()
    f.ShortlistFactory(request=matched)
    StaffingRequest.objects.filter(pk__in=[waiting.pk, matched.pk]).update(
        created_at=now - dt.timedelta(seconds=30)
    )
    status = system_status(now=now)
    assert not status.checks["matching"].ok
    assert [w.pk for w in status.waiting_requests] == [waiting.pk]
    assert fresh.pk not in [w.pk for w in status.waiting_requests]

    StaffingRequest.objects.filter(pk=waiting.pk).update(status=StaffingRequest.Status.SHORTLISTED)
    assert system_status(now=now).checks["matching"].ok


def test_emails_stuck_sending_over_5_minutes_or_failed():
    now = timezone.now()
    stuck = f.OutboundEmailFactory(status=OutboundEmail.Status.SENDING)
    sending = f.OutboundEmailFactory(status=OutboundEmail.Status.SENDING)
    failed = f.OutboundEmailFactory(status=OutboundEmail.Status.FAILED)
    f.OutboundEmailFactory(status=OutboundEmail.Status.SENT)
    field = email_claimed_field()
    OutboundEmail.objects.filter(pk=stuck.pk).update(**{field: now - dt.timedelta(minutes=6)})
    OutboundEmail.objects.filter(pk=sending.pk).update(**{field: now - dt.timedelta(minutes=1)})
    status = system_status(now=now)
    assert not status.checks["emails"].ok
    assert [e.pk for e in status.stuck_emails] == [stuck.pk]
    assert [e.pk for e in status.failed_emails] == [failed.pk]

    OutboundEmail.objects.filter(pk__in=[stuck.pk, failed.pk]).update(
        status=OutboundEmail.Status.SENT
    )
    assert system_status(now=now).checks["emails"].ok


def test_tasks_failed_in_the_last_hour():
    now = timezone.now()
    f.TaskFailureFactory(failed_at=now - dt.timedelta(hours=2))
    assert system_status(now=now).checks["tasks"].ok
    recent = f.TaskFailureFactory(failed_at=now - dt.timedelta(minutes=5))
    status = system_status(now=now)
    assert not status.checks["tasks"].ok
    assert [t.pk for t in status.task_failures] == [recent.pk]


def test_while_the_database_is_down_its_sections_are_not_tried(monkeypatch):
    monkeypatch.setattr(health, "connection", _BrokenConnection())
    status = system_status()
    assert [c.code for c in status.problems] == [
        "database",
        "workers",
        "beat",
        "matching",
        "emails",
        "tasks",
    ]
    assert status.checks["redis"].ok


def test_a_section_that_raises_is_a_failed_check(monkeypatch):
    def broken(status, now):
        raise RuntimeError("boom")

    monkeypatch.setattr(health, "SECTIONS", [("emails", broken)])
    status = system_status()
    assert not status.checks["emails"].ok
    assert "RuntimeError" in status.checks["emails"].summary


# --- manage.py health -----------------------------------------------------------------------


def _healthy(settings) -> None:
    settings.CELERY_BEAT_SCHEDULE = {"sweep": {"task": "t.sweep", "schedule": 30.0}}
    _periodic("sweep", last_run_at=timezone.now())
    WorkerHeartbeat.objects.all().delete()
    f.WorkerHeartbeatFactory()


def test_health_command_prints_each_check_and_returns_when_all_pass(settings, capsys):
    _healthy(settings)
    call_command("health")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["OK", code]
        for code in ("database", "redis", "workers", "beat", "matching", "emails", "tasks")
    ]


def test_health_command_exits_1_when_something_is_wrong(settings, capsys):
    _healthy(settings)
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    with pytest.raises(SystemExit) as exit_:
        call_command("health")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "FAIL redis" in out
    assert "OK   database" in out


def test_health_command_reports_a_database_that_does_not_answer(monkeypatch, capsys):
    monkeypatch.setattr(health, "connection", _BrokenConnection())
    with pytest.raises(SystemExit) as exit_:
        call_command("health")
    assert exit_.value.code == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["FAIL", "database"]
    assert len(lines) == 7
