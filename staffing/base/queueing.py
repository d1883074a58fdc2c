"""Handing work to the background: tasks are queued by name, after the transaction commits.

No service imports `staffing.tasks` (which imports the services). Every caller's work is also a
state in the database that a beat sweep picks up (docs/operations.md), so a lost message only
delays the work: publishing never raises and never waits on Redis longer than its timeouts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading

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
    pool = _publishing_connections()
    try:
        connection = pool.acquire(block=True, timeout=settings.REDIS_TIMEOUT_SECONDS)
        try:
            # One attempt: a stalled Redis costs at most its socket timeout, then the breaker.
            app.send_task(name, args=list(args), connection=connection, retry=False)
        except BaseException:
            pool.replace(connection)  # its socket may be broken: never hand it on
            raise
        connection.release()
    except Exception:
        _discard_publishing_connections(pool)  # after an outage, every kept socket is suspect
        broker_breaker.trip(settings.BROKER_BREAKER_SECONDS)
        logger.warning("Could not queue %s%r; a beat sweep will.", name, args, exc_info=True)
        return False
    return True


_pools: dict[tuple[int, int], object] = {}
_pools_lock = threading.Lock()
# Per process: more than the threads that publish at once (a gunicorn worker's, a Celery
# worker's pool); a publisher waits for a free one at most the broker's timeout.
PUBLISHING_CONNECTIONS = 32


def _publishing_connections():
    """This process's pool of broker connections for publishing, with the short timeouts.

    The worker's own connection keeps the longer socket timeout its blocking read needs
    (CELERY_BROKER_TRANSPORT_OPTIONS); a publisher has nothing to wait for. The pool has a
    limit so that released connections are kept open: kombu closes every connection released
    to a pool without one, and a connect per publish cost ~3.5 ms of the web's time (a dozen
    round trips, the client's handshake and the queue's declaration again) against ~0.3.
    """
    key = _pool_key()
    pool = _pools.get(key)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(key)
            if pool is not None:
                return pool
            timeout = settings.REDIS_TIMEOUT_SECONDS
            connection = app.connection_for_write(
                transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout}
            )
            pool = _pools[key] = connection.Pool(limit=PUBLISHING_CONNECTIONS)
    return pool


def _discard_publishing_connections(pool) -> None:
    if _pools.get(_pool_key()) is pool:
        del _pools[_pool_key()]
    with contextlib.suppress(Exception):
        pool.force_close_all()


def _pool_key() -> tuple[int, int]:
    return (os.getpid(), id(app))


def enqueue_on_commit(name: str, *args: object) -> None:
    """Queue the task `name` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_enqueue(name, *args))
