"""Proactive benches: per service profile, the best people ready for its typical shifts.

A bench is rebuilt from the worker's pool (the same engine and rules as urgent matching) when a
candidate or the profile changes and every night. Its coverage (how many fitting people are
free in each day-part of the coming days) shows recruiters where the bench is thin before a
client feels it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from candidates.availability import HELSINKI, PART_BOUNDS, DayPart
from candidates.models import Candidate
from clients.models import ServiceProfile
from staffing.matching.engine import eligible
from staffing.matching.entries import Points
from staffing.matching.features import RequestSpec, ShiftSpec
from staffing.matching.kept import Site, site_columns
from staffing.matching.pool import Pool
from staffing.matching.rules import rules_version_of, weights_resolve
from staffing.models import Bench, BenchEntry, SweepMark
from staffing.services.matching import shift_spec
from staffing.services.pool import CATCH_UP_OVERLAP, pool_current, pool_existing, pool_keeper

BENCH_DAYS = 14  # typical shifts this far ahead count
BENCH_SIZE = 50  # people kept on each bench
COVERAGE_DAYS = 14  # coverage stored this far ahead (bench_coverage shows up to this)
THIN_BELOW = 5  # fewer ready people than this in a day-part is a thin spot


def profile_spec(*, profile: ServiceProfile, now: dt.datetime) -> RequestSpec:
    """A request-like spec for a profile, without shifts: its role, site, languages, skills."""
    return RequestSpec(
        company_id=profile.company_id,
        role_type=profile.role_type,
        site_latitude=profile.site.latitude,
        site_longitude=profile.site.longitude,
        shifts=(),
        now=now.timestamp(),
        weights=weights_resolve(profile.weights),
        focus=profile.focus,
        # .all(): what prefetch_related read, where it did (one query per profile otherwise)
        languages=tuple(sorted((p.language, p.level) for p in profile.languages.all())),
        preferred_skills=tuple(sorted(s.pk for s in profile.valued_skills.all())),
    )


def typical_shift_specs(*, profile: ServiceProfile, today: dt.date) -> list[ShiftSpec]:
    """Every occurrence of the profile's typical shifts in the next BENCH_DAYS days."""
    out = []
    typical_shifts = list(profile.typical_shifts.all())  # one query, not one per day
    for offset in range(BENCH_DAYS):
        day = today + dt.timedelta(days=offset)
        for typical in typical_shifts:
            if typical.weekday != day.weekday():
                continue
            start = dt.datetime.combine(day, typical.start_time, HELSINKI)
            end = dt.datetime.combine(day, typical.end_time, HELSINKI)
            if end <= start:  # past midnight
                end += dt.timedelta(days=1)
            out.append(shift_spec(start, end))
    return out


def day_part_spec(day: dt.date, part: int) -> ShiftSpec:
    lo, hi = PART_BOUNDS[DayPart(part)]
    start = dt.datetime.combine(day, dt.time(lo), HELSINKI)
    return shift_spec(start, start + dt.timedelta(hours=hi - lo))


def bench_refresh(*, profile_id: int, now: dt.datetime | None = None) -> Bench | None:
    """Bring one profile's bench and coverage up to date; an inactive or deleted profile loses
    its bench.

    The result is always that of a rebuild from the current pool, but the work is incremental:
    the process keeps each profile's eligibility per person (`_Eligibility`) and re-screens only
    the people the pool changed since, and only the entries that moved are rewritten.
    `now`: the time the bench is refreshed at (tests).
    """
    profile = (
        ServiceProfile.objects.select_related("site")
        .prefetch_related("languages", "valued_skills", "typical_shifts")
        .filter(pk=profile_id, is_active=True)
        .first()
    )
    if profile is None:
        Bench.objects.filter(profile_id=profile_id).delete()
        _kept_eligibility.pop(profile_id, None)
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    clock = _score_clock(now)
    spec = profile_spec(profile=profile, now=clock)
    occurrences = typical_shift_specs(profile=profile, today=today)
    with pool_keeper().lock:
        pool = pool_current()
        fit = _eligibility(profile_id, pool, spec, occurrences, today)
        stands = not fit.moved and fit.scored_for == clock
        if stands and Bench.objects.filter(profile=profile).update(refreshed_at=now):
            # Nobody changed since the last refresh (this hour) was or is ready for the
            # profile: the stored bench stands (only fair-spread counts may have moved since;
            # the next hour's refresh, the nightly rebuild and the next change bring them in).
            return Bench.objects.get(profile=profile)
        ready = np.flatnonzero(fit.available[: pool.size] > 0)
        points, best = _best(pool, spec, ready, BENCH_SIZE)
        shifts = fit.available[ready[best]].tolist()
        entries = list(zip(points.entries(best, None), shifts, strict=True))
        coverage = _coverage_dict(fit.coverage, today)
    bench = _bench_store(
        profile=profile, now=now, ready_count=len(ready), coverage=coverage, entries=entries
    )
    fit.moved, fit.scored_for = False, clock
    return bench


