"""How long will a request take to fill? An honest estimate shown before the client submits.

The time comes from the history of similar requests: the same service profile and urgency over
the last HISTORY_WINDOW (or, when that profile has fewer than MIN_SIMILAR, the same client and
kind of work, then the kind of work at every client). Its median is the usual time, and the
range one that holds for 9 of 10 requests like them (a conformal interval, `fill_range`); `manage.py
backtest_fill_estimate` measures how often the range holds on history (docs/matching.md).

The bench's depth for these shifts comes from the profile's stored bench coverage (people
fitting the profile who are free in each day-part of the next 14 days, rebuilt by the worker),
not from a count over the pool: one row read instead of a scan of every person. When fewer
people are ready than READY_PER_PLACE per place, the estimate says so: history was made with
a deeper bench.

Both parts are cheap (one indexed, grouped query and one row), and the history part is cached
FILL_ESTIMATE_CACHE_SECONDS per (profile, urgency): it moves slowly.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from candidates.availability import bit, shift_requirements
from clients.models import ServiceProfile
from staffing.models import Bench, StaffingRequest
from staffing.services.service_levels import Percentile

HISTORY_WINDOW = dt.timedelta(days=90)
MIN_SIMILAR = 8  # fewer filled similar requests than this: too little history for a time
READY_PER_PLACE = 3  # about one offer in three is accepted
BASES = ("profile", "company", "role")  # what "similar" means, narrowest first
# The range: "9 of 10". Percentiles of the past times held for too few of the next requests
# (8–30 past requests miss the tails: the 5th–95th held for 81 % in the backtest, the
# 2.5th–97.5th for 84 %). Instead the range is a conformal prediction interval around the
# usual time, in log time (times to fill are skewed): each past request's distance
# |ln(took / median)|, and the ⌈(n + 1) × 0.9⌉-th smallest of the n distances as the range's
# half-width, which holds for at least 9 of 10 new requests like the past n (exchangeable),
# the (n + 1) being the small-sample correction; with fewer than 9 past requests the largest
# distance is taken (n / (n + 1)). Backtest on the demo history: docs/matching.md.
COVERAGE = 0.9
SHORTEST = dt.timedelta(minutes=1)  # a time to fill taken as at least this, for its logarithm


def fill_range(
    times: Sequence[dt.timedelta], median: dt.timedelta
) -> tuple[dt.timedelta, dt.timedelta]:
    """(low, high) for COVERAGE of the requests like these past `times` (see above)."""
    centre = math.log(max(median, SHORTEST).total_seconds())
    logs = sorted(math.log(max(took, SHORTEST).total_seconds()) for took in times)
    # Each past request's distance to the median of the others (leave one out: the median of
    # all of them would sit nearer each, and the range come out too narrow).
    distances = sorted(
        abs(value - statistics.median(logs[:j] + logs[j + 1 :])) if len(logs) > 1 else 0.0
        for j, value in enumerate(logs)
    )
    rank = min(len(distances), math.ceil((len(distances) + 1) * COVERAGE))
    half = distances[rank - 1]
    return (
        dt.timedelta(seconds=round(math.exp(centre - half))),
        dt.timedelta(seconds=round(math.exp(centre + half))),
    )


@dataclass(frozen=True)
class FillHistory:
    """What similar requests did: how many, how many filled, and how long filling took."""

    basis: str  # one of BASES
    similar: int  # similar requests submitted in the window (not cancelled)
    filled: int
    median: dt.timedelta | None
    low: dt.timedelta | None  # the range that holds for COVERAGE of such requests
    high: dt.timedelta | None

    @property
    def enough(self) -> bool:
        return self.filled >= MIN_SIMILAR and self.median is not None


@dataclass(frozen=True)
class FillEstimate:
    headcount: int
    urgency: str
    history: FillHistory
    ready: int | None  # people on the bench free for every shift; None without a bench

    @property
    def thin_bench(self) -> bool:
        return self.ready is not None and self.ready < self.headcount * READY_PER_PLACE

    @property
    def fill_share(self) -> float | None:
        h = self.history
        return h.filled / h.similar if h.similar else None

    @property
    def outlook(self) -> str:
        """ "fast", "likely", "hard" or "unlikely", for the card's icon and colour."""
        if self.ready is not None and self.ready < self.headcount:
            return "unlikely"
        if not self.history.enough or self.thin_bench:
            return "hard" if self.thin_bench else "likely"
        share = self.fill_share or 0
        return "fast" if share >= 0.85 else "likely" if share >= 0.6 else "hard"


def fill_history(
    *,
    service_profile: ServiceProfile,
    urgency: str,
    now: dt.datetime | None = None,
) -> FillHistory:
    """Similar requests' times to fill as known at `now` (default: now; cached then)."""
    if now is not None:
        return _fill_history_at(service_profile=service_profile, urgency=urgency, now=now)
    key = f"estimate:history:{service_profile.pk}:{urgency}"
    seconds = settings.FILL_ESTIMATE_CACHE_SECONDS
    cached = cache.get(key) if seconds > 0 else None
    if cached is not None:
        return FillHistory(**cached)
    found = _fill_history_at(service_profile=service_profile, urgency=urgency, now=timezone.now())
    if seconds > 0:
        cache.set(key, found.__dict__, seconds)
    return found


