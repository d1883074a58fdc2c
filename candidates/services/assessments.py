"""Recording structured assessments; the ones the person can see, and a written statement of
one on request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.languages import CEFRLevel, Language
from candidates.models import Assessment, Candidate, CandidateLanguage, StatementRequest
from candidates.scales import AREA_ANCHORS
from candidates.services.consent import candidate_benches_refresh_enqueue
from staffing.base.audit import audit_record
from staffing.base.models import User
from staffing.base.outbox import email_queue

ASSESSMENT_FIELDS = (
    "kind",
    *AREA_ANCHORS,
    "evenings_weekends_confirmed",
    "language_checked",
    "language_level_verified",
    "summary",
    "notes",
)


@transaction.atomic
def assessment_record(
    *, candidate: Candidate, by: User, assessed_on: dt.date, data: dict[str, Any]
) -> Assessment:
    """A recruiter records a structured assessment. The engine and the benches see it at once:
    its scores, and a language check's verified level, which then counts instead of the level
    the person gave themselves (`staffing.services.pool`)."""
    values = {name: data[name] for name in ASSESSMENT_FIELDS if name in data}
    values["language_checked"] = values.get("language_checked") or ""
    assessed_at = timezone.now()
    if assessed_on != timezone.localdate(assessed_at):
        assessed_at = timezone.make_aware(dt.datetime.combine(assessed_on, dt.time(12)))
    assessment = Assessment.objects.create(
        candidate=candidate, assessed_by=by, assessed_at=assessed_at, **values
    )
    Candidate.objects.filter(pk__in=[candidate.pk]).touch()
    candidate_benches_refresh_enqueue(candidate=candidate)
    audit_record(
        actor=by,
        action="assessment.recorded",
        target=assessment,
        candidate_id=candidate.pk,
        data={
            "kind": assessment.kind,
            "language": assessment.language_checked,
            "level": assessment.language_level_verified,
        },
    )
    return assessment


def verified_levels(*, candidate: Candidate) -> dict[str, int]:
    """Language code → the level of the latest language check of it."""
    out: dict[str, int] = {}
    rows = candidate.assessments.exclude(language_level_verified=None).order_by(
        "-assessed_at", "-id"
    )
    for language, level in rows.values_list("language_checked", "language_level_verified"):
        if level is not None:
            out.setdefault(language, level)
    return out


@dataclass(frozen=True)
class LanguageRow:
    """One language as the person gave it and as a language check verified it."""

    language: str
    label: str
    self_assessed: str
    verified: str


def language_rows(*, candidate: Candidate, verified: dict[str, int]) -> list[LanguageRow]:
    own = {row.language: row.level for row in candidate.languages.all()}
    return [
        LanguageRow(
            language=code,
            label=str(Language(code).label),
            self_assessed=str(CEFRLevel(own[code]).label) if code in own else "",
            verified=str(CEFRLevel(verified[code]).label) if code in verified else "",
        )
        for code in [*own, *(c for c in verified if c not in own)]
    ]


def language_rows_many(*, candidates: list[Candidate]) -> dict[int, list[LanguageRow]]:
    """`language_rows` of several people in two queries (a page of search results)."""
    ids = [c.pk for c in candidates]
    verified: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    checks = (
        Assessment.objects.filter(candidate_id__in=ids)
        .exclude(language_level_verified=None)
        .order_by("-assessed_at", "-id")
        .values_list("candidate_id", "language_checked", "language_level_verified")
    )
    for candidate_id, language, level in checks:
        if level is not None:
            verified[candidate_id].setdefault(language, level)
    own: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for row in CandidateLanguage.objects.filter(candidate_id__in=ids):
        own[row.candidate_id][row.language] = row.level
    out = {}
    for pk in ids:
        mine, checked = own[pk], verified[pk]
        out[pk] = [
            LanguageRow(
                language=code,
                label=str(Language(code).label),
                self_assessed=str(CEFRLevel(mine[code]).label) if code in mine else "",
                verified=str(CEFRLevel(checked[code]).label) if code in checked else "",
            )
            for code in [*mine, *(c for c in checked if c not in mine)]
        ]
    return out


class StatementError(Exception):
    """A statement that cannot be written; the message is for the recruiter."""


@dataclass(frozen=True)
class AssessmentView:
    """One assessment as the person sees it: the statements written, and any request open."""

    assessment: Assessment
    statements: list[StatementRequest]
    open_request: StatementRequest | None


def assessments_for_candidate(*, candidate: Candidate) -> list[AssessmentView]:
    out = []
    for assessment in candidate.assessments.prefetch_related("statement_requests"):
        requests = list(assessment.statement_requests.all())
        out.append(
            AssessmentView(
                assessment=assessment,
                statements=[r for r in requests if r.answered_at is not None],
                open_request=next((r for r in requests if r.answered_at is None), None),
            )
        )
    return out


def statement_request_create(*, assessment: Assessment, by: User) -> StatementRequest:
    """The person asks for a written statement of an assessment; every recruiter is emailed.

    Asking again while a request is open returns the open one (no second email).
    """
    try:
        with transaction.atomic():
            request = StatementRequest.objects.create(
                assessment=assessment, candidate_id=assessment.candidate_id
            )
            audit_record(
                actor=by,
                action="assessment.statement_requested",
                target=request,
                candidate_id=assessment.candidate_id,
                data={"assessment": assessment.pk},
            )
            _recruiters_tell(request)
    except IntegrityError:  # one open request per assessment (a database constraint)
        return StatementRequest.objects.open().get(assessment=assessment)
    return request


def _recruiters_tell(request: StatementRequest) -> None:
    link = settings.SITE_URL + reverse("recruiter_candidate_detail", args=[request.candidate_id])
    recruiters = User.objects.filter(
        role__in=[User.Role.RECRUITER, User.Role.ADMIN], is_active=True
    )
    for recruiter in recruiters:
        email_queue(
            key=f"statement-requested:{request.pk}:{recruiter.pk}",
            to=recruiter.email,
            language=recruiter.language or settings.LANGUAGE_CODE,
            template="recruiter_statement_requested",
            context={"statement_request": request, "link": link},
        )


def statement_write(
    *, statement_request: StatementRequest, by: User, statement: str
) -> StatementRequest:
    """A recruiter answers an open request with the written statement the person then reads."""
    statement = statement.strip()[:4000]
    if not statement:
        raise StatementError(_("Please write the statement."))
    with transaction.atomic():
        locked = StatementRequest.objects.select_for_update().get(pk=statement_request.pk)
        if locked.answered_at is not None:
            raise StatementError(_("This statement has already been written."))
        locked.statement = statement
        locked.answered_by = by
        locked.answered_at = timezone.now()
        locked.save(update_fields=["statement", "answered_by", "answered_at"])
        audit_record(
            actor=by,
            action="assessment.statement_written",
            target=locked,
            candidate_id=locked.candidate_id,
            data={"assessment": locked.assessment_id},
        )
    return locked
