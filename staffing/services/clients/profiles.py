"""Service profiles: what the client values, the languages, skills and shifts it usually needs,
and the matching weights, each saved set of which is a new rules version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from candidates.models import Skill
from clients.models import (
    ClientCompany,
    ProfileLanguage,
    ProfileRulesVersion,
    ServiceProfile,
    TypicalShift,
)
from staffing.base.audit import audit_record
from staffing.matching.rules import DEFAULT_WEIGHTS, weights_resolve
from staffing.models import User
from staffing.services.bench_requests import bench_refresh_enqueue
from staffing.services.clients.companies import fields_apply

PROFILE_FIELDS = ("site", "name", "role_type", "focus", "description", "is_active")


@transaction.atomic
def service_profile_save(
    *,
    company: ClientCompany,
    profile: ServiceProfile | None,
    data: Mapping[str, Any],
    valued_skills: Iterable[Skill],
    languages: Sequence[tuple[str, int]],
    typical_shifts: Sequence[tuple[int, dt.time, dt.time]],
    by: User,
) -> ServiceProfile:
    """Create or change a profile with its languages (code, CEFR level), valued skills and
    typical shifts (weekday, start, end); its bench is rebuilt after the commit."""
    site = data.get("site") or (profile.site if profile else None)
    if site is None or site.company_id != company.pk:
        raise ValidationError(_("Choose one of this client's sites."))
    created = profile is None
    profile = profile or ServiceProfile(company=company)
    changed = fields_apply(profile, data, PROFILE_FIELDS)
    profile.save()
    profile.valued_skills.set(list(valued_skills))
    profile.languages.all().delete()
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage(profile=profile, language=code, level=level) for code, level in languages
    )
    profile.typical_shifts.all().delete()
    TypicalShift.objects.bulk_create(
        TypicalShift(profile=profile, weekday=day, start_time=start, end_time=end)
        for day, start, end in typical_shifts
    )
    audit_record(
        actor=by,
        action="profile.created" if created else "profile.changed",
        target=profile,
        data={
            "fields": changed,
            "languages": [f"{code}:{level}" for code, level in languages],
            "typical_shifts": len(typical_shifts),
        },
    )
    bench_refresh_enqueue(profile_id=profile.pk)
    return profile


def weights_overrides(weights: Mapping[str, float]) -> dict[str, float]:
    """The weights that differ from the defaults (what a profile stores), from a full set."""
    resolved = weights_resolve(weights)
    return {code: w for code, w in resolved.items() if w != DEFAULT_WEIGHTS[code]}


@transaction.atomic
def profile_weights_save(
    *, profile: ServiceProfile, weights: Mapping[str, float], by: User
) -> ProfileRulesVersion | None:
    """Save new matching weights as the profile's next rules version (None when they equal the
    current ones: nothing is saved). Shortlists and the bench ranked from now on name the new
    version; older shortlists keep theirs and replay from their own stored weights."""
    locked = ServiceProfile.objects.select_for_update().get(pk=profile.pk)
    if weights_resolve(weights) == weights_resolve(locked.weights):
        return None
    overrides = weights_overrides(weights)
    number = locked.weights_version + 1
    version = ProfileRulesVersion.objects.create(
        profile=locked, number=number, weights=weights_resolve(weights), created_by=by
    )
    before = weights_resolve(locked.weights)
    locked.weights, locked.weights_version = overrides, number
    locked.save(update_fields=["weights", "weights_version", "updated_at"])
    profile.weights, profile.weights_version = locked.weights, number
    audit_record(
        actor=by,
        action="profile.weights_changed",
        target=locked,
        data={
            "version": number,
            "changes": {
                code: [before[code], w]
                for code, w in weights_resolve(weights).items()
                if w != before[code]
            },
        },
    )
    bench_refresh_enqueue(profile_id=locked.pk)
    return version
