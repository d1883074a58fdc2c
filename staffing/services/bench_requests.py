"""A recruiter asking for a bench to be rebuilt now, instead of waiting for the next change."""

from __future__ import annotations

from django.db import transaction

from clients.models import ServiceProfile
from staffing.celery import task_enqueue
from staffing.models import User
from staffing.services.audit import audit_record


def bench_refresh_request(*, profile: ServiceProfile, by: User) -> None:
    """Record the request and queue the profile's bench rebuild once this transaction commits."""
    with transaction.atomic():
        audit_record(actor=by, action="bench.refresh_requested", target=profile)
        transaction.on_commit(lambda: bench_refresh_enqueue(profile_id=profile.pk))


def bench_refresh_enqueue(*, profile_id: int) -> bool:
    """Queue one bench rebuild; False when the broker is down (the nightly run catches up)."""
    from staffing.tasks import refresh_bench

    return task_enqueue(refresh_bench, profile_id)
