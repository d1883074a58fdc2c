"""Worker heartbeats and failed tasks: written by each worker process to the database, robust
to database errors, pruned, and free of personal data."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

import pytest
from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from staffing.models import TaskFailure, WorkerHeartbeat
from staffing.services import heartbeats
from staffing.services.heartbeats import (
    HeartbeatWriter,
    operations_prune,
    task_arguments_summary,
)
from tests import factories as f
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db


@shared_task(name="tests.always_fails")
def always_fails(candidate_id: int, email: str, *, reason: str = "") -> None:
    raise ValueError(f"could not reach {email} for candidate {candidate_id}")


def test_a_beat_records_the_process_and_the_next_one_refreshes_it():
    writer = HeartbeatWriter(hostname="celery@host-a")
    assert writer.beat()
    row = WorkerHeartbeat.objects.get(hostname="celery@host-a")
    assert row.pid == os.getpid()
    first_seen = row.last_seen
    assert writer.beat()
    row.refresh_from_db()
    assert row.last_seen > first_seen
    assert WorkerHeartbeat.objects.filter(hostname="celery@host-a").count() == 1


def test_a_beat_survives_database_errors_and_logs_the_outage_once(monkeypatch, caplog):
    writer = HeartbeatWriter(hostname="celery@host-b")
    real_record = heartbeats.heartbeat_record

    def down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(heartbeats, "heartbeat_record", down)
    with caplog.at_level(logging.INFO, logger="staffing.services.heartbeats"):
        assert not writer.beat()
        assert not writer.beat()
        monkeypatch.setattr(heartbeats, "heartbeat_record", real_record)
        assert writer.beat()
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["Could not record the worker heartbeat", "Worker heartbeat recorded again"]
    assert WorkerHeartbeat.objects.filter(hostname="celery@host-b").exists()


def test_a_beat_survives_any_error(monkeypatch):
    writer = HeartbeatWriter(hostname="celery@host-c")
    monkeypatch.setattr(heartbeats, "pool_keeper", lambda: 1 / 0)
    assert writer.beat() is False


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_writes_until_it_is_finished(settings):
    settings.WORKER_HEARTBEAT_SECONDS = 0.05
    writer = HeartbeatWriter(hostname="celery@host-d")
    thread = writer.start()
    try:
        wait_for(lambda: writer.beats >= 3, timeout=10)
        assert WorkerHeartbeat.objects.filter(hostname="celery@host-d", pid=os.getpid()).exists()
    finally:
        writer.finish()
        thread.join(5)
    assert not thread.is_alive()
    assert not WorkerHeartbeat.objects.filter(hostname="celery@host-d").exists()


def test_pruning_removes_long_gone_workers_and_old_failures(settings):
    settings.TASK_FAILURE_KEEP_DAYS = 3
    now = timezone.now()
    gone = f.WorkerHeartbeatFactory(last_seen=now - dt.timedelta(hours=2))
    lost = f.WorkerHeartbeatFactory(last_seen=now - dt.timedelta(minutes=5))
    old = f.TaskFailureFactory(failed_at=now - dt.timedelta(days=4))
    recent = f.TaskFailureFactory(failed_at=now - dt.timedelta(days=2))
    assert operations_prune(now=now) == 2
    assert set(WorkerHeartbeat.objects.values_list("pk", flat=True)) >= {lost.pk}
    assert not WorkerHeartbeat.objects.filter(pk=gone.pk).exists()
    assert list(TaskFailure.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not TaskFailure.objects.filter(pk=old.pk).exists()


# Applied eagerly: the tasks' prerun connection check would end a test's transaction, so these
# run outside one.
@pytest.mark.django_db(transaction=True)
def test_a_failed_task_is_recorded_without_personal_data():
    result = always_fails.apply(args=[7, "aino.laine@example.fi"], kwargs={"reason": "sick"})
    assert result.failed()
    failure = TaskFailure.objects.get(task_id=result.id)
    assert failure.task_name == "tests.always_fails"
    assert failure.arguments == "7, <str>, reason=<str>"
    assert failure.exception_type == "ValueError"
    assert failure.message == "could not reach <email> for candidate 7"
    assert "aino" not in failure.arguments + failure.message


@pytest.mark.django_db(transaction=True)
def test_a_failure_that_cannot_be_recorded_does_not_break_the_worker(monkeypatch, caplog):
    def down(**kwargs):
        raise OperationalError("the database is down")

    monkeypatch.setattr("staffing.signals.task_failure_record", down)
    with caplog.at_level(logging.WARNING, logger="staffing.signals"):
        assert always_fails.apply(args=[1, "x"]).failed()
    assert "Could not record the failure" in caplog.text


def test_arguments_are_summarised_as_ids():
    assert task_arguments_summary([12, [1, 2, 3], None, 1.5], {}) == "12, [1, 2, 3], None, 1.5"
    assert task_arguments_summary(["Aino", {"email": "a@b.fi"}], {"ids": list(range(12))}) == (
        "<str>, <dict>, ids=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, …]"
    )
    assert len(task_arguments_summary(list(range(1000)), {})) <= 300


def test_a_failure_message_is_truncated():
    class Long(Exception):
        pass

    failure = heartbeats.task_failure_record(
        task_name="t", task_id="1", args=[], kwargs={}, exception=Long("x" * 2000)
    )
    assert len(failure.message) == heartbeats.MESSAGE_MAX
    assert failure.exception_type.endswith("Long")


@pytest.mark.worker
def test_the_real_worker_records_its_heartbeat(celery_worker_process):
    """The session's worker (solo pool) started a heartbeat thread from worker_process_init."""
    name = f"test-{os.getpid()}@{socket.gethostname()}"
    row = wait_for(
        lambda: WorkerHeartbeat.objects.filter(
            hostname=name, pid=celery_worker_process.pid
        ).first(),
        timeout=30,
    )
    assert timezone.now() - row.last_seen < dt.timedelta(seconds=30)
