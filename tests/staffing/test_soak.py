"""Soak: a real worker with beat, its periods shortened by settings, left idle across several
recount and sweep periods, then asked again; and work whose message was lost, done by sweeps.

The quiet-hours bug (a recount with no recent shortlists made every later match fail) was only
visible after ten idle minutes; here the periods are a second, so the test crosses them.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from staffing.celery import app
from staffing.models import OutboundEmail, StaffingRequest
from tests import factories as f
from tests.conftest import _database_url_for, wait_for
from tests.staffing.test_resilience import _submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

QUEUE = "soak"
RECOUNT_SECONDS = 1
# A recount sees the shortlists of its last 2 × CATCH_UP_OVERLAP (10 s) as "recent": idle
# longer than that, so that the recount finds none (the case that used to break).
IDLE_SECONDS = 12


@pytest.fixture
def soak_worker(tmp_path, transactional_db):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_database_url_for(connection.settings_dict["NAME"]),
        CONN_MAX_AGE="0",
        CELERY_QUEUE=QUEUE,
        POOL_RECOUNT_SECONDS=str(RECOUNT_SECONDS),
        SWEEP_SECONDS="1",
        MATCHING_REQUEUE_SECONDS="1",
        EMAIL_REQUEUE_SECONDS="1",
        EMAIL_SENDING_TIMEOUT_SECONDS="2",
        BENCH_SWEEP_SECONDS="3600",
        EMAIL_URL="consolemail://",
    )
    name = f"soak-{os.getpid()}@{socket.gethostname()}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "staffing",
            "worker",
            "--beat",
            "--scheduler",
            "celery.beat:PersistentScheduler",
            "--schedule",
            str(tmp_path / "beat-schedule"),
            "--pool",
            "solo",
            "-l",
            "error",
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = QUEUE  # what this test publishes goes to the soak worker
    try:
        wait_for(lambda: any(name in r for r in app.control.ping(timeout=0.5) or []), 60)
        yield proc
    finally:
        app.conf.task_default_queue = default_queue
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _matched(request: StaffingRequest):
    def check() -> bool:
        return StaffingRequest.objects.get(pk=request.pk).status == "shortlisted"

    return check


def test_matching_survives_idle_periods_and_lost_messages(soak_worker):
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    f.CandidateFactory.create_batch(3)

    wait_for(_matched(_submit(manager, profile)), timeout=30)

    # Quiet hours: several recount and sweep periods without a single request.
    time.sleep(IDLE_SECONDS)
    assert soak_worker.poll() is None

    after_quiet = _submit(manager, profile)
    wait_for(_matched(after_quiet), timeout=10)

    # A request whose message was lost (accepted while Redis was down): the sweep matches it.
    lost = f.StaffingRequestFactory(service_profile=profile)
    f.ShiftFactory(request=lost)
    wait_for(_matched(lost), timeout=15)

    # An email whose task was lost, and one a killed worker left half-sent: both go out.
    lost_email = OutboundEmail.objects.create(
        key="soak:lost", to="a@example.fi", language="fi", subject="s", body="b"
    )
    half_sent = OutboundEmail.objects.create(
        key="soak:half",
        to="b@example.fi",
        language="fi",
        subject="s",
        body="b",
        status=OutboundEmail.Status.SENDING,
        claimed_at=timezone.now(),
        attempts=1,
    )
    OutboundEmail.objects.filter(pk=lost_email.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=1)
    )

    def both_sent() -> bool:
        statuses = set(
            OutboundEmail.objects.filter(pk__in=[lost_email.pk, half_sent.pk]).values_list(
                "status", flat=True
            )
        )
        return statuses == {OutboundEmail.Status.SENT}

    wait_for(both_sent, timeout=20)
    assert soak_worker.poll() is None
