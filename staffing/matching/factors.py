"""The soft factors' values (0..1, penalties -1..0) and points (integer centipoints) of the
people at some pool indices: the one definition that scoring everyone, the columns the pool
keeps and the explanations of the few picked all use."""

from __future__ import annotations

import numpy as np

from staffing.matching.features import RequestSpec
from staffing.matching.geometry import distances
from staffing.matching.pool import LANG_INDEX, MARK_KINDS, Pool
from staffing.matching.rules import (
    CLIENT_EXPERIENCE_CAP,
    DISTANCE_SCALE_KM,
    FAIR_SPREAD_CAP,
    FOCUS_AREAS,
    KIND_EXPERIENCE_CAP,
    LATE_CANCELLATION_WEIGHT,
    NEUTRAL_RATING,
    RELIABILITY_CAP,
)

# Soft factors that depend only on the person, the request's focus, role type and weights.
STATIC_FACTORS = ("assessment", "experience_kind", "rating", "reliability")


def is_ascending(index: np.ndarray) -> bool:
    return len(index) < 2 or bool(np.all(index[1:] > index[:-1]))


def skill_levels(pool: Pool, skills: tuple[int, ...], index: np.ndarray) -> np.ndarray:
    """The sum of each person's levels (0-3) in `skills`."""
    held = np.zeros(len(index), dtype=np.int16)
    for skill in skills:
        if skill in pool.skills:
            held += pool.skills[skill][index]
    return held


def languages_verified(pool: Pool, spec: RequestSpec, index: np.ndarray) -> np.ndarray:
    """How many of the request's languages an assessment verified, per person."""
    verified = pool.col("verified")[index]
    hits = np.zeros(len(index), dtype=np.int16)
    for code, _ in spec.languages:
        hits += (verified >> LANG_INDEX[code]) & 1
    return hits


def points_table(weight: float, counts: np.ndarray, scale: float, top: int) -> np.ndarray:
    """centi(weight, counts / scale) for counts 0..top, by looking each up in a table."""
    return centi(weight, np.arange(top + 1) / scale).astype(np.int32)[counts]


def centi(weight: float, value: np.ndarray) -> np.ndarray:
    return np.rint(weight * value * 100.0).astype(np.int64)


def centi_into(weight: float, value: np.ndarray) -> np.ndarray:
    """`centi`, computed in `value` (float64, overwritten): the same numbers, no temporaries."""
    value *= weight
    value *= 100.0
    np.rint(value, out=value)
    return value.astype(np.int64)


def person_facts(
    pool: Pool, spec: RequestSpec, index: np.ndarray, c2: np.ndarray | None, ascending: bool = False
) -> dict[str, np.ndarray]:
    company, favourite = spec.company_id, MARK_KINDS["favourite"]
    return {
        "km": distances(pool, spec, index, c2),
        "client": company_values(pool.client_experience, index, company, None, ascending),
        "favourite": company_values(pool.marks, index, company, favourite, ascending),
        "talent_pool": company_values(pool.talent_pools, index, company, 1, ascending),
    }


