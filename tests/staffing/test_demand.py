"""Expected demand learned from past requests, the people ready against it, and the gaps."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from candidates.availability import HELSINKI, DayPart
from staffing.models import Bench, BenchEntry
from staffing.services.demand import (
    READY_PER_PLACE,
    coverage_gaps,
    demand_expected,
    shift_part,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

SATURDAY = 5


def _saturday_evenings(weeks_back: int) -> list[dt.datetime]:
    """The last `weeks_back` Saturday 17:00s before today."""
    today = timezone.localdate()
    last = today - dt.timedelta(days=(today.weekday() - SATURDAY) % 7 or 7)
    return [
        dt.datetime.combine(last - dt.timedelta(weeks=n), dt.time(17), HELSINKI)
        for n in range(weeks_back)
    ]


def _ordered(profile, start, *, headcount, languages, status="filled"):
    req = f.StaffingRequestFactory(service_profile=profile, headcount=headcount, status=status)
    f.ShiftFactory(request=req, starts_at=start, ends_at=start + dt.timedelta(hours=5))
    for language, level in languages:
        f.RequestLanguageFactory(request=req, language=language, level=level)
    return req


@pytest.fixture
def kamppi():
    """Saturday evenings at Kamppi usually need 3 Swedish speakers (B1+); every Tuesday morning
    once in the eight weeks, one Finnish speaker."""
    profile = f.ServiceProfileFactory(
        name="Kamppi cashiers", site__name="Kamppi", site__postal_code="00100"
    )
    f.ProfileLanguageFactory(profile=profile, language="fi", level=4)
    for start in _saturday_evenings(8):
        _ordered(profile, start, headcount=3, languages=[("fi", 4), ("sv", 3)])
    # A cancelled request counts for nothing; a rare one is below one person a week.
    _ordered(
        profile, _saturday_evenings(1)[0], headcount=9, languages=[("sv", 3)], status="cancelled"
    )
    tuesday = _saturday_evenings(1)[0] - dt.timedelta(days=4, hours=8)
    _ordered(profile, tuesday, headcount=1, languages=[("fi", 4)])
    return profile


def _speaker(profile, language, level, **extra):
    person = f.CandidateFactory(
        latitude=profile.site.latitude, longitude=profile.site.longitude, **extra
    )
    f.CandidateLanguageFactory(candidate=person, language="fi", level=6)
    if language != "fi":
        f.CandidateLanguageFactory(candidate=person, language=language, level=level)
    return person


def test_shift_part_is_where_the_shift_mostly_falls():
    day = dt.date(2026, 12, 5)
    at = lambda h: dt.datetime.combine(day, dt.time(h), HELSINKI)  # noqa: E731
    assert shift_part(at(16), at(21)) == DayPart.EVENING
    assert shift_part(at(9), at(17)) == DayPart.DAY  # 3 h of morning, 5 h of day
    assert shift_part(at(12), at(17)) == DayPart.DAY
    assert shift_part(at(6), at(11)) == DayPart.MORNING


def test_expected_demand_is_the_weekly_mean_per_cell_and_language(kamppi):
    cells = {(c.weekday, c.part, c.language): c for c in demand_expected()}
    sv = cells[(SATURDAY, DayPart.EVENING, "sv")]
    assert (sv.expected, sv.level, sv.weeks_asked) == (3, 3, 8)
    assert cells[(SATURDAY, DayPart.EVENING, "fi")].expected == 3
    # One person once in eight weeks is 0.125 a week: no expected need.
    assert not any(c.weekday == 1 for c in cells.values())


def test_gaps_count_the_ready_people_and_lead_with_the_worst(kamppi):
    ready = [_speaker(kamppi, "sv", 4) for _ in range(2)]
    _speaker(kamppi, "sv", 2)  # Swedish too weak
    _speaker(kamppi, "sv", 5, availability=0)  # never free
    _speaker(kamppi, "sv", 5, matching_consent=False)
    far = _speaker(kamppi, "sv", 5, max_travel_km=5)
    far.latitude, far.longitude = 61.5, 23.8  # Tampere
    far.save()
    for _ in range(4):
        _speaker(kamppi, "fi", 6)
    gaps = coverage_gaps(profiles=[kamppi])
    sv, fi = gaps  # both Saturday evening; Swedish is the worse one
    assert (sv.cell.language, sv.ready, sv.wanted) == ("sv", 2, 3 * READY_PER_PLACE)
    assert (fi.cell.language, fi.ready) == ("fi", 7)  # the weak Swedish speaker too
    assert sv.severity < fi.severity and sv.day.weekday() == SATURDAY
    assert len(ready) == sv.ready


def test_a_booking_or_a_day_off_takes_a_person_out_of_that_day(kamppi):
    person = _speaker(kamppi, "sv", 4)
    (gap,) = coverage_gaps(profiles=[kamppi])  # the one person speaks both languages
    assert gap.ready == 1
    f.DateOffFactory(candidate=person, date=gap.day)
    (gap,) = coverage_gaps(profiles=[kamppi])
    assert gap.ready == 0


def test_enough_people_ready_is_no_gap(kamppi):
    for _ in range(3 * READY_PER_PLACE):
        _speaker(kamppi, "sv", 6)
    assert coverage_gaps(profiles=[kamppi]) == []


@pytest.fixture
def recruiter_client(client):
    client.force_login(f.RecruiterFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_coverage_page_leads_with_gaps_linking_to_a_search_for_exactly_that_gap(
    recruiter_client, kamppi
):
    people = [_speaker(kamppi, "sv", 4, first_name=f"Ruotsi{i}") for i in range(2)]
    for _ in range(4):
        _speaker(kamppi, "fi", 6)
    response = recruiter_client.get(reverse("bench_coverage"))
    body = response.content.decode()
    assert body.index('id="coverage-gaps"') < body.index('id="bench-heatmap"')
    assert '<details class="card shadow-sm" id="coverage-numbers">' in body  # closed
    assert "3 people with Swedish B1+" in body and "2 of 9" in body
    (sv_gap, sv_url), _fi = response.context["gap_rows"]
    query = parse_qs(urlsplit(sv_url).query)
    assert urlsplit(sv_url).path == reverse("recruiter_candidates")
    assert query["language"] == ["sv"] and query["language_level"] == ["3"]
    assert query["date"] == [sv_gap.day.isoformat()] and query["part"] == ["2"]
    assert query["postal_code"] == ["00100"] and query["role"] == [kamppi.role_type]
    found = recruiter_client.get(sv_url)
    assert found.status_code == 200
    for person in people:
        assert person.first_name in found.content.decode()


def test_gaps_are_paged(recruiter_client, kamppi, monkeypatch):
    monkeypatch.setattr("staffing.views.bench.GAPS_PER_PAGE", 1)
    _speaker(kamppi, "fi", 6)
    first = recruiter_client.get(reverse("bench_coverage")).context
    second = recruiter_client.get(reverse("bench_coverage"), {"page": 2}).context
    assert first["gaps"].num_pages == 2
    assert first["gap_rows"][0][0].cell.language == "sv"
    assert second["gap_rows"][0][0].cell.language == "fi"
    assert recruiter_client.get(reverse("bench_coverage"), {"page": "x"}).status_code == 200


def test_bench_detail_collapses_explanations_and_pages_the_entries(recruiter_client, kamppi):
    bench = Bench.objects.create(profile=kamppi, rules_version="t", refreshed_at=timezone.now())
    BenchEntry.objects.bulk_create(
        BenchEntry(
            bench=bench,
            candidate=f.CandidateFactory(first_name=f"Henkilö{rank:02}"),
            rank=rank,
            score=90 - rank,
            explanation={"passed": ["matchable"], "factors": [], "score": 90 - rank},
        )
        for rank in range(1, 26)
    )
    url = reverse("bench_detail", args=[kamppi.pk])
    body = recruiter_client.get(url).content.decode()
    assert "Henkilö10" in body and "Henkilö11" not in body
    assert "<details open" not in body and '<details class="mt-1">' in body
    assert 'id="bench-pages"' in body and "1–10 of 25" in body
    last = recruiter_client.get(url, {"page": 3}).content.decode()
    assert "Henkilö25" in last and "Henkilö20" not in last
    assert 'id="coverage-gaps"' in body  # the profile's own gaps lead the page


def test_languages_with_the_same_people_ready_share_one_row(kamppi):
    (gap,) = coverage_gaps(profiles=[kamppi])  # nobody at all: Swedish and Finnish both 0
    assert gap.ready == 0 and gap.also == (("fi", 4),)
    with translation.override("en"):
        assert gap.languages_label == "Swedish B1+, Finnish B2+"


def test_a_booking_that_evening_or_a_bar_by_the_client_takes_a_person_out(kamppi):
    booked = _speaker(kamppi, "sv", 4)
    barred = _speaker(kamppi, "sv", 4)
    _speaker(kamppi, "sv", 4)
    (gap,) = coverage_gaps(profiles=[kamppi])
    assert gap.ready == 3
    evening = dt.datetime.combine(gap.day, dt.time(18), HELSINKI)
    f.PlacementFactory(
        candidate=booked, shift__starts_at=evening, shift__ends_at=evening + dt.timedelta(hours=3)
    )
    f.CandidateMarkFactory(candidate=barred, company=kamppi.company, kind="do_not_return")
    f.CandidateMarkFactory(candidate=booked, kind="do_not_return")  # another client's bar
    (gap,) = coverage_gaps(profiles=[kamppi])
    assert gap.ready == 1
