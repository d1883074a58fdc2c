"""Rank a pool for one request: hard constraints as masks, soft factors as integer points.

Each soft factor's contribution is rounded to hundredths of a point (integers) before summing,
so an explanation's contributions add up to the score exactly, and ordering is by (score desc,
candidate id asc), so ties are broken the same way every time. Every rule is elementwise: a
person's score depends only on their own features and the request, never on who else is in the
pool, which is what makes replay and "adding someone never reorders the others" hold.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from staffing.matching.features import RequestSpec
from staffing.matching.pool import (
    LANG_INDEX,
    MARK_KINDS,
    ROLE_BITS,
    Pool,
    travel_threshold,
    unit_vector,
)
from staffing.matching.rules import (
    CLIENT_EXPERIENCE_CAP,
    DAILY_REST_SECONDS,
    DISTANCE_SCALE_KM,
    EARTH_RADIUS_KM,
    FAIR_SPREAD_CAP,
    FOCUS_AREAS,
    HARD_CONSTRAINTS,
    KIND_EXPERIENCE_CAP,
    LATE_CANCELLATION_WEIGHT,
    NEUTRAL_RATING,
    RELIABILITY_CAP,
    RULES_VERSION,
)

# How far beyond their own travel limit someone may live and still be a near miss.
NEAR_TRAVEL_KM = 10
# Near misses are the best-scoring among at most this many, the closest to the site.
NEAR_MISS_POOL = 2000


class Entry(NamedTuple):
    """One ranked person or near miss (a named tuple: built 60 times a match, cheaply)."""

    candidate_id: int
    index: int  # position in the pool it was ranked from
    rank: int
    score: float
    explanation: dict[str, Any]
    near_miss: bool = False


@dataclass(frozen=True)
class MatchResult:
    ranked: list[Entry]
    near_misses: list[Entry]
    pool_size: int
    eligible_count: int


@dataclass
class Screen:
    """Who fails which hard constraint (the matchable gate aside).

    `bits` has one bit per constraint a person fails (FAIL_BITS); `c2` is everyone's squared
    chord to the site in single precision (see `chords32`), `reach` whether they live within
    NEAR_TRAVEL_KM beyond their own travel limit; `unavailable` the day-parts of the request
    they are not available for. `eligible` are the live people who fail nothing (pool
    indices, ascending).
    """

    bits: np.ndarray
    c2: np.ndarray
    reach: np.ndarray
    unavailable: np.ndarray
    eligible: np.ndarray

    def failed(self, i: int) -> list[str]:
        return [code for code, bit in FAIL_BITS.items() if self.bits[i] & bit]

    def full_masks(self) -> dict[str, np.ndarray]:
        return {code: (self.bits & bit) != 0 for code, bit in FAIL_BITS.items()}


# One bit per hard constraint (the matchable gate aside) in Screen.bits: someone failing
# exactly one constraint has exactly one bit set, which names it.
FAIL_BITS = {code: np.uint8(1 << i) for i, code in enumerate(HARD_CONSTRAINTS[1:])}


# Failing one of these is never a near miss.
NEVER_NEAR = FAIL_BITS["role_type"] | FAIL_BITS["barred"]
# The position in HARD_CONSTRAINTS of the one constraint failed, by a person's failure bits.
_CONSTRAINT_OF_BIT = np.zeros(256, dtype=np.int64)
for _code, _bit in FAIL_BITS.items():
    _CONSTRAINT_OF_BIT[_bit] = HARD_CONSTRAINTS.index(_code)


def hard_failures(pool: Pool, spec: RequestSpec) -> dict[str, np.ndarray]:
    """Per hard constraint (except the matchable gate), a mask of who fails it."""
    return screen(pool, spec).full_masks()


def screen(pool: Pool, spec: RequestSpec, site: Site | None = None) -> Screen:
    """Every hard constraint for everyone, as dense passes over the pool's columns; the sparse
    rules (dates off, bookings, client bars) through their side tables' few matching rows.
    `site`: the site's columns (`site_columns`), if at hand."""
    need = spec.grid_mask
    c2, beyond, reach = site if site is not None else site_columns(pool, spec)
    bits = ((pool.col("roles") & ROLE_BITS[spec.role_type]) == 0).view(np.uint8)
    unavailable = _unavailable(pool, need)
    _set(bits, "weekly_grid", unavailable != 0)
    _set(bits, "travel", beyond)
    if spec.languages:
        short = np.zeros(pool.size, dtype=bool)
        for code, level in spec.languages:
            short |= pool.languages[LANG_INDEX[code]][: pool.size] < level
        _set(bits, "language", short)
    for code, index in (
        ("date_off", _people_off(pool, spec.dates)),
        ("booked", _side_hits(pool.blocked.view(), lambda a, b: _overlaps_any(spec, a, b))),
        (
            "barred",
            _side_hits(
                pool.marks.view(),
                lambda a, b: (a == spec.company_id) & (b == MARK_KINDS["do_not_return"]),
            ),
        ),
    ):
        bits[index] |= FAIL_BITS[code]  # someone listed twice is still one failure
    eligible = np.flatnonzero((bits == 0) & pool.col("live"))
    return Screen(bits=bits, c2=c2, reach=reach, unavailable=unavailable, eligible=eligible)


