"""Service levels per client: counts, medians and 90th percentiles computed in SQL."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from candidates.availability import HELSINKI
from staffing.charts import bar_chart, duration_text, line_chart, percent_text
from staffing.models import Placement, ReliabilityRecord, StaffingRequest
from staffing.services.service_levels import (
    Percentile,
    service_level_trends,
    service_levels,
    trend_weeks,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

Status = StaffingRequest.Status


def _request(profile, *, ago_days, status, to_shortlist=None, to_filled=None):
    """A request submitted `ago_days` ago, shortlisted and filled the given seconds later."""
    req = f.StaffingRequestFactory(service_profile=profile, status=status)
    created = timezone.now() - dt.timedelta(days=ago_days)
    StaffingRequest.objects.filter(pk=req.pk).update(
        created_at=created,
        shortlisted_at=created + dt.timedelta(seconds=to_shortlist) if to_shortlist else None,
        filled_at=created + dt.timedelta(seconds=to_filled) if to_filled else None,
    )
    return req


@pytest.fixture
def history():
    a = f.ServiceProfileFactory(site__company__name="Alpha Kauppa Oy")
    b = f.ServiceProfileFactory(site__company__name="Beta Palvelu Oy")
    filled_fast = _request(a, ago_days=2, status=Status.FILLED, to_shortlist=60, to_filled=3600)
    filled_slow = _request(a, ago_days=3, status=Status.FILLED, to_shortlist=120, to_filled=10800)
    _request(a, ago_days=4, status=Status.OFFERING, to_shortlist=300)
    _request(a, ago_days=5, status=Status.CANCELLED)
    too_old = _request(a, ago_days=40, status=Status.FILLED, to_shortlist=9, to_filled=99)
    _request(b, ago_days=1, status=Status.SHORTLISTED, to_shortlist=30)
    f.PlacementFactory(shift__request=filled_slow, status=Placement.Status.NO_SHOW)
    f.PlacementFactory(shift__request=filled_slow, status=Placement.Status.COMPLETED)
    f.PlacementFactory(shift__request=filled_fast, status=Placement.Status.COMPLETED)
    f.PlacementFactory(shift__request=too_old, status=Placement.Status.NO_SHOW)
    return {"a": a.company, "b": b.company}


def test_figures_per_client_over_the_last_30_days(history):
    alpha, beta = service_levels()
    assert (alpha.company, beta.company) == ("Alpha Kauppa Oy", "Beta Palvelu Oy")
    assert alpha.requests == 4  # the 40-day-old request is outside the period
    assert alpha.shortlist_median == dt.timedelta(seconds=120)
    # percentile_cont interpolates: 120 + 0.8 × (300 − 120)
    assert alpha.shortlist_p90 == dt.timedelta(seconds=264)
    assert alpha.filled_median == dt.timedelta(seconds=7200)
    assert alpha.filled_p90 == dt.timedelta(seconds=3600 + 0.9 * 7200)
    assert (alpha.filled, alpha.cancelled, alpha.wanted) == (2, 1, 3)
    assert alpha.fill_rate == pytest.approx(2 / 3)
    assert alpha.no_shows == 1
    assert beta.requests == 1
    assert beta.shortlist_median == beta.shortlist_p90 == dt.timedelta(seconds=30)
    assert beta.filled_median is None and beta.filled_p90 is None
    assert beta.fill_rate == 0
    assert beta.no_shows == 0


def test_one_client_and_a_longer_period(history):
    (alpha,) = service_levels(company_id=history["a"].pk, days=60)
    assert alpha.requests == 5
    assert alpha.no_shows == 2


def test_a_client_that_cancelled_everything_has_no_fill_rate():
    profile = f.ServiceProfileFactory()
    _request(profile, ago_days=1, status=Status.CANCELLED)
    (level,) = service_levels()
    assert level.wanted == 0 and level.fill_rate is None


def test_percentile_rejects_a_fraction_outside_0_to_1():
    with pytest.raises(ValueError):
        Percentile("created_at", fraction=1.5)


def test_durations_and_percentages_read_naturally():
    with override("en"):
        assert duration_text(dt.timedelta(seconds=45)) == "45 s"
        assert duration_text(dt.timedelta(seconds=200)) == "3 min 20 s"
        assert duration_text(dt.timedelta(hours=2, minutes=5)) == "2 h 5 min"
        assert duration_text(dt.timedelta(days=1, hours=3)) == "1 d 3 h"
        assert duration_text(None) == "–"
        assert percent_text(2 / 3) == "67%"
        assert percent_text(None) == "–"


def test_bar_chart_scales_to_the_largest_value_and_skips_missing_ones():
    chart = bar_chart(title="t", items=[("A", 10.0, "10"), ("B", 5.0, "5"), ("C", None, "–")])
    full, half, missing = chart.bars
    assert full.length == pytest.approx(2 * half.length)
    assert missing.missing and missing.length == 0
    assert [b.y for b in chart.bars] == sorted(b.y for b in chart.bars)
    fixed = bar_chart(title="t", items=[("A", 0.5, "50%")], maximum=1.0)
    assert fixed.bars[0].length == pytest.approx(full.length / 2)


# --- Week by week -------------------------------------------------------------------------

# A Wednesday noon in Helsinki: the current week began on Monday 2026-11-30.
NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=HELSINKI)


def _at(profile, when, *, status, to_shortlist=None, to_filled=None):
    req = f.StaffingRequestFactory(service_profile=profile, status=status)
    StaffingRequest.objects.filter(pk=req.pk).update(
        created_at=when,
        shortlisted_at=when + dt.timedelta(seconds=to_shortlist) if to_shortlist else None,
        filled_at=when + dt.timedelta(seconds=to_filled) if to_filled else None,
    )
    req.refresh_from_db()
    return req


def _record(*, placement, kind, decision=""):
    return ReliabilityRecord.objects.create(
        placement=placement, candidate=placement.candidate, kind=kind, decision=decision
    )


@pytest.fixture
def weeks():
    """Two clients: Alpha orders in the current week and three weeks ago, Beta once."""
    a = f.ServiceProfileFactory(site__company__name="Alpha Kauppa Oy", site__name="Kamppi")
    b = f.ServiceProfileFactory(site__company__name="Beta Palvelu Oy")
    this_monday = dt.datetime(2026, 11, 30, 9, 0, tzinfo=HELSINKI)
    three_ago = this_monday - dt.timedelta(weeks=3)
    first = _at(a, three_ago, status=Status.FILLED, to_shortlist=60, to_filled=3600)
    # A repeat: the same profile again five days after a filled request.
    repeat = _at(
        a, three_ago + dt.timedelta(days=5), status=Status.FILLED, to_shortlist=30, to_filled=7200
    )
    _at(a, three_ago + dt.timedelta(days=6), status=Status.CANCELLED)
    current = _at(a, this_monday + dt.timedelta(hours=3), status=Status.OFFERING, to_shortlist=90)
    _at(b, this_monday - dt.timedelta(weeks=1), status=Status.NEEDS_ATTENTION, to_shortlist=20)
    # Too old for the 12 weeks, and in the future of NOW: neither counts.
    _at(a, this_monday - dt.timedelta(weeks=12), status=Status.FILLED, to_filled=10)
    _at(a, NOW + dt.timedelta(hours=1), status=Status.FILLED, to_filled=10)
    no_show = f.PlacementFactory(shift__request=repeat, status=Placement.Status.NO_SHOW)
    late = f.PlacementFactory(shift__request=first, status=Placement.Status.CANCELLED)
    _record(placement=no_show, kind="no_show")
    _record(placement=late, kind="late_cancellation")
    withdrawn = f.PlacementFactory(shift__request=current, status=Placement.Status.CANCELLED)
    _record(placement=withdrawn, kind="late_cancellation", decision="withdrawn")
    return {"a": a, "b": b, "first": first}


def test_trend_has_twelve_weeks_including_the_empty_ones(weeks):
    total, trends = service_level_trends(now=NOW)
    assert [w.week for w in total.weeks] == trend_weeks(now=NOW)
    assert total.weeks[0].week == dt.date(2026, 9, 14) and total.weeks[
        -1
    ].week == NOW.date() - dt.timedelta(days=2)
    assert [w.requests for w in total.weeks] == [0] * 8 + [3, 0, 1, 1]
    empty = total.weeks[0]
    assert empty.fill_rate is None and empty.filled_median is None and empty.repeat_orders == 0
    alpha, beta = trends
    assert (alpha.label, beta.label) == ("Alpha Kauppa Oy", "Beta Palvelu Oy")
    assert [w.requests for w in beta.weeks] == [0] * 10 + [1, 0]


def test_week_arithmetic_on_a_hand_made_history(weeks):
    total, (alpha, _beta) = service_level_trends(now=NOW)
    week = alpha.weeks[8]  # three weeks ago
    assert (week.requests, week.cancelled, week.filled, week.wanted) == (3, 1, 2, 2)
    assert week.fill_rate == 1.0
    assert week.shortlist_median == dt.timedelta(seconds=45)  # between 30 and 60
    assert week.filled_median == dt.timedelta(seconds=5400)  # between 1 h and 2 h
    assert week.filled_p90 == dt.timedelta(seconds=3600 + 0.9 * 3600)
    # Both later orders follow a filled one within 28 days (the cancelled one was ordered too).
    assert (week.no_shows, week.late_cancellations, week.repeat_orders) == (1, 1, 2)
    current = alpha.weeks[-1]
    # Still open: wanted but not filled; the withdrawn late cancellation does not count.
    assert (current.requests, current.fill_rate, current.late_cancellations) == (1, 0.0, 0)
    assert total.weeks[10].fill_rate == 0.0  # Beta's request needs attention


def test_trends_per_site_profile_and_recruiter(weeks):
    recruiter = f.RecruiterFactory(first_name="Riikka", last_name="Rekry")
    f.ShortlistFactory(request=weeks["first"], approved_by=recruiter, approved_at=NOW)
    _total, sites = service_level_trends(dimension="site", now=NOW)
    assert {t.label for t in sites} >= {"Kamppi"}
    _total, profiles = service_level_trends(dimension="profile", now=NOW)
    assert {t.key for t in profiles} == {weeks["a"].pk, weeks["b"].pk}
    _total, people = service_level_trends(dimension="recruiter", now=NOW)
    by_key = {t.key: t for t in people}
    assert by_key[recruiter.pk].label == "Riikka Rekry" and by_key[recruiter.pk].requests == 1
    assert by_key[None].requests == 4  # nobody approved a shortlist for the others
    _total, (only,) = service_level_trends(dimension="site", key=sites[0].key, now=NOW)
    assert only.key == sites[0].key
    _total, beta_only = service_level_trends(company_id=weeks["b"].company_id, now=NOW)
    assert [t.label for t in beta_only] == ["Beta Palvelu Oy"]
    with pytest.raises(ValueError):
        service_level_trends(dimension="colour")


def test_line_chart_breaks_at_missing_weeks_and_scales_to_a_round_maximum():
    chart = line_chart(
        title="t",
        x_labels=["a", "b", "c", "d"],
        series=[("A", [1.0, None, 3.0, 4.0], ["1", "–", "3", "4"])],
        y_text=str,
    )
    (series,) = chart.series
    assert len(series.points) == 3 and series.segments == [series.segments[0]]
    assert series.segments[0].count("L") == 1  # only c–d joined; a stands alone
    assert chart.y_ticks[-1][1] == "5"
    two = line_chart(
        title="t", x_labels=["a"], series=[("A", [1], ["1"]), ("B", [2], ["2"])], y_text=str
    )
    assert [s.marker for s in two.series] == ["circle", "square"]
    assert two.series[1].dash  # told apart by the line's pattern, not by colour only


@pytest.fixture
def recent(weeks):
    """The same history moved to the real current week (the page uses the real clock)."""
    shift = timezone.now() - NOW
    for req in StaffingRequest.objects.all():
        StaffingRequest.objects.filter(pk=req.pk).update(
            created_at=req.created_at + shift,
            shortlisted_at=req.shortlisted_at + shift if req.shortlisted_at else None,
            filled_at=req.filled_at + shift if req.filled_at else None,
        )
    return weeks


def test_page_shows_twelve_weeks_of_six_charts_with_tables(client, recent):
    client.force_login(f.RecruiterFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    response = client.get(reverse("service_levels"))
    assert response.status_code == 200
    body = response.content.decode()
    panels = response.context["panels"]
    assert [p.kpi.key for p in panels] == [
        "shortlist",
        "fill_time",
        "fill_rate",
        "no_shows",
        "late",
        "repeat",
    ]
    assert all(len(p.rows) == 12 for p in panels)
    assert body.count('class="chart trend') == 6
    # Finnish writes decimals with a comma; SVG coordinates must keep their dots.
    for point in panels[1].chart.series[0].points:
        assert f'cx="{point.x}" cy="{point.y}"' in body
    assert "Alpha Kauppa Oy" in body and "Beta Palvelu Oy" in body


def test_page_compares_one_group_with_all(client, recent):
    client.force_login(f.RecruiterFactory())
    profile = recent["b"]
    response = client.get(reverse("service_levels"), {"by": "profile", "group": profile.pk})
    assert response.context["chosen"].key == profile.pk
    assert [len(p.chart.series) for p in response.context["panels"]] == [2] * 6
    response = client.get(reverse("service_levels"), {"company": profile.company_id})
    assert [t.label for t in response.context["trends"]] == ["Beta Palvelu Oy"]


def test_export_as_csv_and_xlsx(client, recent):
    from openpyxl import load_workbook

    client.force_login(f.RecruiterFactory())
    response = client.get(reverse("service_levels"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("client,week,requests")
    assert len(lines) == 1 + 12 * 3  # all together and the two clients
    response = client.get(reverse("service_levels"), {"format": "xlsx", "by": "site"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1 + 12 * 3 and sheet["A1"].value == "site"


def test_a_client_manager_sees_only_their_own_company(client, recent):
    manager = f.ClientManagerFactory(company=recent["b"].company)
    client.force_login(manager)
    response = client.get(reverse("client_service_levels"), {"company": recent["a"].company_id})
    assert response.status_code == 200
    assert [t.label for t in response.context["trends"]] == [recent["b"].site.name]
    assert "Alpha Kauppa Oy" not in response.content.decode()
    assert set(response.context["dimensions"]) == {"site", "profile"}
    # Asking for the recruiter dimension falls back to the client's first one.
    response = client.get(reverse("client_service_levels"), {"by": "recruiter", "format": "csv"})
    assert "Alpha" not in response.content.decode()
    assert response.content.decode().startswith("site,")


def test_candidates_get_403(client):
    client.force_login(f.CandidateUserFactory())
    assert client.get(reverse("service_levels")).status_code == 403
    assert client.get(reverse("client_service_levels")).status_code == 403
