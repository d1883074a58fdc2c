"""Scheduled asks: re-confirm stale availability; renew a profile after long inactivity or go.

Both claim their work with a conditional UPDATE on CandidateActivity, so a retried or doubled
beat run sends each email at most once per period.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from candidates.models import Candidate, CandidateActivity, ConsentPurpose, RetentionRun
from candidates.services.activity import activity_record
from candidates.services.availability import availability_confirm_token
from candidates.services.erasure import candidates_erase
from staffing.base.audit import audit_event, audit_record
from staffing.base.models import AuditEvent

RENEW_SALT = "candidates.renew"
# People erased per transaction by the sweep: one scan of the other tables serves the batch
# (docs/privacy.md has the figures), and a short transaction holds few locks.
ERASURE_BATCH_SIZE = 10


def _clock() -> float:
    return time.monotonic()


def _ensure_activity_rows() -> None:
    missing = Candidate.objects.exclude(status=Candidate.Status.ERASED).filter(
        activity__isnull=True
    )
    CandidateActivity.objects.bulk_create(
        [CandidateActivity(candidate_id=pk) for pk in missing.values_list("pk", flat=True)],
        ignore_conflicts=True,
    )


def _send(candidate: Candidate, subject: str, template: str, context: dict) -> None:
    language = getattr(candidate.user, "language", settings.LANGUAGE_CODE)
    with translation.override(language):
        body = render_to_string(template, {"candidate": candidate, **context})
        send_mail(str(_(subject)), body, None, [candidate.email])


def availability_reminders_send(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Email people whose availability is stale, at most once per staleness period."""
    now = now or timezone.now()
    stale = now - dt.timedelta(days=settings.AVAILABILITY_STALE_DAYS)
    _ensure_activity_rows()
    ids = list(
        Candidate.objects.filter(status=Candidate.Status.ACTIVE, user__isnull=False)
        .exclude(email="")
        .exclude(availability=0)  # never entered: nothing to re-confirm
        .filter(Q(availability_confirmed_at__isnull=True) | Q(availability_confirmed_at__lt=stale))
        .filter(
            Q(activity__availability_reminded_at__isnull=True)
            | Q(activity__availability_reminded_at__lt=stale)
        )
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for candidate in Candidate.objects.filter(pk__in=ids).select_related("user"):
        claimed = (
            CandidateActivity.objects.filter(candidate=candidate)
            .filter(
                Q(availability_reminded_at__isnull=True) | Q(availability_reminded_at__lt=stale)
            )
            .update(availability_reminded_at=now)
        )
        if not claimed:
            continue
        link = settings.SITE_URL + reverse(
            "candidate_availability_token", args=[availability_confirm_token(candidate=candidate)]
        )
        _send(
            candidate,
            "Is your availability still right?",
            "candidates/email/availability_reminder.txt",
            {"link": link, "grid_link": settings.SITE_URL + reverse("candidate_availability")},
        )
        sent += 1
    return sent


def renewal_token(*, candidate: Candidate) -> str:
    return signing.dumps({"c": candidate.pk}, salt=RENEW_SALT)


@transaction.atomic
def profile_renew_by_token(*, token: str) -> Candidate | None:
    """ "Keep my profile": restarts the retention clock. None for a bad or expired link."""
    max_age = dt.timedelta(days=settings.RETENTION_RENEWAL_DAYS * 2)
    try:
        payload = signing.loads(token, salt=RENEW_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    candidate = (
        Candidate.objects.exclude(status=Candidate.Status.ERASED)
        .filter(pk=payload.get("c"))
        .first()
    )
    if candidate is not None:
        activity_record(candidate=candidate)
        audit_record(
            actor=None, action="candidate.renewed", target=candidate, candidate_id=candidate.pk
        )
    return candidate


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
    _ensure_activity_rows()
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
            _send(
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
