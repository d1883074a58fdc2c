"""Celery tasks for candidates: thin interfaces over candidates.services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from candidates.services.imports import candidate_import_run, candidate_imports_requeue
from candidates.services.notes import task_digests_send
from candidates.services.reminders import availability_reminders_send
from candidates.services.saved_searches import saved_searches_check
from staffing.services.candidate_search import StaffingSearchContext
from staffing.services.personal_data.retention_sweep import retention_sweep


@shared_task(name="candidates.tasks.remind_stale_availability", time_limit=300, soft_time_limit=280)
def remind_stale_availability() -> int:
    """Email people with stale availability; each at most once per staleness period."""
    return availability_reminders_send()


RETENTION_SOFT_LIMIT = 580


@shared_task(
    name="candidates.tasks.candidate_retention",
    time_limit=RETENTION_SOFT_LIMIT + 20,
    soft_time_limit=RETENTION_SOFT_LIMIT,
)
def candidate_retention() -> dict[str, int]:
    """Pause, ask to renew, or erase long-inactive people (see docs/privacy.md). Stops starting
    erasure batches a minute before the soft limit; the next run erases those left."""
    return retention_sweep(budget_seconds=RETENTION_SOFT_LIMIT - 60)


@shared_task(name="candidates.tasks.send_task_digests", time_limit=300, soft_time_limit=280)
def send_task_digests() -> int:
    """The morning email of tasks due today or overdue; at most one per recruiter per day."""
    return task_digests_send()


@shared_task(name="candidates.tasks.check_saved_searches", time_limit=600, soft_time_limit=580)
def check_saved_searches() -> int:
    """Email recruiters about people who newly match their saved searches (each person once)."""
    return saved_searches_check(context=StaffingSearchContext())


@shared_task(name="candidates.tasks.candidate_import", time_limit=600, soft_time_limit=570)
def candidate_import(import_id: int) -> int:
    """Run one queued import (claimed, so a duplicate message does nothing); returns the
    number of people created."""
    batch = candidate_import_run(import_id=import_id)
    return batch.created_count if batch is not None else 0


@shared_task(name="candidates.tasks.sweep_candidate_imports", time_limit=60, soft_time_limit=50)
def sweep_candidate_imports() -> int:
    """Queue again the imports whose message was lost or whose worker died."""
    return candidate_imports_requeue(
        waited=dt.timedelta(seconds=settings.IMPORT_REQUEUE_SECONDS),
        stalled=dt.timedelta(seconds=settings.IMPORT_STALLED_SECONDS),
    )