def bench_eligibility_forget() -> None:
    """Drop every kept eligibility (tests; the next refresh of each bench screens everyone)."""
    _kept_eligibility.clear()


# Profiles whose eligibility a process keeps between refreshes: ~14 bytes per person each (7
# MB at 500,000), least recently refreshed dropped first.
ELIGIBILITY_KEPT = 16
# More people changed than this since a profile's last refresh: screening everyone is cheaper.
INCREMENTAL_PEOPLE = 2000
# Scores on a bench are computed as of the start of the hour (availability's freshness is the
# only factor that moves with the clock), so that a refresh within the hour rewrites only the
# entries that one person's change moved, and one an hour later all whose freshness moved.
SCORE_CLOCK = dt.timedelta(hours=1)


def _score_clock(now: dt.datetime) -> dt.datetime:
    step = SCORE_CLOCK.total_seconds()
    return dt.datetime.fromtimestamp(now.timestamp() // step * step, tz=dt.UTC)


@dataclasses.dataclass
class _Eligibility:
    """Who fits one profile and is free for its typical shifts and coverage day-parts, for every
    person of one pool, as of the pool's change counter `generation`."""

    pool: Pool
    key: tuple  # what it depends on besides the people: the profile's rules, its shifts, today
    generation: int
    available: np.ndarray  # int16 per pool index: typical shifts the person fits and is free for
    parts: np.ndarray  # uint64 per pool index: bit 3 * day + part set when fitting and free
    coverage: np.ndarray  # int64 (COVERAGE_DAYS * 3): people fitting and free per day-part
    # Not stored yet: screened afresh, or someone re-screened was or is ready or counted.
    moved: bool = True
    scored_for: dt.datetime | None = None  # the score clock of the bench last stored from it


_kept_eligibility: OrderedDict[int, _Eligibility] = OrderedDict()


def _eligibility(
    profile_id: int,
    pool: Pool,
    spec: RequestSpec,
    occurrences: list[ShiftSpec],
    today: dt.date,
) -> _Eligibility:
    """The profile's kept eligibility caught up with the pool (re-screening the people it
    changed since), or screened afresh for everyone when none fits."""
    key = (dataclasses.replace(spec, now=0.0), tuple(occurrences), today)
    fit = _kept_eligibility.pop(profile_id, None)
    if fit is not None and (fit.pool is not pool or fit.key != key):
        fit = None
    if fit is not None:
        changed = np.flatnonzero(pool.col("touched") > fit.generation)
        if len(changed) > INCREMENTAL_PEOPLE:
            fit = None
        elif len(changed):
            _rescreen(fit, pool, spec, occurrences, today, changed)
    if fit is None:
        available, parts = _screen_all(pool, spec, occurrences, today)
        coverage = _part_counts(parts)
        fit = _Eligibility(pool, key, pool.generation, available, parts, coverage)
    fit.generation = pool.generation
    _kept_eligibility[profile_id] = fit  # most recently used last
    while len(_kept_eligibility) > ELIGIBILITY_KEPT:
        _kept_eligibility.popitem(last=False)
    return fit


def _rescreen(
    fit: _Eligibility,
    pool: Pool,
    spec: RequestSpec,
    occurrences: list[ShiftSpec],
    today: dt.date,
    changed: np.ndarray,
) -> None:
    """Screen again the people at `changed` (new ones included): alone, in a pool of their own,
    which gives each the same answer as among everyone (every rule is per person)."""
    if len(fit.available) < pool.size:  # people added since
        grow = pool.size - len(fit.available)
        fit.available = np.concatenate([fit.available, np.zeros(grow, fit.available.dtype)])
        fit.parts = np.concatenate([fit.parts, np.zeros(grow, fit.parts.dtype)])
    was = fit.available[changed].any() or fit.parts[changed].any()
    fit.coverage -= _part_counts(fit.parts[changed])
    fit.available[changed] = 0
    fit.parts[changed] = 0
    live = changed[pool.col("live")[changed]]
    if len(live):
        alone = Pool.from_features(pool.features_many(live.tolist()))
        available, parts = _screen_all(alone, spec, occurrences, today)
        fit.available[live] = available[: len(live)]
        fit.parts[live] = parts[: len(live)]
    fit.coverage += _part_counts(fit.parts[changed])
    fit.moved |= bool(was or fit.available[changed].any() or fit.parts[changed].any())


def _screen_all(
    pool: Pool, spec: RequestSpec, occurrences: list[ShiftSpec], today: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """Per person of `pool`: how many typical shifts they fit and are free for, and the bits
    of the coverage day-parts (3 * day + part) they fit and are free in."""
    # Once per screening, and without pushing out an urgent request's site from the pool.
    site = site_columns(pool, spec, keep=False)
    available = _available(pool, spec, occurrences, site)
    parts = np.zeros(pool.size, dtype=np.uint64)
    for offset in range(COVERAGE_DAYS):
        day = today + dt.timedelta(days=offset)
        for part in range(3):
            day_part = dataclasses.replace(spec, shifts=(day_part_spec(day, part),))
            parts[eligible(pool, day_part, site)] |= np.uint64(1 << (3 * offset + part))
    return available, parts


_PART_BITS = np.arange(COVERAGE_DAYS * 3, dtype=np.uint64)


def _part_counts(parts: np.ndarray) -> np.ndarray:
    """How many of these people have each day-part's bit."""
    if not len(parts):
        return np.zeros(len(_PART_BITS), dtype=np.int64)
    bits = (parts[:, None] >> _PART_BITS[None, :]) & np.uint64(1)
    return bits.sum(axis=0, dtype=np.int64)


def _coverage_dict(counts: np.ndarray, today: dt.date) -> dict[str, list[int]]:
    rows = counts.reshape(COVERAGE_DAYS, 3).tolist()
    return {(today + dt.timedelta(days=d)).isoformat(): rows[d] for d in range(COVERAGE_DAYS)}


def _available(
    pool: Pool, spec: RequestSpec, occurrences: list[ShiftSpec], site: Site
) -> np.ndarray:
    """Per person of `pool`: how many of the profile's typical shifts they fit and are free for."""
    available = np.zeros(pool.size, dtype=np.int16)
    for occurrence in occurrences:
        available[eligible(pool, dataclasses.replace(spec, shifts=(occurrence,)), site)] += 1
    return available


def _ready(
    pool: Pool, spec: RequestSpec, occurrences: list[ShiftSpec], site: Site
) -> tuple[np.ndarray, np.ndarray]:
    """Who fits the profile and is free for at least one typical shift; and for how many (the
    weights preview: the same people as the bench, nothing kept)."""
    available = _available(pool, spec, occurrences, site)
    ready = np.flatnonzero(available > 0)
    return ready, available[ready]


def _best(pool: Pool, spec: RequestSpec, ready: np.ndarray, size: int) -> tuple[Points, np.ndarray]:
    """The ready people's points, and the positions in `ready` of the `size` best in order."""
    points = Points.compute(pool, spec, ready)
    return points, points.top(np.arange(len(ready)), size)


@dataclasses.dataclass(frozen=True)
class BenchMove:
    """One person whose place on the bench a weights change would change (or keep)."""

    candidate_id: int
    rank_before: int | None  # None: not on the bench before
    rank_after: int | None  # None: off the bench after
    score_before: float
    score_after: float


@dataclasses.dataclass(frozen=True)
class BenchPreview:
    """What new weights would do to a profile's bench, against its current weights, both
    ranked now on the same pool: who enters, who leaves, whose rank moves."""

    ready_count: int
    size: int
    entered: list[BenchMove]
    left: list[BenchMove]
    moved: list[BenchMove]
    unchanged: int

    @property
    def changes(self) -> bool:
        return bool(self.entered or self.left or self.moved)


def bench_weights_preview(
    *,
    profile: ServiceProfile,
    weights: Mapping[str, object],
    size: int = BENCH_SIZE,
    now: dt.datetime | None = None,
) -> BenchPreview:
    """Rank the profile's bench under its saved weights and under `weights` (overrides of the
    defaults, as a profile stores them) with the engine the bench is built with; nothing is
    stored. The ready people are the same under both (weights never change a hard
    constraint); only who is among the best `size`, and in which order, can move."""
    now = now or timezone.now()
    spec = profile_spec(profile=profile, now=now)
    proposed = dataclasses.replace(spec, weights=weights_resolve(weights))
    occurrences = typical_shift_specs(profile=profile, today=timezone.localdate(now))
    with pool_keeper().lock:
        pool = pool_current()
        site = site_columns(pool, spec, keep=False)
        ready, _shifts = _ready(pool, spec, occurrences, site)
        before, before_best = _best(pool, spec, ready, size)
        after, after_best = _best(pool, proposed, ready, size)
        ids = pool.col("ids")[ready]
    return _compare(ids, (before.total, before_best), (after.total, after_best), size)


def _compare(
    ids: np.ndarray,
    before: tuple[np.ndarray, np.ndarray],
    after: tuple[np.ndarray, np.ndarray],
    size: int,
) -> BenchPreview:
    """Compare two benches of the same ready people (`ids`): each as everyone's centipoint
    totals and the positions of the best, in bench order (`_best`)."""
    (old_total, old_best), (new_total, new_best) = before, after
    old = {int(j): rank for rank, j in enumerate(old_best.tolist(), 1)}
    new = {int(j): rank for rank, j in enumerate(new_best.tolist(), 1)}
    moves = [
        BenchMove(
            int(ids[j]), old.get(j), new.get(j), int(old_total[j]) / 100, int(new_total[j]) / 100
        )
        for j in sorted(set(old) | set(new))
    ]
    entered = sorted((m for m in moves if m.rank_before is None), key=lambda m: m.rank_after or 0)
    left = sorted((m for m in moves if m.rank_after is None), key=lambda m: m.rank_before or 0)
    both = [m for m in moves if m.rank_before is not None and m.rank_after is not None]
    moved = sorted(
        (m for m in both if m.rank_before != m.rank_after),
        key=lambda m: (-abs(m.rank_before - m.rank_after), m.rank_after),  # type: ignore[operator]
    )
    return BenchPreview(
        ready_count=len(ids),
        size=size,
        entered=entered,
        left=left,
        moved=moved,
        unchanged=len(both) - len(moved),
    )


def _bench_store(
    *,
    profile: ServiceProfile,
    now: dt.datetime,
    ready_count: int,
    coverage: dict[str, list[int]],
    entries: list[tuple[Any, int]],
) -> Bench:
    """Store the bench, rewriting only the entries that differ from those stored (a person's
    change usually moves a few), so that a refresh costs the database what it changed."""
    existing = pool_existing([e.candidate_id for e, _shifts in entries])
    entries = [(e, shifts) for e, shifts in entries if e.candidate_id in existing]
    with transaction.atomic():
        bench, _ = Bench.objects.select_for_update().update_or_create(
            profile=profile,
            defaults={
                "rules_version": rules_version_of(
                    profile_id=profile.pk, weights_version=profile.weights_version
                ),
                "refreshed_at": now,
                "ready_count": ready_count,
                "coverage": coverage,
            },
        )
        wanted = {
            e.candidate_id: (e.rank, e.score, shifts, _as_stored(e.explanation))
            for e, shifts in entries
        }
        stored = bench.entries.values_list(
            "pk", "candidate_id", "rank", "score", "shifts_available", "explanation"
        )
        unchanged, stale = set(), []
        for pk, candidate_id, *row in stored:
            if wanted.get(candidate_id) == tuple(row):
                unchanged.add(candidate_id)
            else:
                stale.append(pk)
        if stale:
            BenchEntry.objects.filter(pk__in=stale).delete()
        BenchEntry.objects.bulk_create(
            BenchEntry(
                bench=bench,
                candidate_id=e.candidate_id,
                rank=e.rank,
                score=e.score,
                shifts_available=shifts,
                explanation=e.explanation,
            )
            for e, shifts in entries
            if e.candidate_id not in unchanged
        )
    return bench


def _as_stored(explanation: dict[str, Any]) -> Any:
    """The explanation as it reads back from its JSON column (tuples become lists)."""
    return json.loads(json.dumps(explanation))


def benches_refresh_all() -> int:
    """Rebuild every active profile's bench (nightly) and drop benches of inactive profiles,
    screening everyone afresh (what the incremental refreshes kept is dropped first)."""
    bench_eligibility_forget()
    Bench.objects.exclude(profile__is_active=True).delete()
    ids = list(ServiceProfile.objects.filter(is_active=True).values_list("pk", flat=True))
    for profile_id in ids:
        bench_refresh(profile_id=profile_id)
    return len(ids)


def benches_stale_refresh(*, people_limit: int = 200) -> int:
    """The beat sweep behind every bench hand-off: rebuild the benches whose refresh was asked
    for, whose profile changed, that do not exist yet, or that a person changed since the last
    sweep may enter or leave (unless rebuilt since). A lost refresh message thus delays a bench
    but never loses its change. Returns how many benches were rebuilt.

    People are read oldest change first from the sweep's watermark, at most `people_limit` a
    run; the next run goes on from where this one stopped.
    """
    refreshed = {
        b.profile_id: b
        for b in Bench.objects.filter(profile__is_active=True).select_related("profile")
    }
    due = {pk for pk, b in refreshed.items() if not _bench_current(b)}
    due |= set(
        ServiceProfile.objects.filter(is_active=True)
        .exclude(pk__in=list(refreshed))
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        mark, _ = SweepMark.objects.select_for_update().get_or_create(
            name="benches", defaults={"at": timezone.now()}
        )
        changed = list(
            Candidate.objects.filter(updated_at__gt=mark.at - CATCH_UP_OVERLAP)
            .order_by("updated_at")
            .values_list("pk", "updated_at")[:people_limit]
        )
        for candidate_id, updated_at in changed:
            for profile_id in bench_profiles_for_candidate(candidate_id=candidate_id):
                bench = refreshed.get(profile_id)
                if bench is None or updated_at > bench.refreshed_at:
                    due.add(profile_id)
        if changed:
            mark.at = max(mark.at, changed[-1][1])
            mark.save(update_fields=["at"])
    for profile_id in sorted(due):
        bench_refresh(profile_id=profile_id)
    return len(due)


def _bench_current(bench: Bench) -> bool:
    """No refresh asked for since the last one, and the profile unchanged since."""
    asked = bench.refresh_requested_at
    return (asked is None or asked <= bench.refreshed_at) and (
        bench.profile.updated_at <= bench.refreshed_at
    )


def bench_profiles_for_candidate(*, candidate_id: int) -> list[int]:
    """Active profiles whose bench this person is on, was counted on, or could now be on."""
    on_bench = set(
        BenchEntry.objects.filter(candidate_id=candidate_id).values_list(
            "bench__profile_id", flat=True
        )
    )
    now = timezone.now()
    with pool_keeper().lock:
        pool = pool_current()
        index = int(pool.index_of([candidate_id])[0])
        alone = (
            Pool.from_features([pool.features(index)])
            if index >= 0 and pool.col("live")[index]
            else None
        )
        # Benches that counted the person as ready (off the top, or in coverage) before the
        # change: leaving them changes their counts.
        counted = {
            profile_id
            for profile_id, fit in _kept_eligibility.items()
            if fit.pool is pool
            and 0 <= index < len(fit.available)
            and (fit.available[index] or fit.parts[index])
        }
    fits = set()
    if alone is not None:
        profiles = ServiceProfile.objects.filter(is_active=True).select_related("site")
        for profile in profiles.prefetch_related("languages", "valued_skills"):
            if len(eligible(alone, profile_spec(profile=profile, now=now))):
                fits.add(profile.pk)
    return sorted(on_bench | counted | fits)


def bench_coverage(*, days: int = 7, thin_below: int = THIN_BELOW) -> list[dict[str, Any]]:
    """Bench coverage of every active profile for the next `days` days (at most 14).

    Returns one dict per profile, ordered by company and profile name:

        {"profile_id": 3, "profile": "Evening desk", "company": "Kauppa Oy",
         "site": "Kamppi", "refreshed_at": datetime | None, "ready": 41,
         "days": [date, ...],                       # `days` dates from today
         "parts": ["morning", "day", "evening"],     # DayPart labels in the active language
         "counts": [[m, d, e], ...],                 # one row per day; None = not computed
         "thin": [[bool, bool, bool], ...],          # count is None or below `thin_below`
         "thin_below": 5}
    """
    today = timezone.localdate()
    dates = [today + dt.timedelta(days=i) for i in range(min(days, COVERAGE_DAYS))]
    benches = {b.profile_id: b for b in Bench.objects.all()}
    profiles = ServiceProfile.objects.filter(is_active=True).select_related("company", "site")
    out = []
    for profile in profiles.order_by("company__name", "name"):
        bench = benches.get(profile.pk)
        stored = bench.coverage if bench else {}
        counts = [stored.get(day.isoformat(), [None, None, None]) for day in dates]
        out.append(
            {
                "profile_id": profile.pk,
                "profile": profile.name,
                "company": profile.company.name,
                "site": profile.site.name,
                "refreshed_at": bench.refreshed_at if bench else None,
                "ready": bench.ready_count if bench else 0,
                "days": dates,
                "parts": [str(label) for label in DayPart.labels],
                "counts": counts,
                "thin": [[c is None or c < thin_below for c in row] for row in counts],
                "thin_below": thin_below,
            }
        )
    return out
