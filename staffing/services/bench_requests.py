"""A recruiter asking for a bench to be rebuilt now, instead of waiting for the next change."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from clients.models import ServiceProfile
from staffing.base.audit import audit_record
from staffing.base.queueing import enqueue_on_commit
from staffing.models import Bench, User


def bench_refresh_request(*, profile: ServiceProfile, by: User) -> None:
    """Record the request and queue the profile's bench rebuild once this transaction commits.

    The request is kept on the bench (`refresh_requested_at`), so the bench sweep rebuilds it
    if the queued task is lost (a profile with no bench yet is rebuilt by the sweep anyway).
    """
    with transaction.atomic():
        audit_record(actor=by, action="bench.refresh_requested", target=profile)
        Bench.objects.filter(profile=profile).update(refresh_requested_at=timezone.now())
        bench_refresh_enqueue(profile_id=profile.pk)


def bench_refresh_enqueue(*, profile_id: int) -> None:
    """Queue one bench rebuild after commit (the bench sweep catches up if it is lost)."""
    enqueue_on_commit("staffing.tasks.refresh_bench", profile_id)