def _unavailable(pool: Pool, need: int) -> np.ndarray:
    """Everyone's day-parts of the weekly grid mask `need` they are not available for: in
    bytes of that weekday when `need` lies within one (a shift, or shifts on the same weekday),
    a quarter of the memory to stream than the whole week's bits."""
    if need:
        day = (need.bit_length() - 1) // 3
        if need >> (3 * day) << (3 * day) == need:
            return np.bitwise_and(~weekday_availability(pool, day), np.uint8(need >> (3 * day)))
    return np.bitwise_and(~pool.col("availability"), np.uint32(need))


def weekday_availability(pool: Pool, day: int) -> np.ndarray:
    """Everyone's three day-part bits of weekday `day` (0 = Monday) as bytes, kept by the pool."""

    def compute(p: Pool, index: np.ndarray) -> tuple[np.ndarray]:
        return (((p.col("availability")[index] >> (3 * day)) & 7).astype(np.uint8),)

    return pool.derived(("weekday", day), compute, 7)[0]


def _set(bits: np.ndarray, code: str, mask: np.ndarray) -> None:
    bits |= mask.view(np.uint8) * FAIL_BITS[code]


def chords32(pool: Pool, spec: RequestSpec, index: np.ndarray | None = None) -> np.ndarray:
    """Squared straight-line distance from the site on the unit sphere, in single precision,
    of everyone (or of the people at `index`); NaN when no home is known.

    One streaming pass over three float32 columns costs less than gathering the double-precision
    coordinates of the few hundred thousand people who could reach a capital-region site. Every
    score's distance comes from here, computed the same way for a whole pool or a few people, so
    a replay from stored features gets the same values bit for bit. Whether someone is within
    their travel limit is exact nonetheless (see `_beyond_travel`).
    """
    sx, sy, sz = unit_vector(spec.site_latitude, spec.site_longitude)
    cols = [pool.col(name) for name in ("x32", "y32", "z32")]
    if index is not None:
        cols = [column[index] for column in cols]
    c2 = cols[0] - np.float32(sx)
    c2 *= c2
    for column, at in zip(cols[1:], (sy, sz), strict=True):
        d = column - np.float32(at)
        d *= d
        c2 += d
    return c2


# Bound on the single-precision error of a squared chord (coordinates within 2**-24 of the
# exact unit vector, differences below 0.2 for any travel limit up to 1000 km): people whose
# float32 chord lies this close to their threshold are decided in double precision.
CHORD32_MARGIN = np.float32(1e-7)


def _beyond_travel(
    pool: Pool, spec: RequestSpec, c2: np.ndarray, index: np.ndarray | None = None
) -> np.ndarray:
    """Who of everyone (or of the people at `index`, whose chords `c2` are) lives beyond their
    own travel limit: exactly the haversine test (double precision chords against thresholds
    computed with `math`), decided in single precision for all but the few within
    CHORD32_MARGIN of their limit."""
    limit = pool.col("travel32")
    if index is not None:
        limit = limit[index]
    beyond = ~(c2 <= limit)
    close = np.flatnonzero(np.abs(c2 - limit) <= CHORD32_MARGIN)
    if len(close):
        people = close if index is None else index[close]
        beyond[close] = ~(squared_chords(pool, spec, people) <= pool.col("travel_d2")[people])
    return beyond


def squared_chords(pool: Pool, spec: RequestSpec, index: np.ndarray) -> np.ndarray:
    """Squared straight-line distance from the site on the unit sphere (NaN: no home known)."""
    sx, sy, sz = unit_vector(spec.site_latitude, spec.site_longitude)
    d2 = np.square(pool.col("x")[index] - sx)
    d2 += np.square(pool.col("y")[index] - sy)
    d2 += np.square(pool.col("z")[index] - sz)
    return d2


def _near_misses(pool: Pool, spec: RequestSpec, sc: Screen) -> np.ndarray:
    """Who is a near miss (pool indices, ascending): live, failing exactly one constraint, and
    narrowly enough to ask.

    A near miss is someone a recruiter could win over: one day-part short on the weekly grid,
    a date off or another booking (plans change), at most NEAR_TRAVEL_KM beyond their own
    travel limit, or one CEFR level short in each language. Role type and a client's bar are
    never near misses. Whoever passes a constraint passes it narrowly, so every narrowness
    test applies to everyone: a few passes over the pool's narrow columns, no per-constraint
    bookkeeping.
    """
    bits = sc.bits
    near = (bits & (bits - np.uint8(1))) == 0  # at most one failure
    near &= (bits & NEVER_NEAR) == 0
    near &= bits != 0
    near &= pool.col("live")
    near &= sc.reach
    missing = sc.unavailable
    near &= (missing & (missing - missing.dtype.type(1))) == 0  # at most one day-part missing
    for code, level in spec.languages:
        if level > 1:
            near &= pool.languages[LANG_INDEX[code]][: pool.size] >= level - 1
    return np.flatnonzero(near)


