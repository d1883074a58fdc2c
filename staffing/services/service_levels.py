"""Service levels per client: how fast and how fully the agency answered its requests.

Everything is aggregated in PostgreSQL (one grouped query over requests, one over placements);
medians and 90th percentiles use `percentile_cont`, which ignores the NULLs of requests that
never reached a shortlist or were never filled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    Expression,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Concat, TruncWeek
from django.utils import timezone

from candidates.availability import HELSINKI
from staffing.models import Placement, ReliabilityRecord, Shortlist, StaffingRequest

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


# --- Week by week ---------------------------------------------------------------------------

TREND_WEEKS = 12
# An order counts as a repeat when the same client had a request for the same service profile
# filled within this many days before it: the client came back after being served.
REPEAT_WITHIN = dt.timedelta(days=28)
DIMENSIONS = ("client", "site", "profile", "recruiter")


@dataclasses.dataclass(frozen=True)
class WeekLevel:
    """One group's figures for the requests submitted in one week (Monday to Sunday, Helsinki)."""

    week: dt.date  # the Monday
    requests: int = 0
    cancelled: int = 0
    filled: int = 0
    shortlist_median: dt.timedelta | None = None
    filled_median: dt.timedelta | None = None
    filled_p90: dt.timedelta | None = None
    no_shows: int = 0
    late_cancellations: int = 0
    repeat_orders: int = 0

    @property
    def wanted(self) -> int:
        return self.requests - self.cancelled

    @property
    def fill_rate(self) -> float | None:
        """Filled among the requests the client did not cancel; None in a week without any."""
        return self.filled / self.wanted if self.wanted else None

    @property
    def repeat_share(self) -> float | None:
        return self.repeat_orders / self.requests if self.requests else None


@dataclasses.dataclass(frozen=True)
class Trend:
    """A group (a client, site, profile or recruiter, or all) over the weeks, oldest first."""

    key: int | None
    label: str
    weeks: list[WeekLevel]

    @property
    def requests(self) -> int:
        return sum(w.requests for w in self.weeks)

    @property
    def filled(self) -> int:
        return sum(w.filled for w in self.weeks)

    @property
    def no_shows(self) -> int:
        return sum(w.no_shows for w in self.weeks)

    @property
    def late_cancellations(self) -> int:
        return sum(w.late_cancellations for w in self.weeks)

    @property
    def repeat_orders(self) -> int:
        return sum(w.repeat_orders for w in self.weeks)


def trend_weeks(*, now: dt.datetime | None = None, weeks: int = TREND_WEEKS) -> list[dt.date]:
    """The Mondays of the last `weeks` weeks, the current (partial) week last."""
    today = timezone.localdate(now or timezone.now())
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _group_key(dimension: str) -> tuple[Any, Any]:
    """(key, label) expressions of a dimension, on StaffingRequest."""
    if dimension == "site":
        return F("site_id"), F("site__name")
    if dimension == "profile":
        return F("service_profile_id"), F("service_profile__name")
    if dimension == "recruiter":
        # The recruiter who approved the request's latest approved shortlist.
        approved = Shortlist.objects.filter(
            request=OuterRef("pk"), approved_by__isnull=False
        ).order_by("-approved_at")
        return (
            Subquery(approved.values("approved_by_id")[:1]),
            Subquery(
                approved.annotate(
                    name=Concat("approved_by__first_name", Value(" "), "approved_by__last_name")
                ).values("name")[:1]
            ),
        )
    return F("company_id"), F("company__name")


