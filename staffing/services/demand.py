"""Expected demand per service profile × weekday × day-part × language, and the gaps against it.

Demand is learned from past requests: the people asked for in each cell, summed per week over
the last DEMAND_WEEKS weeks; the cell's expected need is the mean of those weekly sums, rounded
(a cell asked for one person every other week expects one). "Saturday evenings at Kamppi
usually need 3 Swedish speakers" is one such cell: profile Kamppi, weekday 5, evening, `sv`.

Supply is counted for the coming days in one SQL statement: the people who pass the engine's
hard constraints for that day-part (active and consenting, the kind of work, the weekly grid, no
day off, no booking overlapping the part or its rest, not barred by the client, within their own
travel distance, the profile's languages with the cell's language at the cell's level). The
distance is the flat-earth approximation the candidate search uses, after a bounding box; it is
within 0.5 % of the great circle at these distances. The answer is cached for
COVERAGE_GAPS_CACHE_SECONDS (the pool changes slowly and the page is read often).

A cell is a gap when fewer than READY_PER_PLACE people per expected place are ready: about one
offer in three is accepted, so fewer ready people than that leaves the client short.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from candidates.availability import HELSINKI, PART_BOUNDS, DayPart, bit
from candidates.languages import CEFRLevel, Language
from candidates.models import Candidate, CandidateLanguage, DateOff
from clients.models import CandidateMark, ProfileLanguage, ServiceProfile
from staffing.models import DAILY_REST, Placement, RequestLanguage, StaffingRequest

DEMAND_WEEKS = 8
READY_PER_PLACE = 3
KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LON = 111.32  # at the equator; times cos(latitude)
MAX_TRAVEL_KM = 200  # the form's limit: the bounding box never needs to be wider


@dataclass(frozen=True)
class DemandCell:
    """What a profile usually needs in one weekday's day-part, in one language."""

    profile_id: int
    weekday: int
    part: int
    language: str
    level: int  # the highest level asked for in the cell
    expected: int  # people per week on average, rounded
    weeks_asked: int  # weeks (of DEMAND_WEEKS) with any request in the cell


@dataclass(frozen=True)
class Gap:
    """A coming day-part where fewer people are ready than the expected demand needs."""

    cell: DemandCell
    profile: ServiceProfile
    day: dt.date
    ready: int
    # Other languages of the same cell with the same need and the same people ready (the
    # profile's usual languages, which everyone on its bench speaks), listed in one row.
    also: tuple[tuple[str, int], ...] = ()

    @property
    def wanted(self) -> int:
        return self.cell.expected * READY_PER_PLACE

    @property
    def short(self) -> int:
        return max(self.wanted - self.ready, 0)

    @property
    def severity(self) -> float:
        """0 = nobody ready … 1 = enough; gaps sort worst first by this."""
        return self.ready / self.wanted if self.wanted else 1.0

    @property
    def part_label(self) -> str:
        return str(DayPart(self.cell.part).label)

    @property
    def languages_label(self) -> str:
        """ "Swedish B2+" or "Finnish B2+, English B1+": the languages this gap needs."""
        needs = ((self.cell.language, self.cell.level), *self.also)
        return ", ".join(
            f"{Language(code).label} {CEFRLevel(level).label}+" for code, level in needs
        )


def shift_part(start: dt.datetime, end: dt.datetime) -> int:
    """The day-part a shift mostly falls in (16–21 is an evening shift)."""
    local_start, local_end = start.astimezone(HELSINKI), end.astimezone(HELSINKI)
    day = dt.datetime.combine(local_start.date(), dt.time(0), HELSINKI)
    overlap = {}
    for part, (lo, hi) in PART_BOUNDS.items():
        part_start, part_end = day + dt.timedelta(hours=lo), day + dt.timedelta(hours=hi)
        overlap[int(part)] = min(local_end, part_end) - max(local_start, part_start)
    return max(overlap, key=lambda p: (overlap[p], -p))


