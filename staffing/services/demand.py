"""Expected demand per service profile × weekday × day-part × language, and the gaps against it.

Demand is learned from past requests: the people asked for in each cell, summed per week over
the last DEMAND_WEEKS weeks; the cell's expected need is the mean of those weekly sums, rounded
(a cell asked for one person every other week expects one). "Saturday evenings at Kamppi
usually need 3 Swedish speakers" is one such cell: profile Kamppi, weekday 5, evening, `sv`.

Supply is counted for the coming days from one read of the matchable people (their place,
travel limit, weekly grid, kind of work and the levels of the languages asked; about 0.2 s at
100,000 people) and numpy tests per question: the people who pass the engine's hard
constraints for that day-part (active and consenting, the kind of work, the weekly grid, no
day off, no booking overlapping the part or its rest, not barred by the client, within their own
travel distance, the profile's languages with the cell's language at the cell's level); the
bookings and client bars of the few who pass are read per question. The distance is the
flat-earth approximation the candidate search uses, within 0.5 % of the great circle at these
distances. The answer is cached for
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

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from psycopg2.extras import DateTimeTZRange

from candidates.availability import HELSINKI, PART_BOUNDS, DayPart, bit
from candidates.languages import CEFRLevel, Language
from candidates.models import Candidate, CandidateLanguage, DateOff
from clients.models import CandidateMark, ProfileLanguage, ServiceProfile
from staffing.models import DAILY_REST, Placement, RequestLanguage, StaffingRequest

DEMAND_WEEKS = 8
READY_PER_PLACE = 3
KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LON = 111.32  # at the equator; times cos(latitude)


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
    profile_languages = _profile_languages({p.pk for p, _c, _d in questions})
    needs = []
    for profile, cell, _day in questions:
        need = dict(profile_languages.get(profile.pk, {}))
        need[cell.language] = cell.level
        needs.append(need)
    people = _matchable_people(sorted({lang for need in needs for lang in need}))
    days = sorted({day for _p, _c, day in questions})
    off = _people_off(people.index, days)
    taken = _Taken.load(days)
    out = []
    for (profile, cell, day), need in zip(questions, needs, strict=True):
        lo, hi = PART_BOUNDS[DayPart(cell.part)]
        part_start = dt.datetime.combine(day, dt.time(0), HELSINKI) + dt.timedelta(hours=lo)
        part_end = part_start + dt.timedelta(hours=hi - lo)
        mask = bit(day.weekday(), cell.part)
        cos_lat = math.cos(math.radians(profile.site.latitude))
        dlat = (people.latitude - profile.site.latitude) * KM_PER_DEGREE_LAT
        dlon = (people.longitude - profile.site.longitude) * KM_PER_DEGREE_LON * cos_lat
        fits = (
            ((people.availability & mask) == mask)
            & (people.office if profile.role_type == "office" else people.retail)
            & (dlat * dlat + dlon * dlon <= people.max_km * people.max_km)
            & ~off.get(day, people.none)
        )
        for language, level in need.items():
            fits &= people.levels[language] >= level
        ids = people.ids[fits]
        period = (part_start, part_end + DAILY_REST)
        out.append(len(ids) - taken.count(ids, company_id=profile.company_id, period=period))
    return out


@dataclass
class _People:
    ids: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    max_km: np.ndarray
    availability: np.ndarray
    office: np.ndarray
    retail: np.ndarray
    levels: dict[str, np.ndarray]
    index: dict[int, int]

    @property
    def none(self) -> np.ndarray:
        return np.zeros(len(self.ids), dtype=bool)


def _matchable_people(languages: list[str]) -> _People:
    """Active, consenting people with a location, with their level in each of `languages`
    (0 when they do not speak it): one row each."""
    columns = ", ".join(
        "coalesce(max(l.level) FILTER (WHERE l.language = %s), 0)" for _ in languages
    )
    sql = f"""
    SELECT c.id, c.latitude, c.longitude, c.max_travel_km, c.availability,
           c.works_office, c.works_retail{", " + columns if languages else ""}
    FROM {Candidate._meta.db_table} c
    LEFT JOIN {CandidateLanguage._meta.db_table} l
      ON l.candidate_id = c.id AND l.language = ANY(%s)
    WHERE c.status = 'active' AND c.matching_consent AND c.latitude IS NOT NULL
    GROUP BY c.id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*languages, languages])
        rows = cursor.fetchall()
    table = np.array(rows, dtype=np.float64).reshape(len(rows), 7 + len(languages))
    ids = table[:, 0].astype(np.int64)
    return _People(
        ids=ids,
        latitude=table[:, 1],
        longitude=table[:, 2],
        max_km=table[:, 3],
        availability=table[:, 4].astype(np.int64),
        office=table[:, 5].astype(bool),
        retail=table[:, 6].astype(bool),
        levels={lang: table[:, 7 + i] for i, lang in enumerate(languages)},
        index={int(pk): i for i, pk in enumerate(ids)},
    )


def _people_off(index: dict[int, int], days: list[dt.date]) -> dict[dt.date, np.ndarray]:
    out: dict[dt.date, np.ndarray] = {}
    for candidate_id, day in DateOff.objects.filter(date__in=days).values_list(
        "candidate_id", "date"
    ):
        if candidate_id in index:
            out.setdefault(day, np.zeros(len(index), dtype=bool))[index[candidate_id]] = True
    return out


@dataclass
class _Taken:
    """Bookings (blocked ranges) in the window and client bars, per candidate."""

    booked: dict[int, list[tuple[dt.datetime, dt.datetime]]]
    barred: set[tuple[int, int]]  # (candidate, company)

    @classmethod
    def load(cls, days: list[dt.date]) -> _Taken:
        start = dt.datetime.combine(days[0], dt.time(0), HELSINKI)
        end = dt.datetime.combine(days[-1], dt.time(0), HELSINKI) + dt.timedelta(days=2)
        booked: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        for candidate_id, blocked in Placement.objects.filter(
            status__in=Placement.ACTIVE_STATUSES, blocked__overlap=DateTimeTZRange(start, end)
        ).values_list("candidate_id", "blocked"):
            booked[candidate_id].append((blocked.lower, blocked.upper))
        barred = set(
            CandidateMark.objects.filter(kind="do_not_return").values_list(
                "candidate_id", "company_id"
            )
        )
        return cls(booked, barred)

    def count(self, ids: np.ndarray, *, company_id: int, period: tuple) -> int:
        """How many of `ids` are booked over `period` or barred by the client."""
        lo, hi = period
        return sum(
            1
            for pk in (int(i) for i in ids)
            if (pk, company_id) in self.barred
            or any(b_lo < hi and lo < b_hi for b_lo, b_hi in self.booked.get(pk, ()))
        )


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
