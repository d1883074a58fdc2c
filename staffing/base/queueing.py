"""Handing work to the background: tasks are queued by name, after the transaction commits.

No service imports `staffing.tasks` (which imports the services). Every caller's work is also a
state in the database that a beat sweep picks up (docs/operations.md), so a lost message only
delays the work: publishing never raises and never waits on Redis longer than its timeouts.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.db import transaction

from staffing.base.outages import broker_breaker
from staffing.celery import app

logger = logging.getLogger(__name__)


def task_enqueue(name: str, *args: object) -> bool:
    """Publish the task called `name` with `args`; False when the broker is unreachable.

    Never raises and never waits longer than the broker's socket timeouts: every caller's work
    is already recorded in the database, and a beat sweep picks it up when the broker is back.
    """
    if broker_breaker.is_open():
        logger.info("Broker marked unreachable; %s%r left to the sweep.", name, args)
        return False
    try:
        with _publishing_connections().acquire() as connection:
            # One attempt: a stalled Redis costs at most its socket timeout, then the breaker.
            app.send_task(name, args=list(args), connection=connection, retry=False)
    except Exception:
        broker_breaker.trip(settings.BROKER_BREAKER_SECONDS)
        logger.warning("Could not queue %s%r; a beat sweep will.", name, args, exc_info=True)
        return False
    return True


_pools: dict[tuple[int, int], object] = {}


def _publishing_connections():
    """This process's pool of broker connections for publishing, with the short timeouts.

    The worker's own connection keeps the longer socket timeout its blocking read needs
    (CELERY_BROKER_TRANSPORT_OPTIONS); a publisher has nothing to wait for.
    """
    key = (os.getpid(), id(app))
    pool = _pools.get(key)
    if pool is None:
        timeout = settings.REDIS_TIMEOUT_SECONDS
        connection = app.connection_for_write(
            transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout}
        )
        pool = _pools[key] = connection.Pool(limit=None)  # one per thread publishing at once
    return pool


def enqueue_on_commit(name: str, *args: object) -> None:
    """Queue the task `name` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_enqueue(name, *args))