def demand_expected(
    *,
    now: dt.datetime | None = None,
    weeks: int = DEMAND_WEEKS,
    profile_ids: Iterable[int] | None = None,
) -> list[DemandCell]:
    """Cells with an expected need of at least one person (see the module docstring)."""
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    rows = RequestLanguage.objects.filter(
        request__shifts__starts_at__gte=since, request__shifts__starts_at__lt=now
    ).exclude(request__status=StaffingRequest.Status.CANCELLED)
    if profile_ids is not None:
        rows = rows.filter(request__service_profile_id__in=list(profile_ids))
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0] * weeks)
    levels: dict[tuple, int] = defaultdict(int)
    for profile_id, language, level, headcount, start, end in rows.values_list(
        "request__service_profile_id",
        "language",
        "level",
        "request__headcount",
        "request__shifts__starts_at",
        "request__shifts__ends_at",
    ):
        week = min(int((now - start) / dt.timedelta(weeks=1)), weeks - 1)
        key = (profile_id, start.astimezone(HELSINKI).weekday(), shift_part(start, end), language)
        sums[key][week] += headcount
        levels[key] = max(levels[key], level)
    cells = []
    for key, per_week in sums.items():
        expected = math.floor(statistics.mean(per_week) + 0.5)
        if expected >= 1:
            asked = sum(1 for n in per_week if n)
            cells.append(DemandCell(*key, level=levels[key], expected=expected, weeks_asked=asked))
    return cells


def coverage_gaps(
    *,
    days: int = 7,
    profiles: Sequence[ServiceProfile],
    now: dt.datetime | None = None,
) -> list[Gap]:
    """The gaps of `profiles` in the next `days` days, worst first, then soonest."""
    now = now or timezone.now()
    by_id = {p.pk: p for p in profiles}
    cells = demand_expected(now=now, profile_ids=list(by_id))
    today = timezone.localdate(now)
    wanted = []
    for cell in cells:
        for offset in range(days):
            day = today + dt.timedelta(days=offset)
            if day.weekday() == cell.weekday and _part_end(day, cell.part) > now:
                wanted.append((cell, day))
    ready = ready_counts(questions=[(by_id[c.profile_id], c, d) for c, d in wanted])
    gaps = [
        Gap(cell=cell, profile=by_id[cell.profile_id], day=day, ready=n)
        for (cell, day), n in zip(wanted, ready, strict=True)
    ]
    usual = _profile_languages(set(by_id))
    gaps = _merged([g for g in gaps if g.ready < g.wanted], usual)
    gaps.sort(
        key=lambda g: (
            g.severity,
            g.day,
            g.cell.part,
            -g.cell.expected,
            g.profile.name,
            g.cell.language,
        )
    )
    return gaps


def _merged(gaps: list[Gap], usual: dict[int, dict[str, int]]) -> list[Gap]:
    """One gap per (profile, day, part, need, ready), its other languages in `also`; the
    rarest language (a Swedish need beside the profile's Finnish) stays the gap's own."""
    groups: dict[tuple, list[Gap]] = defaultdict(list)
    for gap in gaps:
        groups[(gap.profile.pk, gap.day, gap.cell.part, gap.cell.expected, gap.ready)].append(gap)
    out = []
    for members in groups.values():
        members.sort(
            key=lambda g: (g.cell.language in usual.get(g.profile.pk, {}), g.cell.language)
        )
        first, *rest = members
        also = tuple((g.cell.language, g.cell.level) for g in rest)
        out.append(dataclasses.replace(first, also=also))
    return out


def _part_end(day: dt.date, part: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), HELSINKI) + dt.timedelta(
        hours=PART_BOUNDS[DayPart(part)][1]
    )


def ready_counts(*, questions: Sequence[tuple[ServiceProfile, DemandCell, dt.date]]) -> list[int]:
    """For each (profile, cell, day): the people ready then (see the module docstring),
    cached COVERAGE_GAPS_CACHE_SECONDS per question."""
    keys = [_cache_key(q) for q in questions]
    seconds = settings.COVERAGE_GAPS_CACHE_SECONDS
    found = cache.get_many(keys) if seconds > 0 else {}
    missing = [(k, q) for k, q in zip(keys, questions, strict=True) if k not in found]
    if missing:
        counted = _ready_counts_now([q for _k, q in missing])
        fresh = {k: n for (k, _q), n in zip(missing, counted, strict=True)}
        if seconds > 0:
            cache.set_many(fresh, seconds)
        found.update(fresh)
    return [int(found[k]) for k in keys]


