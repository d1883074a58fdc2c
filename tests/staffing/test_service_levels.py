"""Service levels per client: counts, medians and 90th percentiles computed in SQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from staffing.charts import bar_chart, duration_text, percent_text
from staffing.models import Placement, StaffingRequest
from staffing.services.service_levels import Percentile, service_levels
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


def test_page_shows_table_and_chart_with_svg_numbers_unlocalized(client, history):
    client.force_login(f.RecruiterFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    response = client.get(reverse("service_levels"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alpha Kauppa Oy" in body and "Beta Palvelu Oy" in body
    assert body.count("<svg") == 3
    # Finnish writes decimals with a comma; SVG coordinates must keep their dots.
    for chart in response.context["charts"]:
        for bar in chart.bars:
            assert f'width="{bar.length}"' in body or bar.missing


def test_page_filters_by_client(client, history):
    client.force_login(f.RecruiterFactory())
    response = client.get(reverse("service_levels"), {"company": history["b"].pk})
    assert [lv.company for lv in response.context["levels"]] == ["Beta Palvelu Oy"]
