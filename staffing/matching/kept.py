"""What the pool keeps between requests for the engine (`Pool.derived`): columns per site,
per profile, per kind of profile and per weekday, computed once for everyone and kept current
by `Pool.upsert` for the people it changes. See docs/matching.md, "What the pool keeps between
requests"."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from staffing.matching.factors import (
    STATIC_FACTORS,
    at,
    centi,
    company_rows,
    distance_value,
    experience_client_value,
    is_ascending,
    static_values,
)
from staffing.matching.features import RequestSpec
from staffing.matching.geometry import beyond_travel, chord_km, chords32
from staffing.matching.pool import MARK_KINDS, Pool, travel_threshold
from staffing.matching.rules import FOCUS_AREAS, NEAR_TRAVEL_KM


def weekday_availability(pool: Pool, day: int) -> np.ndarray:
    """Everyone's three day-part bits of weekday `day` (0 = Monday) as bytes, kept by the pool."""

    def compute(p: Pool, index: np.ndarray | None) -> tuple[np.ndarray]:
        return (((at(p, p.cols["availability"], index) >> (3 * day)) & 7).astype(np.uint8),)

    return pool.derived(("weekday", day), compute, 7)[0]


# Soft factors whose points depend only on the person and the request's service profile (its
# company, site, focus, role type and weights), not on its shifts, skills, languages or time.
# Fair spread is not one of them: every stored shortlist moves its people's recent counts,
# which the catch-up adds in place (refreshing profile columns for them would cost more).
BASE_FACTORS = (
    "assessment",
    "experience_kind",
    "rating",
    "reliability",
    "experience_client",
    "favourite",
    "talent_pool",
    "distance",
)


BASE_CACHE_SIZE = 16  # profile keys kept per pool (company x site x focus x role x weights)


def base_points(pool: Pool, spec: RequestSpec) -> np.ndarray:
    """Everyone's centipoints from BASE_FACTORS for this request's profile (int32), computed
    with the same rules as `factor_values` (`rank` checks the sum for every entry): once per
    profile key and kept up to date by `Pool.upsert`, so ranking gathers one column instead
    of computing eight factors for everyone eligible."""
    focus = spec.focus if spec.focus in FOCUS_AREAS else "service"
    weights = tuple(float(spec.weights[code]) for code in BASE_FACTORS)
    w = dict(zip(BASE_FACTORS, weights, strict=True))
    company, favourite = spec.company_id, MARK_KINDS["favourite"]

    def compute(p: Pool, index: np.ndarray | None) -> tuple[np.ndarray]:
        if index is None:  # everyone: start from the kept column of the same kind of profile
            out = static_points(p, spec).astype(np.int64)
        else:
            out = _static_centi(p, focus, spec.role_type, w, index)
        # The company's few rows, where they are (factor_values reads the same rows densely).
        people = np.arange(p.size) if index is None else index
        ascending = index is None or is_ascending(index)
        found, done = company_rows(p.client_experience, people, company, None, ascending)
        out[found] += centi(w["experience_client"], experience_client_value(done))
        found, marked = company_rows(p.marks, people, company, favourite, ascending)
        out[found] += centi(w["favourite"], marked)
        found, pooled = company_rows(p.talent_pools, people, company, 1, ascending)
        out[found] += centi(w["talent_pool"], pooled)
        # Everyone's chords are the site's kept ones (computed the same way).
        c2 = site_columns(p, spec)[0] if index is None else chords32(p, spec, index)
        km = chord_km(c2)
        # No home known: fails travel, never scored (and NaN has no points).
        home = np.flatnonzero(~np.isnan(km))
        out[home] += centi(w["distance"], distance_value(km[home]))
        return (out.astype(np.int32),)

    key = ("base", focus, spec.role_type, weights, company, _site_key(spec))
    return pool.derived(key, compute, BASE_CACHE_SIZE)[0]


STATIC_CACHE_SIZE = 16  # (focus, role type, weights) kept per pool


def static_points(pool: Pool, spec: RequestSpec) -> np.ndarray:
    """Everyone's centipoints from STATIC_FACTORS for this request's focus, role type and
    weights (int32): kept like the profile's, and read only to compute a new profile's column
    for everyone (few such keys are in use: a new client's first request then costs only its
    own factors). Ranking itself gathers the profile's one column."""
    focus = spec.focus if spec.focus in FOCUS_AREAS else "service"
    w = {code: float(spec.weights[code]) for code in STATIC_FACTORS}

    def compute(p: Pool, index: np.ndarray | None) -> tuple[np.ndarray]:
        return (_static_centi(p, focus, spec.role_type, w, index).astype(np.int32),)

    key = ("static", focus, spec.role_type, tuple(w.values()))
    return pool.derived(key, compute, STATIC_CACHE_SIZE)[0]


def _static_centi(
    pool: Pool, focus: str, role_type: str, w: dict[str, float], index: np.ndarray | None
) -> np.ndarray:
    """The centipoints from STATIC_FACTORS of the people at `index` (everyone for None)."""
    values = static_values(pool, focus, role_type, index)
    out = np.zeros(pool.size if index is None else len(index), dtype=np.int64)
    for code in STATIC_FACTORS:
        out += centi(w[code], values[code])
    return out


def prepare(pool: Pool, specs: Iterable[RequestSpec]) -> None:
    """Compute the columns the pool keeps per weekday, and per site and profile for requests
    like `specs`, now (a worker does this after loading its pool for the profiles of the last
    requests), rather than in the first match that needs them."""
    for day in range(7):
        weekday_availability(pool, day)
    for spec in specs:
        site_columns(pool, spec)
        base_points(pool, spec)


def _site_key(spec: RequestSpec) -> tuple[float, float] | None:
    lat, lon = spec.site_latitude, spec.site_longitude
    if lat is None or lon is None or math.isnan(lat) or math.isnan(lon):
        return None
    return (lat, lon)


# Sites whose distances are kept per pool: an agency's urgent requests come again and again
# from the same shops and contact centres.
SITE_CACHE_SIZE = 8


Site = tuple[np.ndarray, np.ndarray, np.ndarray]


def site_columns(pool: Pool, spec: RequestSpec, *, keep: bool = True) -> Site:
    """Everyone's squared chord to the request's site (`chords32`), whether they live beyond
    their own travel limit (`beyond_travel`) and whether within NEAR_TRAVEL_KM beyond it (a
    near miss on travel): per site, computed once and kept up to date by `Pool.upsert` (for
    the SITE_CACHE_SIZE sites used last). `keep=False` (background work such as benches):
    use the kept columns if the site's are, else compute them without keeping them, so that
    the sites of urgent requests stay kept."""

    def compute(p: Pool, index: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        c2 = chords32(p, spec, index)
        beyond = beyond_travel(p, spec, c2, index)
        limit = at(p, p.cols["max_travel_km"], index).astype(np.int64)
        near = travel_threshold(limit + NEAR_TRAVEL_KM)
        # Within their travel limit is within reach too, also where NEAR_TRAVEL_KM more is
        # cut off at the table's 1000 km and the limit was decided in double precision.
        return c2, beyond, (c2 <= near) | ~beyond

    site = _site_key(spec)
    if site is None:
        return compute(pool, None)  # no site to key by: everyone fails travel
    c2, beyond, reach = pool.derived(("site", *site), compute, SITE_CACHE_SIZE, store=keep)
    return c2, beyond, reach
