"""The straightforward approach, kept as the benchmark's baseline and the tests' second opinion.

One person at a time, in plain Python: check each hard constraint, add up the factors. It
follows the same rules as the engine (with the textbook haversine distance), so the benchmark
compares like with like, and property tests use it to check the engine's hard constraints.
"""

from __future__ import annotations

from collections.abc import Iterable

from staffing.matching.features import CandidateFeatures, RequestSpec
from staffing.matching.geometry import great_circle_km
from staffing.matching.rules import (
    CLIENT_EXPERIENCE_CAP,
    DAILY_REST_SECONDS,
    DISTANCE_SCALE_KM,
    FAIR_SPREAD_CAP,
    FOCUS_AREAS,
    KIND_EXPERIENCE_CAP,
    LATE_CANCELLATION_WEIGHT,
    NEUTRAL_RATING,
    RELIABILITY_CAP,
)


def hard_failures_of(p: CandidateFeatures, spec: RequestSpec) -> list[str]:
    """The hard constraints one person fails (the matchable gate is the loader's job)."""
    failed = []
    if not (p.works_retail if spec.role_type == "retail" else p.works_office):
        failed.append("role_type")
    if p.availability & spec.grid_mask != spec.grid_mask:
        failed.append("weekly_grid")
    if set(p.dates_off) & set(spec.dates):
        failed.append("date_off")
    if any(
        start < s.end + DAILY_REST_SECONDS and s.start < end
        for start, end in p.blocked
        for s in spec.shifts
    ):
        failed.append("booked")
    if (
        p.latitude is None
        or p.longitude is None
        or great_circle_km(p.latitude, p.longitude, spec.site_latitude, spec.site_longitude)
        > p.max_travel_km + 1e-6
    ):
        failed.append("travel")
    if any(p.languages.get(code, 0) < level for code, level in spec.languages):
        failed.append("language")
    if p.marks.get(spec.company_id) == "do_not_return":
        failed.append("barred")
    return failed


def score_naive(p: CandidateFeatures, spec: RequestSpec) -> float:
    """The person's score by the same rules as the engine, in plain Python."""
    w = spec.weights
    total = 0.0
    for code, skills in (
        ("skills_required", spec.required_skills),
        ("skills_preferred", spec.preferred_skills),
    ):
        if skills:
            total += w[code] * sum(p.skills.get(s, 0) for s in skills) / (3 * len(skills))
    if p.assessment:
        wa, wc, ws = FOCUS_AREAS.get(spec.focus, FOCUS_AREAS["service"])
        a, c, s = p.assessment
        total += w["assessment"] * ((wa * a + wc * c + ws * s) - 1) / 4
    if spec.languages:
        verified = sum(1 for code, _ in spec.languages if code in p.verified_languages)
        total += w["language_verified"] * verified / len(spec.languages)
    client = p.client_experience.get(spec.company_id, 0)
    total += w["experience_client"] * min(client, CLIENT_EXPERIENCE_CAP) / CLIENT_EXPERIENCE_CAP
    kind = p.completed_retail if spec.role_type == "retail" else p.completed_office
    total += w["experience_kind"] * min(kind, KIND_EXPERIENCE_CAP) / KIND_EXPERIENCE_CAP
    rating = (p.rating_average - 1) / 4 if p.rating_count and p.rating_average else NEUTRAL_RATING
    total += w["rating"] * rating
    lapses = p.no_shows + LATE_CANCELLATION_WEIGHT * p.late_cancellations
    total -= w["reliability"] * min(lapses, RELIABILITY_CAP) / RELIABILITY_CAP
    if p.latitude is not None and p.longitude is not None:
        km = great_circle_km(p.latitude, p.longitude, spec.site_latitude, spec.site_longitude)
        total += w["distance"] * (1 - min(km, DISTANCE_SCALE_KM) / DISTANCE_SCALE_KM)
    if p.availability_confirmed_at is not None:
        stale = max(spec.stale_days, 1)
        age = (spec.now - p.availability_confirmed_at) / 86400
        total += w["freshness"] * min(1.0, max(0.0, 1 - (age - stale) / stale))
    total -= w["fair_spread"] * min(p.recent_shortlists, FAIR_SPREAD_CAP) / FAIR_SPREAD_CAP
    if p.marks.get(spec.company_id) == "favourite":
        total += w["favourite"]
    if spec.company_id in p.talent_pools:
        total += w["talent_pool"]
    return round(total, 2)


def rank_naive(
    people: Iterable[CandidateFeatures], spec: RequestSpec, *, size: int = 50
) -> list[tuple[int, float]]:
    """(candidate id, score) of the best `size` eligible people, best first."""
    scored = [(-score_naive(p, spec), p.id) for p in people if not hard_failures_of(p, spec)]
    scored.sort()
    return [(pk, -neg) for neg, pk in scored[:size]]
