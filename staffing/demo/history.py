"""Ninety days of demo history: past requests with their shortlists, offers, placements,
ratings, no-shows and late cancellations, so that service levels, the bench's expected demand and
the fill estimate have real shapes on a newcomer's first look.

Rows are written with `bulk_create` through the real models (a few thousand rows in about a
second); timestamps that the models set themselves (`created_at`) are put back to their
historical values with one UPDATE … FROM (VALUES …) each. The history is found again by its
requests' submission keys (uuid5 of a fixed namespace), so seeding twice adds nothing.

Shapes put in on purpose: Fridays and Saturdays at Kamppi and weekends at Aurora Helsinki usually
ask for 2–4 Swedish speakers, Iso Omena's Saturdays for Chinese and Linkki Oulu's Mondays and
Wednesdays for Estonian (few in the pool speak those: the bench's real gaps); Kotimarket Oulu
orders nothing in two weeks (a holiday) and Linkki Oulu fills poorly (a thin spot); urgent
orders fill within hours, planned ones within a day or two.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from psycopg2.extras import DateTimeTZRange, execute_values

from candidates.availability import HELSINKI
from candidates.models import Candidate
from clients.models import ClientCompany, ServiceProfile
from staffing.matching.rules import RULES_VERSION
from staffing.models import (
    Offer,
    Placement,
    ReliabilityRecord,
    RequestLanguage,
    ServiceRating,
    Shift,
    Shortlist,
    StaffingRequest,
    User,
)

HISTORY_DAYS = 90
HISTORY_NAMESPACE = uuid.UUID("6f1c3d2e-5b7a-4c1e-9d0f-3a2b1c4d5e6f")
# Requests per typical shift occurrence, per site (the busy Helsinki sites order most).
ORDER_CHANCE = {
    "Kotimarket Kamppi": 0.55,
    "Kotimarket Leppävaara": 0.35,
    "Kotimarket Tikkurila": 0.3,
    "Kotimarket Hervanta": 0.3,
    "Kotimarket Turku keskusta": 0.25,
    "Kotimarket Oulu keskusta": 0.25,
    "Linkki Pasila": 0.35,
    "Linkki Tampere": 0.25,
    "Linkki Oulu": 0.25,
    "Aurora Helsinki": 0.55,
    "Aurora Turku": 0.3,
    "Aurora Tampere": 0.3,
    "Elektra Vantaanportti": 0.3,
    "Elektra Iso Omena": 0.3,
    "Elektra Oulu": 0.2,
}
# Extra languages asked for on these (site, weekday) cells: (language, level, headcounts).
EXTRA_LANGUAGE_CELLS = {
    ("Kotimarket Kamppi", 4): ("sv", 4, (2, 3, 3)),
    ("Kotimarket Kamppi", 5): ("sv", 4, (3, 3, 4)),
    ("Aurora Helsinki", 5): ("sv", 4, (2, 3)),
    ("Aurora Helsinki", 6): ("sv", 4, (2, 3)),
    # Tourists from Asia on Saturdays; few people in the pool speak Chinese.
    ("Elektra Iso Omena", 5): ("zh", 4, (1, 2)),
    ("Linkki Oulu", 0): ("et", 4, (2, 2, 3)),
    ("Linkki Oulu", 2): ("et", 4, (2, 2, 3)),
}
SITES_FILLING_POORLY = {"Linkki Oulu": 0.55, "Elektra Oulu": 0.75}
HOLIDAY_WEEKS_AGO = (5, 6)  # Kotimarket Oulu orders nothing these weeks
NOTES = (
    "Iltavuoro kassalle.",
    "Sairastapaus, tarvitaan tuuraaja.",
    "Kampanjapäivä, lisäväkeä.",
    "Lomakauden tuuraus.",
    "Ruuhkaviikon lisävuoro.",
    "Inventaarion apu.",
)
# The same notes from a Swedish-speaking client's managers (User.language "sv").
NOTES_SV = (
    "Kvällspass i kassan.",
    "Sjukfall, vi behöver en vikarie.",
    "Kampanjdag, extra personal.",
    "Semestervikariat.",
    "Extra pass under en bråd vecka.",
    "Hjälp med inventeringen.",
)


@dataclass
class _Rows:
    requests: list[StaffingRequest] = field(default_factory=list)
    # Per request (same order): shift times, languages, outcome.
    plans: list[dict] = field(default_factory=list)


def history_key(n: int) -> uuid.UUID:
    return uuid.uuid5(HISTORY_NAMESPACE, f"history-{n}")


def history_exists() -> bool:
    return StaffingRequest.objects.filter(submission_key=history_key(0)).exists()


def history_seed(
    *, recruiters: list[User], seed: int = 1, now: dt.datetime | None = None
) -> dict[str, int]:
    """Write the history once (see the module docstring); returns rows created per kind."""
    if history_exists():
        return {}
    now = now or timezone.now()
    rng = random.Random(seed)
    people = list(
        Candidate.objects.filter(
            email__endswith="@demo.example.fi", status="active", matching_consent=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not people:
        return {}
    # The candidate logins worked too, and well: their pages show past work, and they stay at
    # the top of the lists the demo journeys offer from.
    logins = set(
        Candidate.objects.filter(user__email__endswith="@demo.fi").values_list("pk", flat=True)
    )
    rows = _plan(rng, now, recruiters)
    return _write(rng, rows, [*people, *sorted(logins)], logins, now)


def _plan(rng: random.Random, now: dt.datetime, recruiters: list[User]) -> _Rows:
    rows = _Rows()
    today = timezone.localdate(now)
    profiles = (
        ServiceProfile.objects.filter(is_active=True)
        .select_related("site", "company")
        .prefetch_related("typical_shifts", "languages")
        .order_by("pk")
    )
    managers = {
        c.pk: c.memberships.select_related("user").first()
        for c in ClientCompany.objects.prefetch_related("memberships")
    }
    first_id = (
        profiles.filter(site__name="Kotimarket Kamppi").values_list("site_id", flat=True).first()
    )
    for profile in profiles:
        chance = ORDER_CHANCE.get(profile.site.name, 0.25)
        languages = [(pl.language, pl.level) for pl in profile.languages.all()]
        recruiter = recruiters[profile.company_id % len(recruiters)]
        membership = managers.get(profile.company_id)
        for days_ago in range(HISTORY_DAYS, 0, -1):
            day = today - dt.timedelta(days=days_ago)
            if profile.site.name == "Kotimarket Oulu keskusta" and (
                days_ago // 7 in HOLIDAY_WEEKS_AGO
            ):
                continue
            extra = EXTRA_LANGUAGE_CELLS.get((profile.site.name, day.weekday()))
            for typical in profile.typical_shifts.all():
                usual = 0.85 if extra else chance  # those cells order nearly every week
                if typical.weekday != day.weekday() or rng.random() > usual:
                    continue
                start = dt.datetime.combine(day, typical.start_time, HELSINKI)
                end = dt.datetime.combine(day, typical.end_time, HELSINKI)
                needs, headcounts = list(languages), None
                if extra and rng.random() < 0.9:
                    language, level, headcounts = extra
                    needs = [n for n in needs if n[0] != language] + [(language, level)]
                _plan_request(
                    rng,
                    rows,
                    profile,
                    (start, end),
                    needs,
                    (recruiter, membership, first_id),
                    now,
                    headcounts,
                )
    return rows


def _plan_request(rng, rows, profile, when, needs, who, now, headcounts) -> None:
    start, end = when
    recruiter, membership, first_site = who
    urgent = rng.random() < 0.45
    lead = (
        dt.timedelta(hours=rng.uniform(2, 20)) if urgent else dt.timedelta(days=rng.uniform(1.5, 7))
    )
    created = start - lead
    if created >= now:
        return
    headcount = (
        rng.choice(headcounts) if headcounts else rng.choices((1, 2, 3, 4), (45, 35, 15, 5))[0]
    )
    fill_chance = SITES_FILLING_POORLY.get(profile.site.name, 0.93)
    if headcounts:  # the extra language is scarce
        fill_chance -= 0.12
    cancelled = rng.random() < 0.04
    filled = not cancelled and rng.random() < fill_chance
    # Lognormal times: urgent orders fill in about 1.5 h, planned in about 14 h.
    median = dt.timedelta(hours=1.5 if urgent else 14)
    to_fill = median * rng.lognormvariate(0, 0.7)
    filled_at = min(created + to_fill, start - dt.timedelta(minutes=20))
    if filled_at <= created:
        filled_at = created + (start - created) / 2
    n = len(rows.requests)
    status = StaffingRequest.Status
    request = StaffingRequest(
        company_id=profile.company_id,
        site_id=profile.site_id,
        service_profile_id=profile.pk,
        urgency="urgent" if urgent else "planned",
        headcount=headcount,
        role_type=profile.role_type,
        notes=rng.choice(NOTES_SV if membership and membership.user.language == "sv" else NOTES),
        status=status.CANCELLED
        if cancelled
        else status.FILLED
        if filled
        else status.NEEDS_ATTENTION,
        submitted_by=membership.user if membership else None,
        shortlisted_at=None
        if cancelled and rng.random() < 0.3
        else created + dt.timedelta(seconds=rng.lognormvariate(3.0, 0.6)),
        filled_at=filled_at if filled else None,
        submission_key=history_key(n),
    )
    rows.requests.append(request)
    rows.plans.append(
        {
            "created": created,
            "start": start,
            "end": end,
            "needs": needs,
            "filled": filled,
            "cancelled": cancelled,
            "recruiter": recruiter,
            "manager": membership.user if membership else None,
            "first_site": first_site,
        }
    )


def _write(
    rng: random.Random, rows: _Rows, people: list[int], logins: set[int], now: dt.datetime
) -> dict[str, int]:
    requests = StaffingRequest.objects.bulk_create(rows.requests, batch_size=500)
    for request, plan in zip(requests, rows.plans, strict=True):
        request.created_at = plan["created"]
    _created_at_set(requests)
    shifts = Shift.objects.bulk_create(
        [
            Shift(request=r, starts_at=p["start"], ends_at=p["end"])
            for r, p in zip(requests, rows.plans, strict=True)
        ],
        batch_size=500,
    )
    RequestLanguage.objects.bulk_create(
        [
            RequestLanguage(request=r, language=lang, level=level)
            for r, p in zip(requests, rows.plans, strict=True)
            for lang, level in p["needs"]
        ],
        batch_size=1000,
    )
    shortlists = Shortlist.objects.bulk_create(
        [
            Shortlist(
                request=r,
                rules_version=RULES_VERSION,
                inputs={},
                pool_size=len(people),
                eligible_count=min(len(people), 40),
                approved_by=p["recruiter"],
                approved_at=r.shortlisted_at + dt.timedelta(minutes=rng.uniform(1, 15)),
            )
            for r, p in zip(requests, rows.plans, strict=True)
            if r.shortlisted_at is not None
        ],
        batch_size=500,
    )
    for shortlist in shortlists:
        shortlist.created_at = shortlist.request.shortlisted_at
    _created_at_set(shortlists)
    booked: dict[int, set[dt.date]] = defaultdict(set)
    for candidate_id, period in Placement.objects.filter(
        status__in=Placement.ACTIVE_STATUSES, candidate_id__in=people
    ).values_list("candidate_id", "period"):
        booked[candidate_id].add(timezone.localdate(period.lower))
    placements, offers, outcomes = [], [], []
    for request, shift, plan in zip(requests, shifts, rows.plans, strict=True):
        if request.shortlisted_at is None:
            continue
        day = timezone.localdate(plan["start"])
        drawn = rng.sample(people, min(len(people), 12))
        if request.site_id == plan["first_site"]:
            # The candidate logins are the regulars of the retail chain's Kamppi store.
            drawn = [*sorted(logins), *(pk for pk in drawn if pk not in logins)]
        free = [pk for pk in drawn if day not in booked[pk]]
        placed_count = request.headcount if plan["filled"] else rng.randrange(request.headcount)
        placed, others = free[:placed_count], free[placed_count : placed_count + 3]
        sent = request.shortlisted_at + dt.timedelta(minutes=rng.uniform(2, 20))
        answer = request.filled_at or min(plan["start"], now)
        for pk in placed:
            booked[pk].add(day)
            offers.append(_offer(request, pk, sent, Offer.Status.ACCEPTED, answer))
            kind = _outcome(rng, plan["start"], now, reliable=pk in logins)
            placements.append(_placement(request, shift, pk, kind, plan["start"]))
            outcomes.append((kind, plan))
            if kind == Placement.Status.CANCELLED and others:
                # A late cancellation: the next person on the list steps in.
                stand_in = others.pop(0)
                booked[stand_in].add(day)
                offers.append(_offer(request, stand_in, sent, Offer.Status.ACCEPTED, answer))
                completed = Placement.Status.COMPLETED
                placements.append(_placement(request, shift, stand_in, completed, plan["start"]))
                outcomes.append((completed, plan))
        for pk in others:
            status = rng.choice((Offer.Status.DECLINED, Offer.Status.EXPIRED, Offer.Status.FILLED))
            offers.append(_offer(request, pk, sent, status, sent + dt.timedelta(minutes=25)))
    Offer.objects.bulk_create(offers, batch_size=1000)
    placements = Placement.objects.bulk_create(placements, batch_size=1000)
    for placement in placements:
        placement.created_at = placement.request.filled_at or placement.period.lower
    _created_at_set(placements)
    ratings, records = _feedback(rng, placements, outcomes, logins)
    # Ratings, no-shows and bookings are matching inputs: a running worker's pool reloads them.
    Candidate.objects.filter(pk__in={p.candidate_id for p in placements}).touch()
    return {
        "history requests": len(requests),
        "history shifts": len(shifts),
        "history shortlists": len(shortlists),
        "history offers": len(offers),
        "history placements": len(placements),
        "history ratings": len(ratings),
        "history reliability records": len(records),
    }


def _created_at_set(rows: list) -> None:
    """Put `created_at` (set by auto_now_add on insert) back to each row's historical value:
    one UPDATE … FROM (VALUES …), several times faster than bulk_update's CASE per row."""
    if not rows:
        return
    table = rows[0]._meta.db_table
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f"UPDATE {table} AS t SET created_at = v.created_at::timestamptz "
            "FROM (VALUES %s) AS v(id, created_at) WHERE t.id = v.id",
            [(row.pk, row.created_at) for row in rows],
            page_size=1000,
        )