def _cache_key(question: tuple[ServiceProfile, DemandCell, dt.date]) -> str:
    profile, cell, day = question
    text = repr((profile.pk, profile.updated_at, cell.part, cell.language, cell.level, day))
    return "coverage:ready:" + hashlib.sha256(text.encode()).hexdigest()


def _ready_counts_now(questions: Sequence[tuple[ServiceProfile, DemandCell, dt.date]]) -> list[int]:
    if not questions:
        return []
    values: list[str] = []
    params: list[Any] = []
    profile_languages = _profile_languages({p.pk for p, _c, _d in questions})
    for i, (profile, cell, day) in enumerate(questions):
        needs = dict(profile_languages.get(profile.pk, {}))
        needs[cell.language] = cell.level
        lo, hi = PART_BOUNDS[DayPart(cell.part)]
        part_start = dt.datetime.combine(day, dt.time(0), HELSINKI) + dt.timedelta(hours=lo)
        part_end = part_start + dt.timedelta(hours=hi - lo)
        cos_lat = math.cos(math.radians(profile.site.latitude))
        values.append(
            "(%s, %s::float, %s::float, %s::float, %s::boolean, %s::int, %s::date, "
            "%s::timestamptz, %s::timestamptz, %s::int, %s::text[], %s::int[])"
        )
        params += [
            i,
            profile.site.latitude,
            profile.site.longitude,
            cos_lat,
            profile.role_type == "office",
            bit(day.weekday(), cell.part),
            day,
            part_start,
            part_end + DAILY_REST,
            profile.company_id,
            list(needs),
            list(needs.values()),
        ]
    sql = f"""
    WITH q(i, lat, lon, coslat, office, mask, day, part_from, part_to, company, langs, levels)
      AS (VALUES {", ".join(values)})
    SELECT q.i, (
      SELECT count(*) FROM {Candidate._meta.db_table} c
      WHERE c.status = 'active' AND c.matching_consent
        AND (CASE WHEN q.office THEN c.works_office ELSE c.works_retail END)
        AND (c.availability & q.mask) = q.mask
        AND c.latitude BETWEEN q.lat - {MAX_TRAVEL_KM / KM_PER_DEGREE_LAT}
                           AND q.lat + {MAX_TRAVEL_KM / KM_PER_DEGREE_LAT}
        AND power((c.latitude - q.lat) * {KM_PER_DEGREE_LAT}, 2)
            + power((c.longitude - q.lon) * {KM_PER_DEGREE_LON} * q.coslat, 2)
            <= power(c.max_travel_km, 2)
        AND NOT EXISTS (SELECT 1 FROM {DateOff._meta.db_table} o
                        WHERE o.candidate_id = c.id AND o.date = q.day)
        AND NOT EXISTS (SELECT 1 FROM {CandidateMark._meta.db_table} m
                        WHERE m.candidate_id = c.id AND m.company_id = q.company
                          AND m.kind = 'do_not_return')
        AND NOT EXISTS (SELECT 1 FROM {Placement._meta.db_table} p
                        WHERE p.candidate_id = c.id AND p.status IN ('confirmed', 'completed')
                          AND p.blocked && tstzrange(q.part_from, q.part_to))
        AND NOT EXISTS (
          SELECT 1 FROM unnest(q.langs, q.levels) AS need(language, level)
          WHERE NOT EXISTS (SELECT 1 FROM {CandidateLanguage._meta.db_table} l
                            WHERE l.candidate_id = c.id AND l.language = need.language
                              AND l.level >= need.level))
    ) FROM q ORDER BY q.i"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(n) for _i, n in cursor.fetchall()]


def _profile_languages(profile_ids: set[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for profile_id, language, level in ProfileLanguage.objects.filter(
        profile_id__in=profile_ids
    ).values_list("profile_id", "language", "level"):
        out[profile_id][language] = level
    return out


def candidate_search_params(gap: Gap) -> dict[str, Any]:
    """The Candidates page's filters for exactly this gap (candidates.services.search)."""
    return {
        "role": gap.profile.role_type,
        "language": gap.cell.language,
        "language_level": gap.cell.level,
        "date": gap.day.isoformat(),
        "part": gap.cell.part,
        "postal_code": gap.profile.site.postal_code,
        "km": SEARCH_KM,
        "consent": "yes",
        "status": "active",
        "sort": "distance",
    }


SEARCH_KM = 25  # the search's radius around the site: most people's travel limit is 10–30 km
