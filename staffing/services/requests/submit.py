"""Staffing requests: submission and the hand-off to matching."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec

from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.models import Skill
from clients.models import ServiceProfile, Site
from staffing.base.audit import audit_record
from staffing.base.queueing import enqueue_on_commit, task_enqueue
from staffing.models import RequestLanguage, Shift, StaffingRequest, User
from staffing.services.notifications import request_entered_notify, urgent_request_alert_enqueue

MATCH_TASK = "staffing.tasks.match_request"


@dataclass(frozen=True)
class LanguageNeed:
    language: str
    level: int
    reason: str = ""


def staffing_request_submit_once(
    *,
    by: User,
    site: Site,
    service_profile: ServiceProfile,
    urgency: str,
    headcount: int,
    shifts: Sequence[tuple[dt.datetime, dt.datetime]],
    languages: Iterable[LanguageNeed] = (),
    required_skills: Iterable[Skill | int] = (),
    preferred_skills: Iterable[Skill | int] = (),
    notes: str = "",
    submission_key: uuid.UUID | None = None,
    entered_by: User | None = None,
) -> tuple[StaffingRequest, bool]:
    """Store a client's request and ask for its shortlist once the row is committed; returns
    it and whether this call stored it.

    A `submission_key` (the order form's one-time token) makes a resubmission return the
    request the first submission created (and False), with nothing stored twice. Nothing is
    read first: the request's insert meets the unique (company, submission key) constraint
    when the key was used, and only then is the earlier request read, so a first submission,
    nearly every one, costs no extra round trip. `entered_by`: the recruiter who took the
    order by phone for the client manager `by`, who is told by email.
    """
    try:
        with transaction.atomic():
            request = StaffingRequest.objects.create(
                submission_key=submission_key,
                company=site.company,
                site=site,
                service_profile=service_profile,
                urgency=urgency,
                headcount=headcount,
                role_type=service_profile.role_type,
                notes=notes,
                submitted_by=by,
                entered_by=entered_by,
            )
            _children_insert(
                request=request,
                shifts=shifts,
                languages=languages,
                required=required_skills,
                preferred=preferred_skills,
            )
            audit_record(
                actor=entered_by or by,
                action="request.submitted",
                target=request,
                staffing_request_id=request.pk,
                data={
                    "headcount": headcount,
                    "urgency": urgency,
                    "shifts": len(shifts),
                    **({"for": by.pk, "entered_by": entered_by.pk} if entered_by else {}),
                },
            )
            # Queued first: the match is published before the emails' tasks after the commit.
            enqueue_on_commit(MATCH_TASK, request.pk)
            if entered_by is not None:
                request_entered_notify(staffing_request=request)
            if urgency == StaffingRequest.Urgency.URGENT:
                urgent_request_alert_enqueue(staffing_request=request)
    except IntegrityError:
        # Sent before (or twice at once: the other submission stored it).
        earlier = (
            StaffingRequest.objects.filter(
                company_id=site.company_id, submission_key=submission_key
            ).first()
            if submission_key is not None
            else None
        )
        if earlier is None:  # another constraint failed
            raise
        return earlier, False
    return request, True


_P = ParamSpec("_P")


def _request_only(
    submit: Callable[_P, tuple[StaffingRequest, bool]],
) -> Callable[_P, StaffingRequest]:
    def staffing_request_submit(*args: _P.args, **kwargs: _P.kwargs) -> StaffingRequest:
        """`staffing_request_submit_once`'s request only (the earlier one for a resent key)."""
        return submit(*args, **kwargs)[0]

    return staffing_request_submit


# The same, for callers that need only the request (the earlier one for a resent key).
staffing_request_submit = _request_only(staffing_request_submit_once)


def _children_insert(
    *,
    request: StaffingRequest,
    shifts: Sequence[tuple[dt.datetime, dt.datetime]],
    languages: Iterable[LanguageNeed],
    required: Iterable[Skill | int],
    preferred: Iterable[Skill | int],
) -> None:
    """A new request's shifts, languages and skills (the database checks them: a shift ends
    after it starts, one level per language, real skills)."""
    Shift.objects.bulk_create(Shift(request=request, starts_at=a, ends_at=b) for a, b in shifts)
    RequestLanguage.objects.bulk_create(
        RequestLanguage(request=request, language=n.language, level=n.level, reason=n.reason)
        for n in languages
    )
    # A new request has no skills yet: one insert each, not `set()`'s read first.
    _skills_insert(StaffingRequest.required_skills.through, request, required)
    _skills_insert(StaffingRequest.preferred_skills.through, request, preferred)


def _skills_insert(through: Any, request: StaffingRequest, skills: Iterable[Skill | int]) -> None:
    through.objects.bulk_create(
        through(staffingrequest_id=request.pk, skill_id=skill_id)
        for skill_id in sorted({_skill_id(s) for s in skills})
    )


def _skill_id(skill: Skill | int) -> int:
    return skill if isinstance(skill, int) else skill.pk


def matching_enqueue(*, request_id: int) -> bool:
    """Queue matching for a committed request; False when the broker is unreachable.

    A request the broker never heard of is still in the database as RECEIVED, and the beat sweep
    (`sweep_unmatched_requests`) queues it again, so a Redis outage delays a shortlist but never
    loses it.
    """
    return task_enqueue(MATCH_TASK, request_id)


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