def _offer(request, candidate_id, sent, status, answered) -> Offer:
    return Offer(
        request=request,
        candidate_id=candidate_id,
        wave=1,
        status=status,
        sent_at=sent,
        deadline=sent + dt.timedelta(minutes=30),
        responded_at=answered if status != Offer.Status.FILLED else None,
    )


def _outcome(rng: random.Random, start: dt.datetime, now: dt.datetime, *, reliable: bool) -> str:
    if start > now:
        return Placement.Status.CONFIRMED
    if reliable:
        return Placement.Status.COMPLETED
    roll = rng.random()
    if roll < 0.03:
        return Placement.Status.NO_SHOW
    if roll < 0.06:
        return Placement.Status.CANCELLED
    return Placement.Status.COMPLETED


def _placement(request, shift, candidate_id, status, start) -> Placement:
    return Placement(
        candidate_id=candidate_id,
        request=request,
        shift=shift,
        period=DateTimeTZRange(shift.starts_at, shift.ends_at),
        blocked=DateTimeTZRange(*Placement.blocked_range(shift.starts_at, shift.ends_at)),
        status=status,
        cancelled_at=start - dt.timedelta(hours=5)
        if status == Placement.Status.CANCELLED
        else None,
        cancel_reason="Sairastuin." if status == Placement.Status.CANCELLED else "",
    )


