"""The fill estimate at ordering: a time and a range from similar requests' history, the
bench's depth for the shifts, honest when history is thin; and its backtest."""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from candidates.availability import HELSINKI
from staffing.models import Bench, StaffingRequest
from staffing.services.estimates import (
    MIN_SIMILAR,
    bench_ready,
    fill_backtest,
    fill_estimate,
    fill_history,
    fill_range,
)
from tests import factories as f

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _past(profile, *, ago, took=None, urgency="urgent", status=None):
    """A request submitted `ago` before now, filled `took` later (None: never filled)."""
    req = f.StaffingRequestFactory(
        service_profile=profile,
        urgency=urgency,
        status=status or ("filled" if took is not None else "needs_attention"),
    )
    created = timezone.now() - ago
    StaffingRequest.objects.filter(pk=req.pk).update(
        created_at=created, filled_at=created + took if took is not None else None
    )
    return req


@pytest.fixture
def kamppi():
    """Twenty urgent requests filled in 1..20 hours (one a day), one never filled, a planned
    one and a cancelled one that do not count, and one too old."""
    profile = f.ServiceProfileFactory(name="Kamppi evenings")
    for n in range(1, 21):
        _past(profile, ago=dt.timedelta(days=n), took=n * HOUR)
    _past(profile, ago=dt.timedelta(days=3))
    _past(profile, ago=dt.timedelta(days=2), took=99 * HOUR, urgency="planned")
    _past(profile, ago=dt.timedelta(days=2), took=None, status="cancelled")
    _past(profile, ago=dt.timedelta(days=120), took=99 * HOUR)
    return profile


def _shift(days=1, start=17, hours=4):
    day = timezone.localdate() + dt.timedelta(days=days)
    begin = dt.datetime.combine(day, dt.time(start), HELSINKI)
    return [(begin, begin + dt.timedelta(hours=hours))]


def test_the_usual_time_and_range_come_from_similar_requests(kamppi):
    history = fill_history(service_profile=kamppi, urgency="urgent")
    assert (history.basis, history.similar, history.filled) == ("profile", 21, 20)
    assert history.median == dt.timedelta(hours=10.5)  # the middle of 1..20 hours
    # The 19th smallest of the 20 distances |ln(took / median of the others)|, ⌈21 × 0.9⌉ = 19:
    # the second largest, 2 h against the others' median of 11 h, a factor of 5.5 each way.
    assert history.low == dt.timedelta(seconds=round(10.5 * 3600 / 5.5))
    assert history.high == dt.timedelta(hours=10.5 * 5.5)
    assert history.enough


def test_history_as_it_was_known_at_a_moment(kamppi):
    """The backtest sees only what had happened: requests filled later do not count."""
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    then = fill_history(service_profile=kamppi, urgency="urgent", now=ten_days_ago)
    # Submitted before then: days 10..20; the one of day 10 was filled only 10 h after then.
    assert (then.similar, then.filled) == (11, 10)
    assert then.median == dt.timedelta(hours=15.5)


def test_thin_history_widens_to_the_client_then_to_the_kind_of_work(kamppi):
    sibling = f.ServiceProfileFactory(company=kamppi.company, site=kamppi.site)
    _past(sibling, ago=dt.timedelta(days=1), took=HOUR)
    history = fill_history(service_profile=sibling, urgency="urgent")
    assert history.basis == "company" and history.filled == 21
    stranger = f.ServiceProfileFactory()  # another client, same kind of work
    assert fill_history(service_profile=stranger, urgency="urgent").basis == "role"
    office = f.ServiceProfileFactory(role_type="office")
    nothing = fill_history(service_profile=office, urgency="urgent")
    assert (nothing.basis, nothing.filled, nothing.enough) == ("role", 0, False)


def test_too_little_history_says_so_instead_of_a_time():
    profile = f.ServiceProfileFactory(role_type="office")
    for n in range(MIN_SIMILAR - 1):
        _past(profile, ago=dt.timedelta(days=n + 1), took=HOUR)
    estimate = fill_estimate(
        service_profile=profile, urgency="urgent", headcount=1, shifts=_shift()
    )
    assert not estimate.history.enough
    with translation.override("en"):
        html = render_to_string("clients/_estimate.html", {"estimate": estimate})
    assert "Too little history to say how long: 7 similar requests were filled" in html
    assert "Usually filled" not in html


def test_the_bench_depth_for_the_shifts_comes_from_the_stored_coverage(kamppi):
    today = timezone.localdate()
    coverage = {
        (today + dt.timedelta(days=i)).isoformat(): [9, 7, 2 if i == 1 else 6] for i in range(14)
    }
    Bench.objects.create(
        profile=kamppi, rules_version="t", refreshed_at=timezone.now(), coverage=coverage
    )
    assert bench_ready(service_profile=kamppi, shifts=_shift(days=1, start=17)) == 2
    # 16–21 needs the day part and the evening: the fewer of the two.
    assert bench_ready(service_profile=kamppi, shifts=_shift(days=2, start=16, hours=5)) == 6
    assert bench_ready(service_profile=kamppi, shifts=_shift(days=2, start=9, hours=2)) == 9
    # Beyond the stored 14 days, the same weekday inside them answers.
    assert bench_ready(service_profile=kamppi, shifts=_shift(days=15, start=17)) == 2
    assert bench_ready(service_profile=f.ServiceProfileFactory(), shifts=_shift()) is None


