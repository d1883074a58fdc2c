"""Celery tasks: thin interfaces that take ids and call a service."""

from __future__ import annotations

import datetime as dt
import threading

from celery import shared_task
from celery.signals import worker_process_init
from django.utils import timezone

from staffing.models import StaffingRequest
from staffing.services.bench import (
    bench_profiles_for_candidate,
    bench_refresh,
    benches_refresh_all,
)
from staffing.services.matching import shortlist_build
from staffing.services.pool import pool_warm
from staffing.services.requests import matching_enqueue


@shared_task(time_limit=60, soft_time_limit=50)
def match_request(request_id: int) -> int | None:
    """Build the shortlist of one request; idempotent (a matched request is left alone)."""
    shortlist = shortlist_build(request_id=request_id)
    return shortlist.pk if shortlist else None


@shared_task(time_limit=60)
def sweep_unmatched_requests() -> int:
    """Queue matching again for requests that have waited too long (broker or worker was down)."""
    cutoff = timezone.now() - dt.timedelta(seconds=20)
    ids = list(
        StaffingRequest.objects.filter(
            status=StaffingRequest.Status.RECEIVED, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    for request_id in ids:
        matching_enqueue(request_id=request_id)
    return len(ids)


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
