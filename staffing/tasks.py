"""Celery tasks: thin interfaces that take ids and call a service."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from celery import shared_task
from celery.signals import task_prerun, worker_init, worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from staffing.base.memory import long_lived_freeze
from staffing.base.outbox import email_send, emails_send, emails_unsent_requeue
from staffing.base.priority import cpu_priority_lower
from staffing.base.statistics import stale_tables_analyze
from staffing.models import StaffingRequest, User
from staffing.services.bench import (
    bench_profiles_for_candidate,
    bench_refresh,
    benches_refresh_all,
    benches_stale_refresh,
)
from staffing.services.matching import shortlists_build
from staffing.services.notifications import urgent_alerts_unwritten_requeue, urgent_request_alert
from staffing.services.offers import (
    offer_wave_send,
    offer_waves_advance,
    offer_waves_advance_due,
    request_backfill,
)
from staffing.services.placements import placements_complete
from staffing.services.pool import pool_snapshot_write, pool_warm
from staffing.services.requests import requests_unmatched_requeue


@shared_task(
    name="staffing.tasks.match_request",
    time_limit=60,
    soft_time_limit=50,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=10,
    max_retries=3,
)
def match_request(request_id: int) -> int | None:
    """Build the shortlist of one request, and of others waiting with it in a burst (see
    shortlists_build); idempotent (a matched request is left alone)."""
    shortlist = shortlists_build(request_id=request_id)
    return shortlist.pk if shortlist else None


@task_prerun.connect
def _connection_check(**kwargs: object) -> None:
    """Before every task, replace the kept connection if it is broken or older than CONN_MAX_AGE.

    The worker keeps its connection between tasks (CELERY_DB_REUSE_MAX), which saves a new
    PostgreSQL backend per match; this does what Django does between web requests, so a database
    restart costs no task.
    """
    close_old_connections()


@shared_task(name="staffing.tasks.sweep_unmatched_requests", time_limit=60)
def sweep_unmatched_requests() -> int:
    """Queue matching again for requests that have waited too long (broker or worker was down)."""
    return requests_unmatched_requeue(
        waited=dt.timedelta(seconds=settings.MATCHING_REQUEUE_SECONDS)
    )


@shared_task(name="staffing.tasks.refresh_all_benches", time_limit=600, soft_time_limit=570)
def refresh_all_benches() -> int:
    """Nightly rebuild of every service profile's bench (see staffing.services.bench)."""
    return benches_refresh_all()


@shared_task(name="staffing.tasks.refresh_stale_benches", time_limit=600, soft_time_limit=570)
def refresh_stale_benches() -> int:
    """Beat: rebuild benches whose refresh was asked for or whose people changed, when the
    change-driven refresh task was lost."""
    return benches_stale_refresh()


@shared_task(name="staffing.tasks.refresh_bench", time_limit=120, soft_time_limit=100)
def refresh_bench(profile_id: int) -> bool:
    """Rebuild one profile's bench; queue it when the profile or its typical shifts change."""
    return bench_refresh(profile_id=profile_id) is not None


@shared_task(
    name="staffing.tasks.refresh_benches_for_candidate", time_limit=300, soft_time_limit=280
)
def refresh_benches_for_candidate(candidate_id: int) -> int:
    """Rebuild the benches a changed person is on or now fits; queue it after a touch."""
    profile_ids = bench_profiles_for_candidate(candidate_id=candidate_id)
    for profile_id in profile_ids:
        bench_refresh(profile_id=profile_id)
    return len(profile_ids)


logger = logging.getLogger(__name__)


@worker_init.connect
def _pool_before_consuming(sender: Any = None, **kwargs: object) -> None:
    """A worker's main process loads the candidate pool before it takes any task, and its
    processes, forked after this, start with it (shared copy-on-write, then caught up).

    So a worker (re)starting never takes an urgent match it would keep waiting while another
    worker with a pool is idle: it consumes nothing until its pool is loaded. A worker that does
    not serve the urgent queue runs at a lower CPU priority (`WORKER_BACKGROUND_NICENESS`), so
    on a machine with few cores its work never stands in the urgent worker's way.
    """
    queues = set(sender.app.amqp.queues.consume_from) if sender is not None else set()
    if settings.QUEUE_URGENT not in queues:
        # Offers and alerts people wait for in minutes give way a little; refreshes and sweeps
        # all the way.
        niceness = (
            settings.WORKER_BACKGROUND_NICENESS
            if settings.QUEUE_BACKGROUND in queues
            else settings.WORKER_OFFERS_NICENESS
        )
        if niceness:
            cpu_priority_lower(niceness)
    if queues & {settings.QUEUE_URGENT, settings.QUEUE_BACKGROUND}:
        try:
            pool_warm()
        except Exception:  # the processes load it on their first task instead
            logger.exception("Could not load the candidate pool before consuming")
    # Before the pool processes fork: they share these pages and never walk them in a
    # collection (staffing/base/memory.py).
    long_lived_freeze()