def _fill_history_at(
    *, service_profile: ServiceProfile, urgency: str, now: dt.datetime
) -> FillHistory:
    found = None
    for basis in BASES:
        found = _history(basis, service_profile, urgency, now)
        if found.enough:
            return found
    assert found is not None
    return found


def _history(basis: str, profile: ServiceProfile, urgency: str, now: dt.datetime) -> FillHistory:
    """One grouped query: requests submitted in the window before `now`, filled before `now`."""
    similar = StaffingRequest.objects.filter(
        created_at__gte=now - HISTORY_WINDOW, created_at__lt=now, urgency=urgency
    ).exclude(status=StaffingRequest.Status.CANCELLED)
    if basis == "profile":
        similar = similar.filter(service_profile_id=profile.pk)
    elif basis == "company":
        similar = similar.filter(company_id=profile.company_id, role_type=profile.role_type)
    else:
        similar = similar.filter(role_type=profile.role_type)
    filled = Q(filled_at__isnull=False, filled_at__lt=now)
    to_fill = F("filled_at") - F("created_at")
    row = similar.aggregate(
        similar=Count("pk"),
        filled=Count("pk", filter=filled),
        median=_percentile(to_fill, 0.5, filled),
        times=ArrayAgg(ExpressionWrapper(to_fill, output_field=DurationField()), filter=filled),
    )
    times = row.pop("times") or []
    low = high = None
    if times and row["median"] is not None:
        low, high = fill_range(times, row["median"])
    return FillHistory(basis=basis, low=low, high=high, **row)


def _percentile(expression, fraction: float, condition: Q) -> Percentile:
    return Percentile(expression, fraction=fraction, filter=condition, output_field=DurationField())


def bench_ready(
    *, service_profile: ServiceProfile, shifts: Sequence[tuple[dt.datetime, dt.datetime]]
) -> int | None:
    """The fewest people on the profile's bench coverage free in a day-part the shifts need.

    A date beyond the stored coverage reads the same weekday inside it. None when the profile
    has no bench yet or a needed day is not covered."""
    coverage = (
        Bench.objects.filter(profile=service_profile).values_list("coverage", flat=True).first()
    )
    if not coverage or not shifts:
        return None
    by_weekday: dict[int, list[int]] = {}
    for day_text, counts in sorted(coverage.items()):
        by_weekday.setdefault(dt.date.fromisoformat(day_text).weekday(), counts)
    fewest = None
    for start, end in shifts:
        mask, dates = shift_requirements(start, end)
        for day in dates:
            counts = coverage.get(day.isoformat()) or by_weekday.get(day.weekday())
            if counts is None:
                return None
            for part, n in enumerate(counts):
                if mask & bit(day.weekday(), part) and n is not None:
                    fewest = n if fewest is None else min(fewest, n)
    return fewest


def fill_estimate(
    *,
    service_profile: ServiceProfile,
    urgency: str,
    headcount: int,
    shifts: Sequence[tuple[dt.datetime, dt.datetime]],
) -> FillEstimate:
    """The estimate for an order being typed (see the module docstring)."""
    return FillEstimate(
        headcount=headcount,
        urgency=urgency,
        history=fill_history(service_profile=service_profile, urgency=urgency),
        ready=bench_ready(service_profile=service_profile, shifts=shifts),
    )


@dataclass(frozen=True)
class Backtest:
    requests: int
    no_estimate: int
    unfilled: int
    inside: int
    faster: int
    slower: int
    median_error: float
    median_width: dt.timedelta | None = None  # of the ranges scored: high - low

    @property
    def scored(self) -> int:
        return self.inside + self.faster + self.slower

    @property
    def inside_share(self) -> float:
        return self.inside / self.scored if self.scored else 0.0


def fill_backtest(*, requests: Iterable[StaffingRequest]) -> Backtest:
    """Estimate each request from the history before it (see backtest_fill_estimate)."""
    counts = {"requests": 0, "no_estimate": 0, "unfilled": 0, "inside": 0, "faster": 0}
    counts["slower"] = 0
    errors = []
    widths = []
    for request in requests:
        if request.status == StaffingRequest.Status.CANCELLED:
            continue
        counts["requests"] += 1
        history = fill_history(
            service_profile=request.service_profile, urgency=request.urgency, now=request.created_at
        )
        if not history.enough:
            counts["no_estimate"] += 1
            continue
        if request.filled_at is None:
            counts["unfilled"] += 1
            continue
        took = request.filled_at - request.created_at
        assert history.low is not None and history.high is not None and history.median
        side = "faster" if took < history.low else "slower" if took > history.high else "inside"
        counts[side] += 1
        widths.append(history.high - history.low)
        errors.append(abs(took - history.median) / history.median)
    errors.sort()
    widths.sort()
    return Backtest(
        **counts,
        median_error=errors[len(errors) // 2] if errors else 0.0,
        median_width=widths[len(widths) // 2] if widths else None,
    )