def service_level_trends(
    *,
    dimension: str = "client",
    company_id: int | None = None,
    key: int | None = None,
    now: dt.datetime | None = None,
    weeks: int = TREND_WEEKS,
) -> tuple[Trend, list[Trend]]:
    """(the total, one trend per group of `dimension`) for the last `weeks` weeks.

    Every trend has every week, a week without requests included (zero counts, no times), so
    charts and tables line up. `company_id` keeps one client (a client manager's own view);
    `key` keeps one group of the dimension. Groups are ordered by requests, most first.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    mondays = trend_weeks(now=now, weeks=weeks)
    since = dt.datetime.combine(mondays[0], dt.time(0), HELSINKI)
    requests = StaffingRequest.objects.filter(created_at__gte=since)
    if now is not None:
        requests = requests.filter(created_at__lte=now)
    if company_id is not None:
        requests = requests.filter(company_id=company_id)
    group, label = _group_key(dimension)
    requests = requests.annotate(group=group, group_label=label)
    if key is not None:
        requests = requests.filter(group=key)
    rows = _week_rows(requests, ("group", "group_label"))
    totals = _week_rows(requests, ())
    labels: dict[int | None, str] = {}
    by_group: dict[int | None, dict[dt.date, WeekLevel]] = {}
    for row in rows:
        group_key = row.pop("group")
        labels[group_key] = row.pop("group_label") or ""
        by_group.setdefault(group_key, {})[row["week"]] = WeekLevel(**row)
    total = Trend(None, "", [_week(totals, monday) for monday in mondays])
    trends = [
        Trend(k, labels.get(k, ""), [found.get(m, WeekLevel(week=m)) for m in mondays])
        for k, found in by_group.items()
    ]
    trends.sort(key=lambda t: (-t.requests, t.label))
    return total, trends


def _week(rows: list[dict], monday: dt.date) -> WeekLevel:
    for row in rows:
        if row["week"] == monday:
            return WeekLevel(**row)
    return WeekLevel(week=monday)


def _week_rows(requests, keys: tuple[str, ...]) -> list[dict]:
    """One dict per (keys…, week) with WeekLevel's fields (and the keys)."""
    to_shortlist = F("shortlisted_at") - F("created_at")
    to_filled = F("filled_at") - F("created_at")
    earlier = StaffingRequest.objects.filter(
        service_profile_id=OuterRef("service_profile_id"),
        created_at__lt=OuterRef("created_at"),
        created_at__gte=OuterRef("created_at") - REPEAT_WITHIN,
        status=StaffingRequest.Status.FILLED,
    )
    placements = Placement.objects.filter(request=OuterRef("pk"))
    records = ReliabilityRecord.objects.filter(placement__request=OuterRef("pk")).exclude(
        decision=ReliabilityRecord.Decision.WITHDRAWN
    )
    annotated = requests.annotate(
        week=TruncWeek("created_at", tzinfo=HELSINKI),
        is_repeat=Exists(earlier),
        no_show_n=_count(placements.filter(status=Placement.Status.NO_SHOW)),
        late_n=_count(records.filter(kind=ReliabilityRecord.Kind.LATE_CANCELLATION)),
    )
    rows = (
        annotated.values(*keys, "week")
        .annotate(
            requests=Count("pk"),
            cancelled=Count("pk", filter=Q(status=StaffingRequest.Status.CANCELLED)),
            filled=Count("pk", filter=Q(status=StaffingRequest.Status.FILLED)),
            shortlist_median=_percentile(to_shortlist, 0.5),
            filled_median=_percentile(to_filled, 0.5),
            filled_p90=_percentile(to_filled, 0.9),
            no_shows=Sum("no_show_n"),
            late_cancellations=Sum("late_n"),
            repeat_orders=Count("pk", filter=Q(is_repeat=True)),
        )
        .order_by(*keys, "week")
    )
    out = []
    for row in rows:
        row["week"] = _monday(row["week"])
        row["no_shows"] = int(row["no_shows"] or 0)
        row["late_cancellations"] = int(row["late_cancellations"] or 0)
        out.append(row)
    return out


def _monday(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(HELSINKI).date()
    return value


def _count(queryset) -> Coalesce:
    """How many rows `queryset` (correlated with OuterRef) has, as an integer subquery."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), 0)