@shared_task(name="staffing.tasks.write_pool_snapshot", time_limit=300, soft_time_limit=280)
def write_pool_snapshot() -> bool:
    """Beat: write this worker's pool as the snapshot starting workers load (if configured)."""
    return pool_snapshot_write() is not None


@shared_task(name="staffing.tasks.analyze_stale_tables", time_limit=300, soft_time_limit=280)
def analyze_stale_tables() -> list[str]:
    """Beat: fresh planner statistics for tables that changed, where autovacuum is off."""
    return stale_tables_analyze()


@worker_process_init.connect
def _warm_pool(**kwargs: object) -> None:
    """Load the candidate pool in the background as soon as a worker process starts.

    Loading a million people takes seconds; doing it here (off the task path, in a thread so
    the process start is not held up) means the first urgent request does not wait for it.
    Where the main process loaded it before forking (`_pool_before_consuming`), this only
    catches it up.
    """
    threading.Thread(target=pool_warm, name="pool-warm", daemon=True).start()


@shared_task(name="staffing.tasks.advance_request_offers", time_limit=60, soft_time_limit=50)
def advance_request_offers(request_id: int) -> int:
    """Expire one request's overdue offers and send its next wave if needed (after a decline)."""
    return len(offer_waves_advance(staffing_request_id=request_id))


@shared_task(name="staffing.tasks.send_first_offer_wave", time_limit=60, soft_time_limit=50)
def send_first_offer_wave(request_id: int, by_id: int | None) -> int:
    """The first offers after a recruiter approved the shortlist (queued on the approval's
    commit; the offer-wave sweep sends it if this message is lost)."""
    req = StaffingRequest.objects.filter(pk=request_id).first()
    if req is None:
        return 0
    by = User.objects.filter(pk=by_id).first() if by_id else None
    return len(offer_wave_send(staffing_request=req, by=by))


@shared_task(name="staffing.tasks.backfill_request", time_limit=60, soft_time_limit=50)
def backfill_request(request_id: int, by_id: int | None, reason: str) -> int:
    """Offer a reopened place (a client's decline, a no-show) to the next people."""
    req = StaffingRequest.objects.filter(pk=request_id).first()
    if req is None:
        return 0
    by = User.objects.filter(pk=by_id).first() if by_id else None
    return len(request_backfill(staffing_request=req, by=by, reason=reason))


@shared_task(name="staffing.tasks.advance_offer_waves", time_limit=120, soft_time_limit=100)
def advance_offer_waves() -> int:
    """Beat: expire overdue offers and send next waves for every request still offering."""
    return offer_waves_advance_due()


@shared_task(name="staffing.tasks.send_email", time_limit=30, soft_time_limit=25)
def send_email(email_id: int) -> bool:
    """Send one queued email; at most once (the row is claimed before sending)."""
    return email_send(email_id=email_id)


@shared_task(name="staffing.tasks.send_emails", time_limit=300, soft_time_limit=280)
def send_emails(email_ids: list[int]) -> int:
    """Send a batch of queued emails (a bulk action's, an urgent request's recruiters')."""
    return emails_send(email_ids=email_ids)


@shared_task(name="staffing.tasks.sweep_unsent_emails", time_limit=60)
def sweep_unsent_emails() -> int:
    """Beat: queue again emails still waiting a minute after they were queued (broker was down),
    and the recruiters' alerts of urgent requests whose writing task was lost."""
    waited = dt.timedelta(seconds=settings.EMAIL_REQUEUE_SECONDS)
    alerts = 0
    try:  # a failing alert sweep must not stop the outbox's own
        alerts = urgent_alerts_unwritten_requeue(waited=waited)
    except Exception:
        logger.exception("The urgent alerts' sweep failed")
    return alerts + emails_unsent_requeue(waited=waited)


@shared_task(name="staffing.tasks.alert_urgent_request", time_limit=60, soft_time_limit=50)
def alert_urgent_request(request_id: int) -> int:
    """Write (and queue the sending of) the recruiters' alert of an urgent request."""
    return len(urgent_request_alert(request_id=request_id))


@shared_task(name="staffing.tasks.complete_ended_placements", time_limit=120, soft_time_limit=100)
def complete_ended_placements() -> int:
    """Beat: mark confirmed placements whose shift has ended as completed."""
    return len(placements_complete())