def _side_hits(rows: tuple[np.ndarray, np.ndarray, np.ndarray], test) -> np.ndarray:
    """Pool indices of people with a side row passing `test` (someone may appear twice)."""
    cand, a, b = rows
    if not len(cand):
        return np.zeros(0, dtype=np.int64)
    return cand[np.flatnonzero(test(a, b))]


def _people_off(pool: Pool, dates: tuple[int, ...]) -> np.ndarray:
    """Pool indices of people with one of `dates` off (someone may appear twice)."""
    if not dates:
        return np.zeros(0, dtype=np.int64)
    cand = pool.dates_off.cand
    people = np.concatenate([cand[pool.dates_off.rows_equal(float(d))] for d in dates])
    return people[people >= 0]


def _overlaps_any(spec: RequestSpec, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Bookings whose blocked range overlaps a shift extended by the daily rest."""
    hit = np.zeros(len(starts), dtype=bool)
    for shift in spec.shifts:
        hit |= (starts < shift.end + DAILY_REST_SECONDS) & (shift.start < ends)
    return hit


def rank(pool: Pool, spec: RequestSpec, *, size: int = 50, near_miss_size: int = 10) -> MatchResult:
    """The best `size` eligible people, explained, and the best near misses."""
    sc = screen(pool, spec)
    eligible = sc.eligible
    near, near_codes = _nearest_misses(pool, spec, sc)
    # Only the totals of those who can be among the best (the profile's part precomputed per
    # pool); every factor's value and points only for the few picked, to explain them.
    ranked, ranked_total = best(pool, spec, eligible, size)
    missed, missed_total = best(pool, spec, near, near_miss_size)
    points = Points.compute(pool, spec, np.concatenate([eligible[ranked], near[missed]]), sc.c2)
    # The same rules on the same people: the explained points add up to the totals ranked by.
    assert np.array_equal(points.total, np.concatenate([ranked_total, missed_total]))
    # Each near miss fails exactly one constraint, known from the pass that found them.
    codes = near_codes[missed].tolist()
    picked = len(ranked) + len(missed)
    # Both lists explained in one go (each has its own ranks 1..).
    entries = points.entries(
        np.arange(picked),
        [[]] * len(ranked) + [[HARD_CONSTRAINTS[c]] for c in codes],
        [*range(1, len(ranked) + 1), *range(1, len(missed) + 1)],
    )
    return MatchResult(
        ranked=entries[: len(ranked)],
        near_misses=entries[len(ranked) :],
        pool_size=pool.live_count,
        eligible_count=len(eligible),
    )


# Soft factors that depend only on the person, the request's focus, role type and weights.
STATIC_FACTORS = ("assessment", "experience_kind", "rating", "reliability")


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

    def compute(p: Pool, index: np.ndarray) -> tuple[np.ndarray]:
        values = _static_values(p, focus, spec.role_type, index)
        out = np.zeros(len(index), dtype=np.int64)
        for code in STATIC_FACTORS:
            out += _centi(w[code], values[code])
        at, done = _company_rows(p.client_experience, index, company, None, _ascending(index))
        out[at] += _centi(
            w["experience_client"], np.minimum(done, CLIENT_EXPERIENCE_CAP) / CLIENT_EXPERIENCE_CAP
        )
        at, marked = _company_rows(p.marks, index, company, favourite, _ascending(index))
        out[at] += _centi(w["favourite"], marked)
        # No home known: fails travel, never scored (and NaN has no points).
        km = distance_km(p, spec, index)
        home = np.flatnonzero(~np.isnan(km))
        out[home] += _centi(w["distance"], _distance_value(km[home]))
        return (out.astype(np.int32),)

    key = ("base", focus, spec.role_type, weights, company, _site_key(spec))
    return pool.derived(key, compute, BASE_CACHE_SIZE)[0]


def prepare(pool: Pool, specs: Iterable[RequestSpec]) -> None:
    """Compute the columns the pool keeps per weekday, and per site and profile for requests
    like `specs`, now (a worker does this after loading its pool for the profiles of the last
    requests), rather than in the first match that needs them."""
    for day in range(7):
        weekday_availability(pool, day)
    for spec in specs:
        site_columns(pool, spec)
        base_points(pool, spec)


def _ascending(index: np.ndarray) -> bool:
    return len(index) < 2 or bool(np.all(index[1:] > index[:-1]))


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
    their own travel limit (`_beyond_travel`) and whether within NEAR_TRAVEL_KM beyond it (a
    near miss on travel): per site, computed once and kept up to date by `Pool.upsert` (for
    the SITE_CACHE_SIZE sites used last). `keep=False` (background work such as benches):
    use the kept columns if the site's are, else compute them without keeping them, so that
    the sites of urgent requests stay kept."""

    def compute(p: Pool, index: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        c2 = chords32(p, spec, index)
        beyond = _beyond_travel(p, spec, c2, index)
        near = travel_threshold(p.col("max_travel_km")[index].astype(np.int64) + NEAR_TRAVEL_KM)
        # Within their travel limit is within reach too, also where NEAR_TRAVEL_KM more is
        # cut off at the table's 1000 km and the limit was decided in double precision.
        return c2, beyond, (c2 <= near) | ~beyond

    site = _site_key(spec)
    if site is None:
        return compute(pool, np.arange(pool.size))  # no site to key by: everyone fails travel
    c2, beyond, reach = pool.derived(("site", *site), compute, SITE_CACHE_SIZE, store=keep)
    return c2, beyond, reach


def best(pool: Pool, spec: RequestSpec, index: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions in `index` of the k best by (score desc, id asc), in that order, and their
    scores in centipoints: exactly Points.compute(...).total (`rank` checks this on every
    match), computed in full only for those who can be among them.

    Built to touch as little memory as possible, because it runs for everyone eligible (up to
    200,000 people for a capital-region site at 1,000,000): the profile's part is one column
    (`base_points`); a factor whose value comes from a small count (skills held, languages
    verified, recent shortlists) is a lookup in a table of its centipoints, computed with the
    same arithmetic as `factor_values`; only freshness, which moves with the clock, is computed
    per person. The profile's points and the skills are summed for everyone; what the other factors
    (languages verified, fair spread, freshness) can add lies between two bounds, so whoever
    is, with the most they could add, still below the k-th best with the least, cannot be
    among the best (ties kept: `>=`). Near a capital-region site at 1,000,000 this leaves a
    fifth of 190,000 eligible people to score in full.
    """
    partial = _profile_and_skills(pool, spec, index)
    keep = None
    if k > 0 and len(index) > max(k, PRUNE_FROM):
        low, high = _the_rest_bounds(spec)
        kth = np.partition(partial, len(index) - k)[len(index) - k]
        keep = np.flatnonzero(partial >= kth + low - high)
        partial = partial[keep]
    people = index if keep is None else index[keep]
    total = partial + _the_rest(pool, spec, people)
    ids = pool.col("ids")
    top = _top(total, lambda at: ids[people[at]], k)
    return (top if keep is None else keep[top]), total[top]


# Fewer people than this are scored in full at once (bounding them would cost more).
PRUNE_FROM = 4096


def _profile_and_skills(pool: Pool, spec: RequestSpec, index: np.ndarray) -> np.ndarray:
    """The profile's points and both skill factors' of the people at `index` (int32)."""
    w = spec.weights
    total = base_points(pool, spec)[index]  # int32: half the bytes to pick the best from
    for code, skills in (
        ("skills_required", spec.required_skills),
        ("skills_preferred", spec.preferred_skills),
    ):
        if skills:
            # Levels are bytes: the table covers any sum of them, without a pass to find the max.
            held = _skill_levels(pool, skills, index)
            total += _table(w[code], held, 3.0 * len(skills), 255 * len(skills))
    return total


def _the_rest(pool: Pool, spec: RequestSpec, index: np.ndarray) -> np.ndarray:
    """Languages verified, fair spread and freshness: their points for the people at `index`."""
    w = spec.weights
    if spec.languages:
        hits = _languages_verified(pool, spec, index)
        total = _table(
            w["language_verified"], hits, float(len(spec.languages)), len(spec.languages)
        )
    else:
        total = np.zeros(len(index), dtype=np.int32)
    recent = np.minimum(pool.col("recent_shortlists")[index], FAIR_SPREAD_CAP)
    total += _table(w["fair_spread"], recent, -float(FAIR_SPREAD_CAP), FAIR_SPREAD_CAP)
    total += _centi_into(w["freshness"], _freshness(pool.col("confirmed")[index], spec))
    return total


def _the_rest_bounds(spec: RequestSpec) -> tuple[int, int]:
    """The least and the most `_the_rest` can give anyone, from the same tables: every value
    it can take (languages verified 0..all, recent shortlists 0..the cap, freshness 0..1)."""
    w = spec.weights
    n = len(spec.languages)
    parts = [
        _table(w["language_verified"], np.arange(n + 1), float(n), n) if n else np.zeros(1),
        _table(w["fair_spread"], np.arange(FAIR_SPREAD_CAP + 1), -FAIR_SPREAD_CAP, FAIR_SPREAD_CAP),
        _centi(w["freshness"], np.array([0.0, 1.0])),
    ]
    return sum(int(p.min()) for p in parts), sum(int(p.max()) for p in parts)


def _skill_levels(pool: Pool, skills: tuple[int, ...], index: np.ndarray) -> np.ndarray:
    """The sum of each person's levels (0-3) in `skills`."""
    held = np.zeros(len(index), dtype=np.int16)
    for skill in skills:
        if skill in pool.skills:
            held += pool.skills[skill][index]
    return held


def _languages_verified(pool: Pool, spec: RequestSpec, index: np.ndarray) -> np.ndarray:
    """How many of the request's languages an assessment verified, per person."""
    verified = pool.col("verified")[index]
    hits = np.zeros(len(index), dtype=np.int16)
    for code, _ in spec.languages:
        hits += (verified >> LANG_INDEX[code]) & 1
    return hits


def _distances(
    pool: Pool, spec: RequestSpec, index: np.ndarray, c2: np.ndarray | None
) -> np.ndarray:
    """Distance in km of the people at `index`, from everyone's chords `c2` if at hand."""
    return distance_km(pool, spec, index) if c2 is None else _km(c2[index])


def _table(weight: float, counts: np.ndarray, scale: float, top: int) -> np.ndarray:
    """_centi(weight, counts / scale) for counts 0..top, by looking each up in a table."""
    return _centi(weight, np.arange(top + 1) / scale).astype(np.int32)[counts]


def _top(total: np.ndarray, ids_of: Callable[[np.ndarray], np.ndarray], k: int) -> np.ndarray:
    """Positions in `total` of the k best by (score desc, id asc), in that order; exact on
    ties. `ids_of(positions)`: their candidate ids, asked only for the few it needs."""
    if not len(total) or k <= 0:
        return np.zeros(0, dtype=np.int64)
    if len(total) > k:
        kth = np.partition(total, len(total) - k)[len(total) - k]
        above = np.flatnonzero(total > kth)
        ties = np.flatnonzero(total == kth)
        ties = ties[np.argsort(ids_of(ties), kind="stable")[: k - len(above)]]
        pick = np.concatenate([above, ties])
    else:
        pick = np.arange(len(total))
    return pick[np.lexsort((ids_of(pick), -total[pick]))]


def _nearest_misses(pool: Pool, spec: RequestSpec, sc: Screen) -> tuple[np.ndarray, np.ndarray]:
    """The NEAR_MISS_POOL near misses living closest to the site (see `_closest`), and the
    constraint each fails (its position in HARD_CONSTRAINTS)."""
    near = _near_misses(pool, spec, sc)
    near = near[_closest(pool, near, sc.c2)]
    return near, _CONSTRAINT_OF_BIT[sc.bits[near]]


def _closest(pool: Pool, index: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """Positions in `index` of the NEAR_MISS_POOL people living closest to the site (ties by id).

    Scoring every near miss of a million-person pool would cost more than ranking itself, and a
    recruiter asks the nearby ones first; the best-scoring near misses are chosen among these.
    """
    if len(index) <= NEAR_MISS_POOL:
        return np.arange(len(index))
    chords = c2[index]
    kth = np.partition(chords, NEAR_MISS_POOL - 1)[NEAR_MISS_POOL - 1]
    below = np.flatnonzero(chords < kth)
    ties = np.flatnonzero(chords == kth)
    ties = ties[np.argsort(pool.col("ids")[index[ties]], kind="stable")]
    return np.concatenate([below, ties[: NEAR_MISS_POOL - len(below)]])


@dataclass
class Points:
    """Soft-factor values and centipoints of the people at `index` (positions j = 0..k-1)."""

    pool: Pool
    spec: RequestSpec
    index: np.ndarray
    values: dict[str, np.ndarray]
    centi: dict[str, np.ndarray]
    total: np.ndarray
    facts: dict[str, np.ndarray]

    @classmethod
    def compute(
        cls, pool: Pool, spec: RequestSpec, index: np.ndarray, c2: np.ndarray | None = None
    ) -> Points:
        """Score the people at `index`; `c2` are everyone's chords from `screen` if at hand."""
        facts = _facts(pool, spec, index, c2)
        values = factor_values(pool, spec, index, facts)
        centi = {code: _centi(spec.weights[code], v) for code, v in values.items()}
        total = np.zeros(len(index), dtype=np.int64)
        for column in centi.values():
            total += column
        return cls(pool, spec, index, values, centi, total, facts)

    def top(self, positions: np.ndarray, k: int) -> np.ndarray:
        """The k best of `positions` by (score desc, id asc), in that order; exact on ties."""
        ids = self.pool.col("ids")
        return positions[_top(self.total[positions], lambda at: ids[self.index[positions[at]]], k)]

    def entries(
        self,
        positions: np.ndarray,
        failed: list[list[str]] | None,
        ranks: list[int] | None = None,
    ) -> list[Entry]:
        """Explained entries for `positions`; `failed` lists the hard constraints each fails
        (None: all pass); `ranks` their ranks (default 1.. in that order).

        Everything an explanation shows is gathered for all entries at once and turned into
        Python lists, which is many times faster than reading numpy scalars one by one.
        """
        if not len(positions):
            return []
        rows = _Rows(self, positions)
        factors = rows.factors()
        missing = rows.missing()
        out = []
        if ranks is None:
            ranks = list(range(1, len(positions) + 1))
        for r, (i, candidate_id, total, rank) in enumerate(
            zip(rows.index, rows.ids, rows.total, ranks, strict=True)
        ):
            fails = failed[r] if failed is not None else ()
            score = total / 100.0
            explanation = {
                "rules_version": RULES_VERSION,
                "score": score,
                "passed": [c for c in HARD_CONSTRAINTS if c not in fails]
                if fails
                else list(HARD_CONSTRAINTS),
                "failed": [_failure(self.pool, self.spec, i, code) for code in fails],
                "factors": factors[r],
                "missing": missing[r],
            }
            out.append(Entry(candidate_id, i, rank, score, explanation, bool(fails)))
        return out


class _Rows:
    """The explanation facts of a few entries, gathered column by column into Python lists."""

    SCALARS = (
        "ids",
        "verified",
        "rating_count",
        "no_shows",
        "late_cancellations",
        "recent_shortlists",
        "confirmed",
        "completed_retail",
        "completed_office",
    )

    def __init__(self, points: Points, positions: np.ndarray) -> None:
        pool, spec = points.pool, points.spec
        self.spec = spec
        idx = points.index[positions]
        self.index = idx.tolist()
        self.col = {name: pool.cols[name][idx].tolist() for name in self.SCALARS}
        self.ids = self.col["ids"]
        self.assessment = [column[idx].tolist() for column in pool.assessment]
        codes = list(points.values)
        if codes:
            values = rounded(np.stack(list(points.values.values()))[:, positions], 4)
            centi = np.stack(list(points.centi.values()))[:, positions] / 100.0
        else:
            values = centi = np.zeros((0, len(positions)))
        self.values = dict(zip(codes, values.tolist(), strict=True))
        self.points = dict(zip(codes, centi.tolist(), strict=True))
        self.total = points.total[positions].tolist()
        self.km = rounded(points.facts["km"][positions], 1).tolist()
        self.average = rounded(pool.cols["rating_average"][idx].astype(np.float64), 1).tolist()
        self.client = points.facts["client"][positions].tolist()
        self.ages = self._ages()
        zeros = [0] * len(idx)
        self.skills = {
            s: pool.skills[s][idx].tolist() if s in pool.skills else zeros
            for s in {*spec.required_skills, *spec.preferred_skills}
        }

    def _ages(self) -> list[int | None]:
        """Days since each entry's availability was confirmed (None: never)."""
        now = self.spec.now
        return [
            None if math.isnan(confirmed) else int((now - confirmed) // 86400)
            for confirmed in self.col["confirmed"]
        ]

    def factors(self) -> list[list[dict[str, Any]]]:
        """Each entry's factor contributions and the facts behind them, built a column at a time:
        per factor, one dict per entry holding its code, weight, value, points and facts."""
        n = len(self.index)
        columns = [self._factor(code, n) for code in self.values]
        return [list(row) for row in zip(*columns, strict=True)] if columns else [[]] * n

    def _factor(self, code: str, n: int) -> list[dict[str, Any]]:
        """One factor's dicts for every entry (one dict literal per entry and factor: building
        the facts separately and merging them cost twice as much)."""
        spec, col = self.spec, self.col
        w = spec.weights[code]
        rows = zip(self.values[code], self.points[code], strict=True)
        if code in ("skills_required", "skills_preferred"):
            skills = spec.required_skills if code == "skills_required" else spec.preferred_skills
            of = len(skills)
            return [
                {"code": code, "weight": w, "value": v, "points": p, "have": h, "of": of}
                for (v, p), h in zip(rows, [self._held(skills, r) for r in range(n)], strict=True)
            ]
        if code == "assessment":
            return [
                {"code": code, "weight": w, "value": v, "points": p}
                | ({"service_attitude": a, "communication": c, "sales": s} if a else {})
                for (v, p), a, c, s in zip(rows, *self.assessment, strict=True)
            ]
        if code == "language_verified":
            bits = [LANG_INDEX[c] for c, _ in spec.languages]
            of = len(bits)
            return [
                {
                    "code": code,
                    "weight": w,
                    "value": v,
                    "points": p,
                    "verified": sum(1 for b in bits if x >> b & 1),
                    "of": of,
                }
                for (v, p), x in zip(rows, col["verified"], strict=True)
            ]
        if code == "experience_client":
            return [
                {"code": code, "weight": w, "value": v, "points": p, "completed": int(c)}
                for (v, p), c in zip(rows, self.client, strict=True)
            ]
        if code == "experience_kind":
            role = spec.role_type
            return [
                {
                    "code": code,
                    "weight": w,
                    "value": v,
                    "points": p,
                    "completed": c,
                    "role_type": role,
                }
                for (v, p), c in zip(rows, col[f"completed_{role}"], strict=True)
            ]
        if code == "rating":
            return [
                {
                    "code": code,
                    "weight": w,
                    "value": v,
                    "points": p,
                    "average": avg if count else None,
                    "count": count,
                }
                for (v, p), avg, count in zip(rows, self.average, col["rating_count"], strict=True)
            ]
        if code == "reliability":
            return [
                {
                    "code": code,
                    "weight": w,
                    "value": v,
                    "points": p,
                    "no_shows": a,
                    "late_cancellations": b,
                }
                for (v, p), a, b in zip(
                    rows, col["no_shows"], col["late_cancellations"], strict=True
                )
            ]
        if code == "distance":
            return [
                {"code": code, "weight": w, "value": v, "points": p, "km": km}
                for (v, p), km in zip(rows, self.km, strict=True)
            ]
        if code == "freshness":
            return [
                {"code": code, "weight": w, "value": v, "points": p, "days": days}
                for (v, p), days in zip(rows, self.ages, strict=True)
            ]
        if code == "fair_spread":
            return [
                {"code": code, "weight": w, "value": v, "points": p, "recent": c}
                for (v, p), c in zip(rows, col["recent_shortlists"], strict=True)
            ]
        return [{"code": code, "weight": w, "value": v, "points": p} for v, p in rows]

    def _held(self, skills: tuple[int, ...], r: int) -> int:
        return sum(1 for skill in skills if self.skills[skill][r])

    def missing(self) -> list[list[dict[str, Any]]]:
        """What each entry lacks that the request would like; shown to recruiters. Built a
        want at a time: most entries lack little, so most wants touch few of them."""
        spec = self.spec
        out: list[list[dict[str, Any]]] = [[] for _ in self.index]
        for required, skills in ((True, spec.required_skills), (False, spec.preferred_skills)):
            for skill in skills:
                for r, level in enumerate(self.skills[skill]):
                    if not level:
                        out[r].append({"code": "skill", "skill": skill, "required": required})
        for r, attitude in enumerate(self.assessment[0]):
            if not attitude:
                out[r].append({"code": "not_assessed"})
        verified = self.col["verified"]
        for code, level in spec.languages:
            bit = LANG_INDEX[code]
            for r, held in enumerate(verified):
                if not held >> bit & 1:
                    out[r].append({"code": "language_unverified", "language": code, "need": level})
        for r, age in enumerate(self.ages):
            if age is None:
                out[r].append({"code": "availability_unconfirmed"})
            elif age > spec.stale_days:
                out[r].append({"code": "availability_stale", "days": age})
        return out


def rounded(values: np.ndarray, digits: int) -> np.ndarray:
    """Python's `round(v, digits)` of every value (as explanations show them), by numpy: a
    column in one call, where round() takes 0.4 µs a number. numpy scales, rounds and scales
    back, which picks the other side only where v·10^digits lies within its rounding error of
    a half (0.98125 → 0.9812 instead of 0.9813); those few are rounded by round() itself."""
    scale = 10.0**digits
    scaled = values * scale
    out = np.rint(scaled)
    out /= scale
    for j in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < HALF_TOLERANCE).tolist():
        out.flat[j] = round(float(values.flat[j]), digits)
    return out


# Far above the error of v·10^digits (at most a few units in its last place for |v| < 1e6)
# and far below the gap to the next half: which values round() decides.
HALF_TOLERANCE = 1e-6


def _centi(weight: float, value: np.ndarray) -> np.ndarray:
    return np.rint(weight * value * 100.0).astype(np.int64)


def _centi_into(weight: float, value: np.ndarray) -> np.ndarray:
    """`_centi`, computed in `value` (float64, overwritten): the same numbers, no temporaries."""
    value *= weight
    value *= 100.0
    np.rint(value, out=value)
    return value.astype(np.int64)


def _facts(
    pool: Pool, spec: RequestSpec, index: np.ndarray, c2: np.ndarray | None, ascending: bool = False
) -> dict[str, np.ndarray]:
    company, favourite = spec.company_id, MARK_KINDS["favourite"]
    return {
        "km": _distances(pool, spec, index, c2),
        "client": _company_values(pool.client_experience, index, company, None, ascending),
        "favourite": _company_values(pool.marks, index, company, favourite, ascending),
    }


def factor_values(
    pool: Pool, spec: RequestSpec, index: np.ndarray, facts: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each applicable soft factor's value (0..1, penalties -1..0) for the people at `index`."""
    v = _static_values(pool, spec.focus, spec.role_type, index)
    v.update(_request_values(pool, spec, index, facts))
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
    )
    return {code: v[code] for code in order if code in v}


def _static_values(
    pool: Pool, focus: str, role_type: str, index: np.ndarray
) -> dict[str, np.ndarray]:
    """The values of STATIC_FACTORS: the person's own record, whatever the request."""
    col = pool.col
    v: dict[str, np.ndarray] = {"assessment": _assessment_value(pool, focus, index)}
    kind = col(f"completed_{role_type}")[index]
    v["experience_kind"] = np.minimum(kind, KIND_EXPERIENCE_CAP) / float(KIND_EXPERIENCE_CAP)
    rated = col("rating_count")[index] > 0
    average = col("rating_average")[index].astype(np.float64)
    v["rating"] = np.where(rated, (average - 1.0) / 4.0, NEUTRAL_RATING)
    lapses = col("no_shows")[index] + LATE_CANCELLATION_WEIGHT * col("late_cancellations")[index]
    v["reliability"] = -np.minimum(lapses, RELIABILITY_CAP) / RELIABILITY_CAP
    return v


def _request_values(
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
            v[code] = _skill_levels(pool, skills, index) / (3.0 * len(skills))
    if spec.languages:
        v["language_verified"] = _languages_verified(pool, spec, index) / float(len(spec.languages))
    v["experience_client"] = (
        np.minimum(facts["client"], CLIENT_EXPERIENCE_CAP) / CLIENT_EXPERIENCE_CAP
    )
    v["distance"] = _distance_value(facts["km"])
    v["freshness"] = _freshness(col("confirmed")[index], spec)
    recent = col("recent_shortlists")[index].astype(np.float64)
    v["fair_spread"] = -np.minimum(recent, FAIR_SPREAD_CAP) / float(FAIR_SPREAD_CAP)
    v["favourite"] = facts["favourite"]
    return v


def distance_km(pool: Pool, spec: RequestSpec, index: np.ndarray) -> np.ndarray:
    """Straight-line distance in km, from single-precision chords (`chords32`): within 0.01 % of
    the great-circle distance below 200 km, and a few metres."""
    return _km(chords32(pool, spec, index))


def _km(c2: np.ndarray) -> np.ndarray:
    return EARTH_RADIUS_KM * np.sqrt(c2.astype(np.float64))


def _distance_value(km: np.ndarray) -> np.ndarray:
    return 1.0 - np.minimum(km, DISTANCE_SCALE_KM) / DISTANCE_SCALE_KM


def _assessment_value(pool: Pool, focus: str, index: np.ndarray) -> np.ndarray:
    wa, wc, ws = FOCUS_AREAS.get(focus, FOCUS_AREAS["service"])
    a, c, s = (column[index] for column in pool.assessment)
    average = wa * a + wc * c
    if ws:
        average += ws * s
    return np.where(a > 0, (average - 1.0) / 4.0, 0.0)


def _freshness(confirmed: np.ndarray, spec: RequestSpec) -> np.ndarray:
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


def _company_values(
    table, index: np.ndarray, company_id: int, kind: int | None, ascending: bool = False
) -> np.ndarray:
    """One company's side-row value (experience count, or 1 for a mark of `kind`) at `index`."""
    out = np.zeros(len(index), dtype=np.float64)
    at, values = _company_rows(table, index, company_id, kind, ascending)
    out[at] = values
    return out


def _company_rows(
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
        at = np.flatnonzero(slot >= 0)
        return at, values[slot[at]]
    pos = np.minimum(np.searchsorted(people, index), len(people) - 1)
    found = np.flatnonzero(people[pos] == index)
    return found, values[pos[found]]


# --- explanations -------------------------------------------------------------------------
def _failure(pool: Pool, spec: RequestSpec, i: int, code: str) -> dict[str, Any]:
    params: dict[str, Any] = {"code": code}
    if code == "role_type":
        params["need"] = spec.role_type
    elif code == "weekly_grid":
        missing = spec.grid_mask & ~int(pool.col("availability")[i])
        params["cells"] = [[b // 3, b % 3] for b in range(21) if missing & (1 << b)]
    elif code == "date_off":
        off = pool.dates_off
        hits = [d for d in spec.dates if (off.cand[off.rows_equal(float(d))] == i).any()]
        params["dates"] = [dt.date.fromordinal(d).isoformat() for d in hits]
    elif code == "travel":
        km = float(distance_km(pool, spec, np.array([i]))[0])
        params["km"] = None if np.isnan(km) else round(km, 1)
        params["max_km"] = int(pool.col("max_travel_km")[i])
    elif code == "language":
        params["languages"] = [
            {"language": c, "have": int(pool.languages[LANG_INDEX[c]][i]), "need": level}
            for c, level in spec.languages
            if pool.languages[LANG_INDEX[c]][i] < level
        ]
    return params


def eligible(pool: Pool, spec: RequestSpec, site: Site | None = None) -> np.ndarray:
    """Pool indices of everyone who passes every hard constraint for `spec` (`site`: the
    site's columns, if at hand)."""
    return screen(pool, spec, site).eligible
