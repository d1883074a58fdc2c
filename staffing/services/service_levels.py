"""Service levels per client: how fast and how fully the agency answered its requests.

Everything is aggregated in PostgreSQL (one grouped query over requests, one over placements);
medians and 90th percentiles use `percentile_cont`, which ignores the NULLs of requests that
never reached a shortlist or were never filled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Aggregate, Count, DurationField, Expression, F, Q
from django.utils import timezone

from staffing.models import Placement, StaffingRequest

SERVICE_LEVEL_DAYS = 30


class Percentile(Aggregate):
    """PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, *, fraction: float, **extra) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclasses.dataclass(frozen=True)
class ClientServiceLevel:
    """One client's figures for the period; durations are None when nothing reached that step."""

    company_id: int
    company: str
    requests: int
    shortlist_median: dt.timedelta | None
    shortlist_p90: dt.timedelta | None
    filled_median: dt.timedelta | None
    filled_p90: dt.timedelta | None
    filled: int
    cancelled: int
    no_shows: int

    @property
    def wanted(self) -> int:
        """Requests the client did not cancel: the ones the agency was expected to fill."""
        return self.requests - self.cancelled

    @property
    def fill_rate(self) -> float | None:
        """Filled requests as a share of the wanted ones (0..1); None when none were wanted."""
        return self.filled / self.wanted if self.wanted else None


def service_levels(
    *,
    days: int = SERVICE_LEVEL_DAYS,
    now: dt.datetime | None = None,
    company_id: int | None = None,
) -> list[ClientServiceLevel]:
    """Per client with requests submitted in the last `days` days, ordered by client name.

    Times run from submission (`created_at`) to the shortlist being stored (`shortlisted_at`)
    and to the request being filled (`filled_at`); no-shows are placements of those requests
    marked as no-show.
    """
    since = (now or timezone.now()) - dt.timedelta(days=days)
    requests = StaffingRequest.objects.filter(created_at__gte=since)
    if company_id is not None:
        requests = requests.filter(company_id=company_id)
    to_shortlist = F("shortlisted_at") - F("created_at")
    to_filled = F("filled_at") - F("created_at")
    rows = (
        requests.values("company_id", "company__name")
        .annotate(
            n=Count("pk"),
            filled=Count("pk", filter=Q(status=StaffingRequest.Status.FILLED)),
            cancelled=Count("pk", filter=Q(status=StaffingRequest.Status.CANCELLED)),
            shortlist_median=_percentile(to_shortlist, 0.5),
            shortlist_p90=_percentile(to_shortlist, 0.9),
            filled_median=_percentile(to_filled, 0.5),
            filled_p90=_percentile(to_filled, 0.9),
        )
        .order_by("company__name", "company_id")
    )
    no_shows = dict(
        Placement.objects.filter(request__in=requests, status=Placement.Status.NO_SHOW)
        .values("request__company_id")
        .annotate(n=Count("pk"))
        .values_list("request__company_id", "n")
    )
    return [
        ClientServiceLevel(
            company_id=row["company_id"],
            company=row["company__name"],
            requests=row["n"],
            shortlist_median=row["shortlist_median"],
            shortlist_p90=row["shortlist_p90"],
            filled_median=row["filled_median"],
            filled_p90=row["filled_p90"],
            filled=row["filled"],
            cancelled=row["cancelled"],
            no_shows=no_shows.get(row["company_id"], 0),
        )
        for row in rows
    ]


def _percentile(expression: Expression, fraction: float) -> Percentile:
    # percentile_cont over an interval yields an interval, which Django reads as a timedelta.
    return Percentile(expression, fraction=fraction, output_field=DurationField())
