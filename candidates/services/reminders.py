"""Scheduled asks: re-confirm stale availability; renew a profile after long inactivity or go.

Both claim their work with a conditional UPDATE on CandidateActivity, so a retried or doubled
beat run sends each email at most once per period.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from candidates.models import Candidate, CandidateActivity
from candidates.services.activity import activity_record
from candidates.services.availability import availability_confirm_token
from staffing.base.audit import audit_record

RENEW_SALT = "candidates.renew"


def ensure_activity_rows() -> None:
    missing = Candidate.objects.exclude(status=Candidate.Status.ERASED).filter(
        activity__isnull=True
    )
    CandidateActivity.objects.bulk_create(
        [CandidateActivity(candidate_id=pk) for pk in missing.values_list("pk", flat=True)],
        ignore_conflicts=True,
    )


def reminder_send(candidate: Candidate, subject: str, template: str, context: dict) -> None:
    language = getattr(candidate.user, "language", settings.LANGUAGE_CODE)
    with translation.override(language):
        body = render_to_string(template, {"candidate": candidate, **context})
        send_mail(str(_(subject)), body, None, [candidate.email])


def availability_reminders_send(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Email people whose availability is stale, at most once per staleness period."""
    now = now or timezone.now()
    stale = now - dt.timedelta(days=settings.AVAILABILITY_STALE_DAYS)
    ensure_activity_rows()
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
        reminder_send(
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
