"""Profile, languages, skills and work experience."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from candidates.geo import postal_code_lookup
from candidates.models import (
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    Skill,
    WorkExperience,
)
from candidates.services.activity import activity_record
from candidates.services.consent import candidate_benches_refresh_enqueue
from staffing.base.audit import audit_record
from staffing.base.models import User

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "postal_code",
    "max_travel_km",
    "works_retail",
    "works_office",
    "introduction",
)


class UnknownPostalCode(ValueError):
    pass


@transaction.atomic
def profile_update(*, candidate: Candidate, by: User | None, data: dict[str, Any]) -> Candidate:
    """Save the person's own profile fields; the postal code becomes coordinates.

    Raises UnknownPostalCode for a code that is not in the postal-code data.
    """
    fields = [name for name in PROFILE_FIELDS if name in data]
    for name in fields:
        setattr(candidate, name, data[name])
    if "postal_code" in data:
        place = postal_code_lookup(candidate.postal_code) if candidate.postal_code else None
        if candidate.postal_code and place is None:
            raise UnknownPostalCode(_("Postal code %s is not known.") % candidate.postal_code)
        candidate.latitude = place.latitude if place else None
        candidate.longitude = place.longitude if place else None
        fields += ["latitude", "longitude"]
    candidate.save(update_fields=fields)
    _changed(candidate, by, "candidate.profile_updated", {"fields": fields})
    return candidate


def _changed(candidate: Candidate, by: User | None, action: str, data: dict[str, Any]) -> None:
    """Tell the matching pool, restart the retention clock, and write the audit row."""
    Candidate.objects.filter(pk__in=[candidate.pk]).touch()
    candidate_benches_refresh_enqueue(candidate=candidate)
    if by is not None and getattr(by, "candidate", None) == candidate:
        activity_record(candidate=candidate)
    audit_record(actor=by, action=action, target=candidate, candidate_id=candidate.pk, data=data)


@transaction.atomic
def language_set(
    *, candidate: Candidate, by: User | None, language: str, level: int
) -> CandidateLanguage:
    row, _created = CandidateLanguage.objects.update_or_create(
        candidate=candidate, language=language, defaults={"level": level}
    )
    _changed(candidate, by, "candidate.language_set", {"language": language, "level": level})
    return row


@transaction.atomic
def language_remove(*, candidate: Candidate, by: User | None, language: str) -> None:
    candidate.languages.filter(language=language).delete()
    _changed(candidate, by, "candidate.language_removed", {"language": language})


@transaction.atomic
def skill_set(*, candidate: Candidate, by: User | None, skill: Skill, level: int) -> CandidateSkill:
    row, _created = CandidateSkill.objects.update_or_create(
        candidate=candidate, skill=skill, defaults={"level": level}
    )
    _changed(candidate, by, "candidate.skill_set", {"skill": skill.code, "level": level})
    return row


@transaction.atomic
def skill_remove(*, candidate: Candidate, by: User | None, skill_id: int) -> None:
    candidate.skills.filter(skill_id=skill_id).delete()
    _changed(candidate, by, "candidate.skill_removed", {"skill_id": skill_id})


@transaction.atomic
def experience_add(
    *,
    candidate: Candidate,
    by: User | None,
    employer: str,
    title: str,
    started: dt.date,
    ended: dt.date | None = None,
    description: str = "",
) -> WorkExperience:
    """Add a past job. Experience is not read by the matching engine, so the pool is not told."""
    row = WorkExperience.objects.create(
        candidate=candidate,
        employer=employer,
        title=title,
        started=started,
        ended=ended,
        description=description,
    )
    activity_record(candidate=candidate)
    audit_record(
        actor=by, action="candidate.experience_added", target=row, candidate_id=candidate.pk
    )
    return row


@transaction.atomic
def experience_remove(*, candidate: Candidate, by: User | None, experience_id: int) -> None:
    candidate.experiences.filter(pk=experience_id).delete()
    audit_record(
        actor=by,
        action="candidate.experience_removed",
        target=candidate,
        candidate_id=candidate.pk,
        data={"experience_id": experience_id},
    )