def test_a_thin_bench_is_said_and_sets_the_outlook(kamppi):
    today = timezone.localdate()
    Bench.objects.create(
        profile=kamppi,
        rules_version="t",
        refreshed_at=timezone.now(),
        coverage={(today + dt.timedelta(days=i)).isoformat(): [1, 4, 4] for i in range(14)},
    )
    deep = fill_estimate(service_profile=kamppi, urgency="urgent", headcount=1, shifts=_shift())
    assert (deep.ready, deep.thin_bench, deep.outlook) == (4, False, "fast")
    thin = fill_estimate(service_profile=kamppi, urgency="urgent", headcount=2, shifts=_shift())
    assert thin.thin_bench and thin.outlook == "hard"
    short = fill_estimate(service_profile=kamppi, urgency="urgent", headcount=5, shifts=_shift())
    assert short.outlook == "unlikely"
    with translation.override("en"):
        html = render_to_string("clients/_estimate.html", {"estimate": thin})
    assert "Usually filled in about <strong>10 h</strong>; between 2 h and 2 d" in html
    assert "4</strong> people who fit this work are free" in html and "may take longer" in html
    assert "21 earlier requests for this service profile" in html and "(20 filled)" in html


def test_the_estimate_is_two_cheap_queries_and_is_cached(kamppi, settings):
    settings.FILL_ESTIMATE_CACHE_SECONDS = 60
    from django.core.cache import cache

    cache.delete(f"estimate:history:{kamppi.pk}:urgent")
    ask = {"service_profile": kamppi, "urgency": "urgent", "headcount": 1, "shifts": _shift()}
    with CaptureQueriesContext(connection) as first:
        fill_estimate(**ask)
    assert len(first) == 2  # the profile's history, the bench row
    assert all(
        "haversine" not in q["sql"] and "asin" not in q["sql"] for q in first.captured_queries
    )
    _past(kamppi, ago=HOUR, took=dt.timedelta(minutes=1))
    with CaptureQueriesContext(connection) as again:
        cached = fill_estimate(**ask)
    assert len(again) == 1 and cached.history.filled == 20  # from the cache


def test_backtest_counts_how_often_the_range_held(kamppi):
    later = f.ServiceProfileFactory()
    requests = StaffingRequest.objects.filter(service_profile=kamppi).select_related(
        "service_profile"
    )
    result = fill_backtest(requests=requests)
    # All but the cancelled one; each estimated from the requests before it.
    assert result.requests == 23
    assert result.scored + result.unfilled + result.no_estimate == result.requests
    assert result.scored > 0 and 0 <= result.inside_share <= 1
    out = StringIO()
    call_command("backtest_fill_estimate", "--days", "30", stdout=out)
    assert "inside the range" in out.getvalue()
    assert later.pk  # a profile without history does not break the command


def _percentile_cont(ordered, fraction):
    k = (len(ordered) - 1) * fraction
    i = int(k)
    return ordered[i] + (ordered[min(i + 1, len(ordered) - 1)] - ordered[i]) * (k - i)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_range_holds_for_9_of_10_new_requests_on_seeded_histories(seed):
    """2,000 seeded histories of 8–30 past times to fill (log-normal: skewed, as they are)
    and one new request each: the range holds for at least 9 of 10 new requests, where the
    2.5th–97.5th percentiles of the same past times (the earlier range) held for about 85 %."""
    rng = random.Random(seed)
    trials, inside, percentiles_inside = 2000, 0, 0
    for _trial in range(trials):
        n = rng.randint(MIN_SIMILAR, 30)
        times = [dt.timedelta(hours=math.exp(rng.gauss(1, 1))) for _n in range(n + 1)]
        past, new = sorted(times[:n]), times[n]
        low, high = fill_range(past, statistics.median(past))
        inside += low <= new <= high
        percentiles_inside += _percentile_cont(past, 0.025) <= new <= _percentile_cont(past, 0.975)
    assert inside / trials >= 0.9
    assert percentiles_inside / trials < 0.88
    # Fewer than 9 past requests: the largest distance (1 h from the others' 3 h), both ways.
    assert fill_range([dt.timedelta(hours=h) for h in (1, 2, 2, 3, 3, 3, 4, 5)], 3 * HOUR) == (
        dt.timedelta(seconds=round(3 * 3600 / math.exp(abs(math.log(1 / 3))))),
        dt.timedelta(seconds=3 * 3600 * 3),
    )
