"""How fast will a request fill? An honest estimate shown before the client submits.

`ready` counts the people who would pass every hard constraint of the engine for these shifts
right now (active and consenting, the kind of work, the weekly grid, no day off, no overlapping
booking or short rest, within their travel distance, the languages at the level, not barred by
this client), counted in SQL over the whole pool. The acceptance rate is the share of this
company's answered offers (the last 90 days) that were accepted, once there are enough of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from candidates.availability import shift_requirements
from candidates.models import Candidate, CandidateLanguage, DateOff
from clients.models import CandidateMark, ClientCompany, Site
from staffing.matching.rules import EARTH_RADIUS_KM
from staffing.models import DAILY_REST, Offer, Placement

ACCEPTANCE_MIN_ANSWERS = 5
ACCEPTANCE_WINDOW = dt.timedelta(days=90)


@dataclass(frozen=True)
class FillEstimate:
    ready: int
    headcount: int
    acceptance_rate: float | None  # None until there is enough history
    answered: int

    @property
    def outlook(self) -> str:
        """ "fast", "likely", "hard" or "unlikely", from the ready people per place needed."""
        expected = self.ready * (self.acceptance_rate if self.acceptance_rate else 0.5)
        if self.ready < self.headcount:
            return "unlikely"
        if expected >= 2 * self.headcount:
            return "fast"
        if expected >= self.headcount:
            return "likely"
        return "hard"


def ready_count(
    *,
    company: ClientCompany,
    site: Site,
    role_type: str,
    shifts: Sequence[tuple[dt.datetime, dt.datetime]],
    languages: Iterable[tuple[str, int]] = (),
) -> int:
    """`ready_count_now`, kept FILL_ESTIMATE_CACHE_SECONDS per question (site, kind of work,
    shifts, languages). The order form asks again on every change and the count moves slowly;
    a full count over 100,000 people costs 70-200 ms of database time, most of it the distance
    test."""
    languages = sorted(languages)
    seconds = settings.FILL_ESTIMATE_CACHE_SECONDS

    def count() -> int:
        return ready_count_now(
            company=company, site=site, role_type=role_type, shifts=shifts, languages=languages
        )

    if seconds <= 0:
        return count()
    question = repr(
        (company.pk, site.pk, site.latitude, site.longitude, role_type, sorted(shifts), languages)
    )
    key = "estimate:ready:" + hashlib.sha256(question.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    ready = count()
    cache.set(key, ready, seconds)
    return ready


def ready_count_now(
    *,
    company: ClientCompany,
    site: Site,
    role_type: str,
    shifts: Sequence[tuple[dt.datetime, dt.datetime]],
    languages: Iterable[tuple[str, int]] = (),
) -> int:
    """People who pass every hard constraint for all `shifts` now (see the module docstring)."""
    if not shifts:
        return 0
    mask, dates = 0, set()
    for start, end in shifts:
        m, d = shift_requirements(start, end)
        mask |= m
        dates |= d
    role_column = "works_office" if role_type == "office" else "works_retail"
    sql = [
        f"""SELECT count(*) FROM {Candidate._meta.db_table} c
        WHERE c.status = 'active' AND c.matching_consent AND c.{role_column}
          AND (c.availability & %s) = %s
          AND c.latitude IS NOT NULL
          AND 2 * %s * asin(sqrt(
                power(sin(radians(c.latitude - %s) / 2), 2)
                + cos(radians(%s)) * cos(radians(c.latitude))
                  * power(sin(radians(c.longitude - %s) / 2), 2))) <= c.max_travel_km
          AND NOT EXISTS (SELECT 1 FROM {DateOff._meta.db_table} o
                          WHERE o.candidate_id = c.id AND o.date = ANY(%s))
          AND NOT EXISTS (SELECT 1 FROM {CandidateMark._meta.db_table} m
                          WHERE m.candidate_id = c.id AND m.company_id = %s
                            AND m.kind = 'do_not_return')
          AND NOT EXISTS (SELECT 1 FROM {Placement._meta.db_table} p
                          WHERE p.candidate_id = c.id AND p.status IN ('confirmed', 'completed')
                            AND p.blocked && ANY(%s::tstzrange[]))"""
    ]
    ranges = [f"[{s.isoformat()},{(e + DAILY_REST).isoformat()})" for s, e in shifts]
    params: list[Any] = [
        mask,
        mask,
        EARTH_RADIUS_KM,
        site.latitude,
        site.latitude,
        site.longitude,
        sorted(dates),
        company.pk,
        ranges,
    ]
    for language, level in languages:
        sql.append(
            f"""AND EXISTS (SELECT 1 FROM {CandidateLanguage._meta.db_table} l
                WHERE l.candidate_id = c.id AND l.language = %s AND l.level >= %s)"""
        )
        params += [language, level]
    with connection.cursor() as cursor:
        cursor.execute("\n".join(sql), params)
        return int(cursor.fetchone()[0])


def acceptance_rate(*, company: ClientCompany) -> tuple[float | None, int]:
    """(share of answered offers accepted, answers counted) for the company's recent requests."""
    answered = Offer.objects.filter(
        request__company=company,
        sent_at__gte=timezone.now() - ACCEPTANCE_WINDOW,
        status__in=[Offer.Status.ACCEPTED, Offer.Status.DECLINED, Offer.Status.EXPIRED],
    )
    total = answered.count()
    if total < ACCEPTANCE_MIN_ANSWERS:
        return None, total
    accepted = answered.filter(status=Offer.Status.ACCEPTED).count()
    return accepted / total, total


def fill_estimate(
    *,
    company: ClientCompany,
    site: Site,
    role_type: str,
    headcount: int,
    shifts: Sequence[tuple[dt.datetime, dt.datetime]],
    languages: Iterable[tuple[str, int]] = (),
) -> FillEstimate:
    ready = ready_count(
        company=company, site=site, role_type=role_type, shifts=shifts, languages=languages
    )
    rate, answered = acceptance_rate(company=company)
    return FillEstimate(ready=ready, headcount=headcount, acceptance_rate=rate, answered=answered)