def _feedback(rng, placements, outcomes, logins: set[int]) -> tuple[list, list]:
    ratings, records = [], []
    for placement, (kind, plan) in zip(placements, outcomes, strict=True):
        if placement.candidate_id in logins and kind == Placement.Status.COMPLETED:
            ratings.append(
                ServiceRating(
                    placement=placement,
                    candidate_id=placement.candidate_id,
                    company_id=placement.request.company_id,
                    score=5,
                    by=plan["manager"],
                )
            )
        elif kind == Placement.Status.COMPLETED and rng.random() < 0.6:
            ratings.append(
                ServiceRating(
                    placement=placement,
                    candidate_id=placement.candidate_id,
                    company_id=placement.request.company_id,
                    score=rng.choices((2, 3, 4, 5), weights=(3, 12, 45, 40))[0],
                    by=plan["manager"],
                )
            )
        elif kind == Placement.Status.NO_SHOW:
            records.append(
                ReliabilityRecord(
                    placement=placement,
                    candidate_id=placement.candidate_id,
                    kind=ReliabilityRecord.Kind.NO_SHOW,
                    reported_by=plan["manager"],
                )
            )
        elif kind == Placement.Status.CANCELLED:
            records.append(
                ReliabilityRecord(
                    placement=placement,
                    candidate_id=placement.candidate_id,
                    kind=ReliabilityRecord.Kind.LATE_CANCELLATION,
                    reason="Sairastuin.",
                    reported_by=plan["recruiter"],
                )
            )
    ratings = ServiceRating.objects.bulk_create(ratings, batch_size=1000)
    records = ReliabilityRecord.objects.bulk_create(records, batch_size=1000)
    for row in (*ratings, *records):
        reported = row.placement.period.upper + dt.timedelta(hours=rng.uniform(2, 30))
        row.created_at = min(reported, timezone.now())
    _created_at_set(ratings)
    _created_at_set(records)
    return ratings, records
