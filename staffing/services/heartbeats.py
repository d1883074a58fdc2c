"""Worker heartbeats and failed tasks: what each Celery worker process writes about itself so the
System page and `manage.py health` can tell whether the background is working.

Both are written to the database, not Redis, so they stay readable while Redis is down. The
signal handlers that call these live in staffing.signals.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from staffing.models import TaskFailure, WorkerHeartbeat
from staffing.services.pool import pool_keeper

logger = logging.getLogger(__name__)

# Heartbeats not refreshed for this long belong to processes long gone: their rows are deleted.
HEARTBEAT_KEEP = dt.timedelta(hours=1)
# The heartbeat thread prunes old rows on every this-many-th beat (about once a minute).
PRUNE_EVERY_BEATS = 6
MESSAGE_MAX = 500
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def heartbeat_record(*, hostname: str, pid: int, started_at: dt.datetime, pool_ready: bool) -> None:
    """Note that this worker process is alive now (one upsert)."""
    WorkerHeartbeat.objects.bulk_create(
        [
            WorkerHeartbeat(
                hostname=hostname,
                pid=pid,
                started_at=started_at,
                last_seen=timezone.now(),
                pool_ready=pool_ready,
            )
        ],
        update_conflicts=True,
        unique_fields=["hostname", "pid"],
        update_fields=["started_at", "last_seen", "pool_ready"],
    )


def heartbeat_remove(*, hostname: str, pid: int) -> None:
    """Forget a process that shuts down cleanly, so it is not shown as lost."""
    WorkerHeartbeat.objects.filter(hostname=hostname, pid=pid).delete()


def operations_prune(*, now: dt.datetime | None = None) -> int:
    """Delete heartbeats of long-gone processes and failures older than TASK_FAILURE_KEEP_DAYS;
    returns how many rows went."""
    now = now or timezone.now()
    gone, _ = WorkerHeartbeat.objects.filter(last_seen__lt=now - HEARTBEAT_KEEP).delete()
    old, _ = TaskFailure.objects.filter(
        failed_at__lt=now - dt.timedelta(days=settings.TASK_FAILURE_KEEP_DAYS)
    ).delete()
    return gone + old


class HeartbeatWriter:
    """This process's heartbeat thread: records the process every WORKER_HEARTBEAT_SECONDS.

    It must never take the worker down: every error (the database is down, a connection broke)
    is logged once when it starts and once when it ends, and the next beat tries again.
    """

    def __init__(self, *, hostname: str) -> None:
        self.hostname = hostname
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self.stop = threading.Event()
        self.failing = False
        self.beats = 0

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="worker-heartbeat", daemon=True)
        thread.start()
        return thread

    def run(self) -> None:
        try:
            while True:
                self.beat()
                if self.stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
                    return
        finally:
            _connection_drop()

    def beat(self) -> bool:
        """Write one heartbeat (and now and then prune); False when it could not."""
        try:
            # Replace this thread's connection if it broke (say PostgreSQL restarted); never
            # inside a transaction (a test calling this directly), where it would end it.
            if not connection.in_atomic_block:
                close_old_connections()
            heartbeat_record(
                hostname=self.hostname,
                pid=self.pid,
                started_at=self.started_at,
                pool_ready=pool_keeper().pool is not None,
            )
            if self.beats % PRUNE_EVERY_BEATS == 0:
                operations_prune()
        except Exception:
            if not self.failing:
                logger.warning("Could not record the worker heartbeat", exc_info=True)
            self.failing = True
            _connection_drop()
            return False
        finally:
            self.beats += 1
        if self.failing:
            logger.info("Worker heartbeat recorded again")
            self.failing = False
        return True

    def finish(self) -> None:
        """Stop beating and remove this process's row (a clean shutdown is not a lost worker)."""
        self.stop.set()
        try:
            heartbeat_remove(hostname=self.hostname, pid=self.pid)
        except Exception:
            logger.warning("Could not remove the worker heartbeat", exc_info=True)


def _connection_drop() -> None:
    """Close this thread's (perhaps broken) connection; the next beat opens a new one."""
    if connection.in_atomic_block:
        return
    try:
        connection.close()
    except Exception:
        logger.debug("Closing a broken connection failed", exc_info=True)


def task_arguments_summary(args: Sequence[object], kwargs: Mapping[str, object]) -> str:
    """The arguments a task was called with, as ids only: numbers are kept, anything else (which
    could be an email address or a reason typed by a person) is named by its type."""
    parts = [_argument_summary(value) for value in args]
    parts += [f"{key}={_argument_summary(value)}" for key, value in kwargs.items()]
    text = ", ".join(parts)
    return text if len(text) <= 300 else text[:299] + "…"


def _argument_summary(value: object) -> str:
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, list | tuple) and all(isinstance(v, int) for v in value):
        shown = ", ".join(str(v) for v in value[:10])
        return f"[{shown}{', …' if len(value) > 10 else ''}]"
    return f"<{type(value).__name__}>"


def _exception_name(exception: BaseException) -> str:
    kind = type(exception)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def task_failure_record(
    *,
    task_name: str,
    task_id: str | None,
    args: Sequence[object],
    kwargs: Mapping[str, object],
    exception: BaseException,
) -> TaskFailure:
    """Keep a failed task for the System page, without personal data."""
    message = _EMAIL.sub("<email>", str(exception))
    if len(message) > MESSAGE_MAX:
        message = message[: MESSAGE_MAX - 1] + "…"
    return TaskFailure.objects.create(
        task_name=task_name[:200],
        task_id=(task_id or "")[:64],
        arguments=task_arguments_summary(args or (), kwargs or {}),
        exception_type=_exception_name(exception)[:200],
        message=message,
        failed_at=timezone.now(),
    )
