"""The retention sweep (docs/privacy.md): people inactive for long are taken out of the pool,
asked whether to keep their profile, and erased when they do not answer. The forecast of what it
will do is `candidates.services.retention`.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate, CandidateActivity, ConsentPurpose, RetentionRun
from candidates.services.reminders import ensure_activity_rows, reminder_send, renewal_token
from staffing.base.audit import audit_event, audit_record
from staffing.base.models import AuditEvent
from staffing.services.personal_data.erasure import candidates_erase

# People erased per transaction by the sweep: one scan of the other tables serves the batch
# (docs/privacy.md has the figures), and a short transaction holds few locks.
ERASURE_BATCH_SIZE = 10


def _clock() -> float:
    return time.monotonic()


def retention_sweep(
    *,
    now: dt.datetime | None = None,
    limit: int = 200,
    batch_size: int = ERASURE_BATCH_SIZE,
    budget_seconds: float | None = None,
) -> dict[str, int]:
    """The retention job (docs/privacy.md):

    1. people inactive for RETENTION_POOL_DAYS without the "keep my profile" consent leave the pool;
    2. people inactive for RETENTION_INACTIVE_DAYS are asked to renew;
    3. people asked more than RETENTION_RENEWAL_DAYS ago who did not answer are erased, in
       batches of `batch_size`, each batch in its own transaction.

    The run's row is written at the start and its counts after each step and batch, so a run
    cut short still shows what it did. With `budget_seconds`, no batch is started that would
    end after it (judged by the slowest batch so far); those left are erased by the next run.
    """
    started = _clock()
    now = now or timezone.now()
    run = RetentionRun.objects.create(ran_at=now)
    ensure_activity_rows()
    result = {"paused": 0, "asked": 0, "erased": 0}
    result["paused"] = _pause_without_retention_consent(now)
    RetentionRun.objects.filter(pk=run.pk).update(paused=result["paused"])
    inactive_since = now - dt.timedelta(days=settings.RETENTION_INACTIVE_DAYS)
    to_ask = CandidateActivity.objects.filter(
        last_seen_at__lt=inactive_since, renewal_requested_at__isnull=True
    ).exclude(candidate__status=Candidate.Status.ERASED)
    for activity in to_ask.select_related("candidate", "candidate__user")[:limit]:
        claimed = CandidateActivity.objects.filter(
            pk=activity.pk, renewal_requested_at__isnull=True
        ).update(renewal_requested_at=now)
        if claimed and activity.candidate.email:
            link = settings.SITE_URL + reverse(
                "candidate_renew", args=[renewal_token(candidate=activity.candidate)]
            )
            reminder_send(
                activity.candidate,
                "Do you want to keep your profile?",
                "candidates/email/renewal_request.txt",
                {"link": link, "days": settings.RETENTION_RENEWAL_DAYS},
            )
        if claimed:
            audit_record(
                actor=None,
                action="candidate.renewal_requested",
                target=activity.candidate,
                candidate_id=activity.candidate_id,
            )
        result["asked"] += claimed
    RetentionRun.objects.filter(pk=run.pk).update(asked=result["asked"])
    deadline = now - dt.timedelta(days=settings.RETENTION_RENEWAL_DAYS)
    expired = list(
        CandidateActivity.objects.filter(
            renewal_requested_at__lt=deadline, last_seen_at__lt=inactive_since
        )
        .exclude(candidate__status=Candidate.Status.ERASED)
        .order_by("candidate_id")
        .values_list("candidate_id", flat=True)[:limit]
    )
    slowest = 0.0
    for i in range(0, len(expired), batch_size):
        batch_started = _clock()
        if budget_seconds is not None and batch_started - started + slowest > budget_seconds:
            break
        erased = candidates_erase(candidate_ids=expired[i : i + batch_size], by=None)
        result["erased"] += erased
        RetentionRun.objects.filter(pk=run.pk).update(erased=F("erased") + erased)
        slowest = max(slowest, _clock() - batch_started)
    RetentionRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return result


@transaction.atomic
def _pause_without_retention_consent(now: dt.datetime) -> int:
    since = now - dt.timedelta(days=settings.RETENTION_POOL_DAYS)
    ids = list(
        Candidate.objects.filter(status=Candidate.Status.ACTIVE, activity__last_seen_at__lt=since)
        .exclude(consents__purpose=ConsentPurpose.RETENTION, consents__withdrawn_at__isnull=True)
        .values_list("pk", flat=True)
    )
    Candidate.objects.filter(pk__in=ids).update(status=Candidate.Status.INACTIVE)
    Candidate.objects.filter(pk__in=ids).touch()
    AuditEvent.objects.bulk_create(
        audit_event(
            actor=None,
            action="candidate.paused_inactive",
            target=Candidate(pk=pk),
            candidate_id=pk,
        )
        for pk in ids
    )
    return len(ids)
