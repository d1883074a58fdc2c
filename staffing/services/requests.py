"""Staffing requests: submission and the hand-off to matching."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from candidates.models import Skill
from clients.models import ServiceProfile, Site
from staffing.celery import task_enqueue
from staffing.models import RequestLanguage, Shift, StaffingRequest, User
from staffing.services.audit import audit_record
from staffing.services.notifications import urgent_request_notify


@dataclass(frozen=True)
class LanguageNeed:
    language: str
    level: int
    reason: str = ""


def staffing_request_submit(
    *,
    by: User,
    site: Site,
    service_profile: ServiceProfile,
    urgency: str,
    headcount: int,
    shifts: Sequence[tuple[dt.datetime, dt.datetime]],
    languages: Iterable[LanguageNeed] = (),
    required_skills: Iterable[Skill] = (),
    preferred_skills: Iterable[Skill] = (),
    notes: str = "",
) -> StaffingRequest:
    """Store a client's request and ask for its shortlist once the row is committed."""
    with transaction.atomic():
        request = StaffingRequest.objects.create(
            company=site.company,
            site=site,
            service_profile=service_profile,
            urgency=urgency,
            headcount=headcount,
            role_type=service_profile.role_type,
            notes=notes,
            submitted_by=by,
        )
        Shift.objects.bulk_create(
            Shift(request=request, starts_at=start, ends_at=end) for start, end in shifts
        )
        # A new request has no languages or skills yet: plain inserts, and none when empty
        # (`.set()` would read the empty relation first; each statement costs ~0.5 ms of CPU).
        needs = [
            RequestLanguage(request=request, language=n.language, level=n.level, reason=n.reason)
            for n in languages
        ]
        if needs:
            RequestLanguage.objects.bulk_create(needs)
        for relation, skills in (
            (StaffingRequest.required_skills, required_skills),
            (StaffingRequest.preferred_skills, preferred_skills),
        ):
            through = relation.through
            ids = {getattr(s, "pk", s) for s in skills}
            rows = [through(staffingrequest_id=request.pk, skill_id=pk) for pk in sorted(ids)]
            if rows:
                through.objects.bulk_create(rows)
        audit_record(
            actor=by,
            action="request.submitted",
            target=request,
            staffing_request_id=request.pk,
            data={"headcount": headcount, "urgency": urgency, "shifts": len(shifts)},
        )
        if urgency == StaffingRequest.Urgency.URGENT:
            urgent_request_notify(staffing_request=request)
        transaction.on_commit(lambda: matching_enqueue(request_id=request.pk))
    return request


def matching_enqueue(*, request_id: int) -> bool:
    """Queue matching for a committed request; False when the broker is unreachable.

    A request the broker never heard of is still in the database as RECEIVED, and the beat sweep
    (`sweep_unmatched_requests`) queues it again, so a Redis outage delays a shortlist but never
    loses it.
    """
    from staffing.tasks import match_request

    return task_enqueue(match_request, request_id)


def requests_unmatched_requeue(*, waited: dt.timedelta, limit: int = 500) -> int:
    """Queue matching again for requests still unmatched after `waited` (the broker or a worker
    was down when they arrived); returns how many were queued."""
    cutoff = timezone.now() - waited
    ids = list(
        StaffingRequest.objects.filter(
            status=StaffingRequest.Status.RECEIVED, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:limit]
    )
    for request_id in ids:
        matching_enqueue(request_id=request_id)
    return len(ids)
