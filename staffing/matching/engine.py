"""Rank a pool for one request: hard constraints as masks, soft factors as integer points.

Each soft factor's contribution is rounded to hundredths of a point (integers) before summing,
so an explanation's contributions add up to the score exactly, and ordering is by (score desc,
candidate id asc), so ties are broken the same way every time. Every rule is elementwise: a
person's score depends only on their own features and the request, never on who else is in the
pool, which is what makes replay and "adding someone never reorders the others" hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from staffing.matching.entries import Entry, Points, top_positions
from staffing.matching.factors import (
    centi,
    centi_into,
    freshness_value,
    languages_verified,
    points_table,
    skill_levels,
)
from staffing.matching.features import RequestSpec
from staffing.matching.kept import Site, base_points, site_columns, weekday_availability
from staffing.matching.pool import LANG_INDEX, MARK_KINDS, ROLE_BITS, Pool
from staffing.matching.rules import (
    DAILY_REST_SECONDS,
    FAIR_SPREAD_CAP,
    HARD_CONSTRAINTS,
)

# Near misses are the best-scoring among at most this many, the closest to the site.
NEAR_MISS_POOL = 2000


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


def _set(bits: np.ndarray, code: str, mask: np.ndarray) -> None:
    bits |= mask.view(np.uint8) * FAIL_BITS[code]


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
    return np.concatenate([pool.dates_off.people_with(float(d)) for d in dates])


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
    top = top_positions(total, lambda at: ids[people[at]], k)
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
            held = skill_levels(pool, skills, index)
            total += points_table(w[code], held, 3.0 * len(skills), 255 * len(skills))
    return total


def _the_rest(pool: Pool, spec: RequestSpec, index: np.ndarray) -> np.ndarray:
    """Languages verified, fair spread and freshness: their points for the people at `index`."""
    w = spec.weights
    if spec.languages:
        hits = languages_verified(pool, spec, index)
        total = points_table(
            w["language_verified"], hits, float(len(spec.languages)), len(spec.languages)
        )
    else:
        total = np.zeros(len(index), dtype=np.int32)
    recent = np.minimum(pool.col("recent_shortlists")[index], FAIR_SPREAD_CAP)
    total += points_table(w["fair_spread"], recent, -float(FAIR_SPREAD_CAP), FAIR_SPREAD_CAP)
    total += centi_into(w["freshness"], freshness_value(pool.col("confirmed")[index], spec))
    return total


def _the_rest_bounds(spec: RequestSpec) -> tuple[int, int]:
    """The least and the most `_the_rest` can give anyone, from the same tables: every value
    it can take (languages verified 0..all, recent shortlists 0..the cap, freshness 0..1)."""
    w = spec.weights
    n = len(spec.languages)
    parts = [
        points_table(w["language_verified"], np.arange(n + 1), float(n), n) if n else np.zeros(1),
        points_table(
            w["fair_spread"], np.arange(FAIR_SPREAD_CAP + 1), -FAIR_SPREAD_CAP, FAIR_SPREAD_CAP
        ),
        centi(w["freshness"], np.array([0.0, 1.0])),
    ]
    return sum(int(p.min()) for p in parts), sum(int(p.max()) for p in parts)


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


def eligible(pool: Pool, spec: RequestSpec, site: Site | None = None) -> np.ndarray:
    """Pool indices of everyone who passes every hard constraint for `spec` (`site`: the
    site's columns, if at hand)."""
    return screen(pool, spec, site).eligible
