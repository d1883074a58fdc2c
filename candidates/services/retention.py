"""What the retention sweep (candidates.services.reminders.retention_sweep) will do next, and
what it did: the agency admin's retention page.

The forecast applies the sweep's own rules to today's data, assuming nobody comes back: a person
who logs in meanwhile drops out of it, as they drop out of the sweep.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from candidates.models import Candidate, CandidateActivity, ConsentPurpose, RetentionRun


@dataclass(frozen=True)
class RetentionStep:
    """One thing the sweep will do to one person on `due` (if overdue: at its next run)."""

    kind: str  # "pause", "ask" or "erase"
    candidate_id: int
    last_seen_at: dt.datetime
    due: dt.datetime


def retention_forecast(*, now: dt.datetime | None = None, days: int = 30) -> list[RetentionStep]:
    """Everything the sweep will do within `days`, soonest first."""
    now = now or timezone.now()
    until = now + dt.timedelta(days=days)
    pool = dt.timedelta(days=settings.RETENTION_POOL_DAYS)
    inactive = dt.timedelta(days=settings.RETENTION_INACTIVE_DAYS)
    renewal = dt.timedelta(days=settings.RETENTION_RENEWAL_DAYS)
    rows = CandidateActivity.objects.exclude(candidate__status=Candidate.Status.ERASED)
    steps: list[RetentionStep] = []
    keeping = Candidate.objects.filter(
        consents__purpose=ConsentPurpose.RETENTION, consents__withdrawn_at__isnull=True
    ).values("pk")
    pausing = rows.filter(
        candidate__status=Candidate.Status.ACTIVE, last_seen_at__lt=until - pool
    ).exclude(candidate__in=keeping)
    for pk, seen in pausing.values_list("candidate_id", "last_seen_at"):
        steps.append(RetentionStep("pause", pk, seen, max(seen + pool, now)))
    asking = rows.filter(last_seen_at__lt=until - inactive)
    for pk, seen, asked in asking.values_list(
        "candidate_id", "last_seen_at", "renewal_requested_at"
    ):
        ask = max(seen + inactive, now)
        if asked is None:
            steps.append(RetentionStep("ask", pk, seen, ask))
        erase = (asked or ask) + renewal
        if erase <= until:
            steps.append(RetentionStep("erase", pk, seen, max(erase, now)))
    return sorted(steps, key=lambda s: (s.due, s.kind, s.candidate_id))


def retention_counts(steps: list[RetentionStep]) -> dict[str, int]:
    counts = {"pause": 0, "ask": 0, "erase": 0}
    for step in steps:
        counts[step.kind] += 1
    return counts


def retention_runs(*, limit: int = 30) -> list[RetentionRun]:
    """The latest sweeps and what each did."""
    return list(RetentionRun.objects.all()[:limit])
