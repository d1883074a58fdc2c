"""The staffing layer's answers to the Candidates page's workflow filters (a client site, a
bench or talent pool, reliability, a request's shifts): `candidates.services.search` asks them
through `SearchContext`, since it cannot read these models itself."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from candidates.availability import shift_requirements
from candidates.services.search import ShiftsNeed
from clients.models import Site
from staffing.models import (
    BenchEntry,
    Placement,
    ReliabilityRecord,
    StaffingRequest,
    TalentPool,
    TalentPoolMember,
)
from staffing.models.placements import DAILY_REST


class StaffingSearchContext:
    """Every site, bench, pool and request of the agency (the page is for recruiters only)."""

    def site_point(self, site_id: int) -> tuple[str, float, float] | None:
        site = Site.objects.select_related("company").filter(pk=site_id).first()
        if site is None:
            return None
        return (f"{site.company.name} – {site.name}", site.latitude, site.longitude)

    def group_members(self, kind: str, key: int) -> tuple[str, list[int]] | None:
        if kind == "pool":
            pool = TalentPool.objects.filter(pk=key).first()
            if pool is None:
                return None
            ids = TalentPoolMember.objects.filter(pool=pool).values_list("candidate_id", flat=True)
            return (pool.name, list(ids))
        entries = BenchEntry.objects.filter(bench__profile_id=key).select_related("bench__profile")
        first = entries.first()
        if first is None:
            return None
        return (first.bench.profile.name, list(entries.values_list("candidate_id", flat=True)))

    def lapsed_ids(self, more_than: int) -> list[int]:
        """No-shows and late cancellations as matching counts them: a record the agency
        withdrew after a contest does not count (each counts once here)."""
        placements, records = Placement._meta.db_table, ReliabilityRecord._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT candidate_id FROM (
                      SELECT candidate_id, id AS placement_id, 'no_show' AS kind
                      FROM {placements} p WHERE status = 'no_show' AND NOT EXISTS (
                          SELECT 1 FROM {records} w WHERE w.placement_id = p.id
                          AND w.kind = 'no_show' AND w.decision = 'withdrawn')
                      UNION SELECT candidate_id, placement_id, kind FROM {records}
                      WHERE decision <> 'withdrawn') lapses
                    GROUP BY 1 HAVING COUNT(*) > %s""",
                [more_than],
            )
            return [row[0] for row in cursor.fetchall()]

    def request_shifts(self, request_id: int) -> ShiftsNeed | None:
        req = StaffingRequest.objects.select_related("site").filter(pk=request_id).first()
        shifts = list(req.shifts.all()) if req is not None else []
        if req is None or not shifts:
            return None
        mask, dates = 0, set[dt.date]()
        overlap = []
        for shift in shifts:
            bits, days = shift_requirements(shift.starts_at, shift.ends_at)
            mask, dates = mask | bits, dates | days
            start, end = Placement.blocked_range(shift.starts_at, shift.ends_at)
            overlap.append((start - DAILY_REST, end))
        busy: set[int] = set()
        for lower, upper in overlap:
            busy |= set(
                Placement.objects.filter(
                    status__in=Placement.ACTIVE_STATUSES,
                    blocked__overlap=(lower, upper),
                ).values_list("candidate_id", flat=True)
            )
        label = f"{req.site.name} {shifts[0].starts_at:%Y-%m-%d}"
        return ShiftsNeed(
            label=label, grid_mask=mask, dates=tuple(sorted(dates)), busy_ids=tuple(sorted(busy))
        )


def search_choices() -> dict[str, list[tuple[str, str]]]:
    """The options of the workflow filters on the Candidates page: client sites, benches and
    talent pools, and requests still to be staffed (the latest first)."""
    sites = Site.objects.select_related("company").order_by("company__name", "name")
    benches = BenchEntry.objects.values_list(
        "bench__profile_id", "bench__profile__company__name", "bench__profile__name"
    )
    # Without the entries' own ordering, which DISTINCT would otherwise select too (one
    # option per entry instead of one per bench).
    benches = benches.order_by().distinct()
    pools = TalentPool.objects.select_related("company").order_by("company__name", "name")
    open_requests = (
        StaffingRequest.objects.exclude(
            status__in=[StaffingRequest.Status.FILLED, StaffingRequest.Status.CANCELLED]
        )
        .select_related("company", "site")
        .order_by("-created_at")[:50]
    )
    return {
        "sites": [(str(s.pk), f"{s.company.name} – {s.name}") for s in sites],
        "benches": [
            (f"bench:{pk}", f"{company} – {name}") for pk, company, name in sorted(benches)
        ],
        "pools": [(f"pool:{p.pk}", f"{p.company.name} – {p.name}") for p in pools],
        "requests": [
            (str(r.pk), f"#{r.pk} {r.company.name} – {r.site.name}") for r in open_requests
        ],
    }
