"""Celery tasks: thin interfaces that take ids and call a service."""

from __future__ import annotations

import datetime as dt
import threading

from celery import shared_task
from celery.signals import task_prerun, worker_process_init
from django.db import close_old_connections

from staffing.services.bench import (
    bench_profiles_for_candidate,
    bench_refresh,
    benches_refresh_all,
)
from staffing.services.matching import shortlists_build
from staffing.services.notifications import (
    email_send,
    emails_unsent_requeue,
    placements_cancelled_tell,
)
from staffing.services.offers import offer_waves_advance, offer_waves_advance_due
from staffing.services.placements import placements_complete
from staffing.services.pool import pool_warm
from staffing.services.requests import requests_unmatched_requeue


@shared_task(time_limit=60, soft_time_limit=50)
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


@shared_task(time_limit=60)
def sweep_unmatched_requests() -> int:
    """Queue matching again for requests that have waited too long (broker or worker was down)."""
    return requests_unmatched_requeue(waited=dt.timedelta(seconds=20))


@shared_task(time_limit=600, soft_time_limit=570)
def refresh_all_benches() -> int:
    """Nightly rebuild of every service profile's bench (see staffing.services.bench)."""
    return benches_refresh_all()


@shared_task(time_limit=120, soft_time_limit=100)
def refresh_bench(profile_id: int) -> bool:
    """Rebuild one profile's bench; queue it when the profile or its typical shifts change."""
    return bench_refresh(profile_id=profile_id) is not None


@shared_task(time_limit=300, soft_time_limit=280)
def refresh_benches_for_candidate(candidate_id: int) -> int:
    """Rebuild the benches a changed person is on or now fits; queue it after candidate_touch."""
    profile_ids = bench_profiles_for_candidate(candidate_id=candidate_id)
    for profile_id in profile_ids:
        bench_refresh(profile_id=profile_id)
    return len(profile_ids)


@worker_process_init.connect
def _warm_pool(**kwargs: object) -> None:
    """Load the candidate pool in the background as soon as a worker process starts.

    Loading a million people takes seconds; doing it here (off the task path, in a thread so
    the process start is not held up) means the first urgent request does not wait for it.
    """
    threading.Thread(target=pool_warm, name="pool-warm", daemon=True).start()


@shared_task(time_limit=60, soft_time_limit=50)
def advance_request_offers(request_id: int) -> int:
    """Expire one request's overdue offers and send its next wave if needed (after a decline)."""
    return len(offer_waves_advance(staffing_request_id=request_id))


@shared_task(time_limit=120, soft_time_limit=100)
def advance_offer_waves() -> int:
    """Beat: expire overdue offers and send next waves for every request still offering."""
    return offer_waves_advance_due()


@shared_task(time_limit=30, soft_time_limit=25)
def send_email(email_id: int) -> bool:
    """Send one queued email; at most once (the row is claimed before sending)."""
    return email_send(email_id=email_id)


@shared_task(time_limit=60)
def sweep_unsent_emails() -> int:
    """Beat: queue again emails still waiting a minute after they were queued (broker was down)."""
    return emails_unsent_requeue(waited=dt.timedelta(minutes=1))


@shared_task(time_limit=60, soft_time_limit=50)
def placements_cancelled_notify(placement_ids: list[int], reason: str) -> int:
    """Tell people the client cancelled their placements; each email is queued once."""
    return len(placements_cancelled_tell(placement_ids=placement_ids, reason=reason))


@shared_task(time_limit=120, soft_time_limit=100)
def complete_ended_placements() -> int:
    """Beat: mark confirmed placements whose shift has ended as completed."""
    return len(placements_complete())