def factor_values(
    pool: Pool, spec: RequestSpec, index: np.ndarray, facts: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each applicable soft factor's value (0..1, penalties -1..0) for the people at `index`."""
    v = static_values(pool, spec.focus, spec.role_type, index)
    v.update(request_values(pool, spec, index, facts))
    order = (
        "skills_required",
        "skills_preferred",
        "assessment",
        "language_verified",
        "experience_client",
        "experience_kind",
        "rating",
        "reliability",
        "distance",
        "freshness",
        "fair_spread",
        "favourite",
        "talent_pool",
    )
    return {code: v[code] for code in order if code in v}


def static_values(
    pool: Pool, focus: str, role_type: str, index: np.ndarray | None
) -> dict[str, np.ndarray]:
    """The values of STATIC_FACTORS: the person's own record, whatever the request (of the
    people at `index`, or of everyone for None)."""

    def col(name: str) -> np.ndarray:
        return at(pool, pool.cols[name], index)

    v: dict[str, np.ndarray] = {"assessment": assessment_value(pool, focus, index)}
    kind = col(f"completed_{role_type}")
    v["experience_kind"] = np.minimum(kind, KIND_EXPERIENCE_CAP) / float(KIND_EXPERIENCE_CAP)
    rated = col("rating_count") > 0
    average = col("rating_average").astype(np.float64)
    v["rating"] = np.where(rated, (average - 1.0) / 4.0, NEUTRAL_RATING)
    lapses = col("no_shows") + LATE_CANCELLATION_WEIGHT * col("late_cancellations")
    v["reliability"] = -np.minimum(lapses, RELIABILITY_CAP) / RELIABILITY_CAP
    return v


def at(pool: Pool, column: np.ndarray, index: np.ndarray | None) -> np.ndarray:
    """A pool column's values at `index`, or everyone's (a view, nothing gathered) for None."""
    return column[: pool.size] if index is None else column[index]


def request_values(
    pool: Pool, spec: RequestSpec, index: np.ndarray, facts: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The values of the other factors: they depend on the request, its time or the
    shortlists of the last days."""
    col = pool.col
    v: dict[str, np.ndarray] = {}
    for code, skills in (
        ("skills_required", spec.required_skills),
        ("skills_preferred", spec.preferred_skills),
    ):
        if skills:
            v[code] = skill_levels(pool, skills, index) / (3.0 * len(skills))
    if spec.languages:
        v["language_verified"] = languages_verified(pool, spec, index) / float(len(spec.languages))
    v["experience_client"] = experience_client_value(facts["client"])
    v["distance"] = distance_value(facts["km"])
    v["freshness"] = freshness_value(col("confirmed")[index], spec)
    recent = col("recent_shortlists")[index].astype(np.float64)
    v["fair_spread"] = -np.minimum(recent, FAIR_SPREAD_CAP) / float(FAIR_SPREAD_CAP)
    v["favourite"] = facts["favourite"]
    v["talent_pool"] = facts["talent_pool"]
    return v


def experience_client_value(completed: np.ndarray) -> np.ndarray:
    """Placements completed with this client, up to the cap that counts."""
    return np.minimum(completed, CLIENT_EXPERIENCE_CAP) / CLIENT_EXPERIENCE_CAP


def distance_value(km: np.ndarray) -> np.ndarray:
    return 1.0 - np.minimum(km, DISTANCE_SCALE_KM) / DISTANCE_SCALE_KM


def assessment_value(pool: Pool, focus: str, index: np.ndarray | None) -> np.ndarray:
    wa, wc, ws = FOCUS_AREAS.get(focus, FOCUS_AREAS["service"])
    a, c, s = (at(pool, column, index) for column in pool.assessment)
    average = wa * a + wc * c
    if ws:
        average += ws * s
    return np.where(a > 0, (average - 1.0) / 4.0, 0.0)


def freshness_value(confirmed: np.ndarray, spec: RequestSpec) -> np.ndarray:
    """1 while availability is fresh, then down to 0 over another stale period; 0 if never."""
    stale = max(spec.stale_days, 1)
    value = np.subtract(spec.now, confirmed)  # age in seconds; computed in place from here
    value /= 86400.0
    value -= stale
    value /= stale
    np.subtract(1.0, value, out=value)
    np.fmax(value, 0.0, out=value)  # fmax and fmin: NaN (never confirmed) becomes 0
    np.fmin(value, 1.0, out=value)
    return value


def company_values(
    table, index: np.ndarray, company_id: int, kind: int | None, ascending: bool = False
) -> np.ndarray:
    """One company's side-row value (experience count, or 1 for a mark of `kind`) at `index`."""
    out = np.zeros(len(index), dtype=np.float64)
    found, values = company_rows(table, index, company_id, kind, ascending)
    out[found] = values
    return out


def company_rows(
    table, index: np.ndarray, company_id: int, kind: int | None, ascending: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Where in `index` people have a row of this company (and `kind`), and its value there
    (the experience count, or 1 for a mark).

    A person has at most one row per company; the few rows of this company are sorted and
    looked up, rather than spread over a pool-sized array. `ascending`: `index` is strictly
    ascending (then the lookup goes the cheaper way round).
    """
    cand, a, b = table.view()
    hit = a == company_id
    if kind is not None:
        hit &= b == kind
    rows = np.flatnonzero(hit)
    if not len(rows) or not len(index):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    order = np.argsort(cand[rows], kind="stable")
    people, values = cand[rows][order], (b[rows][order] if kind is None else np.ones(len(rows)))
    if ascending and len(people) < len(index):
        # Mark the company's people in an array as long as the (long, ascending) index reaches
        # and read it at the index: cheaper than searching either in the other. The first row
        # of each person counts, as below.
        last = int(index[-1])
        where = np.full(last + 1, -1, dtype=np.int32)  # the person's row in `people`, or -1
        first = np.ones(len(people), dtype=bool)
        first[1:] = people[1:] != people[:-1]
        inside = np.flatnonzero(first & (people <= last))
        where[people[inside]] = inside
        slot = where[index]
        found = np.flatnonzero(slot >= 0)
        return found, values[slot[found]]
    pos = np.minimum(np.searchsorted(people, index), len(people) - 1)
    found = np.flatnonzero(people[pos] == index)
    return found, values[pos[found]]
