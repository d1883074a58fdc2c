"""Bookkeeping of when a person was last active (for retention) and when they were reminded."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from candidates.models import Candidate, CandidateActivity


def activity_record(*, candidate: Candidate, now: dt.datetime | None = None) -> None:
    """Note that the person did something themselves; this restarts the retention clock."""
    now = now or timezone.now()
    updated = CandidateActivity.objects.filter(candidate=candidate).update(
        last_seen_at=now, renewal_requested_at=None
    )
    if not updated:
        CandidateActivity.objects.get_or_create(candidate=candidate, defaults={"last_seen_at": now})


def candidate_resume(*, candidate: Candidate) -> bool:
    """Put a paused profile back in the pool (paused after inactivity without retention consent).

    A profile waiting for email verification or erased stays as it is. Returns whether it resumed.
    """

    if candidate.status != Candidate.Status.INACTIVE or candidate.user is None:
        return False
    # Imported here: signup records activity through this module, which it imports first.
    from candidates.services.signup import email_verification_pending

    if email_verification_pending(user=candidate.user):
        return False
    Candidate.objects.filter(pk=candidate.pk).update(status=Candidate.Status.ACTIVE)
    Candidate.objects.filter(pk__in=[candidate.pk]).touch()
    activity_record(candidate=candidate)
    return True
