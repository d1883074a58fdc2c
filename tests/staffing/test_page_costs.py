"""The read pages cost the same few queries however many rows they show (a query per row, an
N+1, would make them slower with every person on them), and what they work out in Python for
their many rows reads as their templates wrote it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from staffing.coverage import profile_row
from staffing.models import Offer, ShiftCancellation, ShortlistEdit
from tests import factories as f

pytestmark = pytest.mark.django_db


def _explanation(i: int) -> dict:
    return {
        "score": 50 - i,
        "passed": ["matchable", "travel"],
        "failed": [{"code": "travel", "km": 40.5, "max_km": 30}] if i % 2 else [],
        "factors": [
            {"code": "assessment", "weight": 20, "value": 0.8, "points": 16, "sales": 3},
            {"code": "distance", "weight": 12, "value": 0.5, "points": 6.0, "km": 4.25},
            {"code": "fair_spread", "weight": 5, "value": -0.2, "points": -1.0, "recent": 2},
        ],
        "missing": [{"code": "skill", "skill": 1, "required": True}],
    }


def _request_with(*, people: int, shifts: int):
    """A request with `shifts` shifts (every other one cancelled), `people` ranked people and as
    many near misses, each with a language, a placement and an offer for the first ones, and a
    change to the ranking for each."""
    req = f.StaffingRequestFactory(headcount=2)
    recruiter = f.RecruiterFactory()
    start = timezone.now() + dt.timedelta(days=1)
    made = [
        f.ShiftFactory(
            request=req,
            starts_at=start + dt.timedelta(days=i),
            ends_at=start + dt.timedelta(days=i, hours=4),
        )
        for i in range(shifts)
    ]
    for shift in made[1::2]:
        ShiftCancellation.objects.create(shift=shift, reason="closed", by=recruiter)
    f.RequestLanguageFactory(request=req)
    req.required_skills.add(f.SkillFactory())
    req.preferred_skills.add(f.SkillFactory())
    shortlist = f.ShortlistFactory(request=req, approved_at=timezone.now(), approved_by=recruiter)
    for i in range(people):
        for near_miss in (False, True):
            person = f.CandidateFactory()
            f.CandidateLanguageFactory(candidate=person)
            entry = f.ShortlistEntryFactory(
                shortlist=shortlist,
                candidate=person,
                rank=i + 1,
                near_miss=near_miss,
                explanation=_explanation(i),
            )
            if near_miss:
                continue
            ShortlistEdit.objects.create(
                shortlist=shortlist,
                candidate=person,
                action=ShortlistEdit.Action.MOVE_UP,
                reason="knows the shop",
                from_rank=i + 2,
                to_rank=i + 1,
                by=recruiter,
            )
            if i < 2:
                f.PlacementFactory(request=req, shift=made[0], candidate=person, status="confirmed")
            Offer.objects.create(
                request=req,
                candidate=person,
                shortlist_entry=entry,
                wave=1,
                deadline=timezone.now() + dt.timedelta(hours=1),
            )
    return req, recruiter


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_request_page_reads_as_many_queries_for_many_people_as_for_few(client):
    small, recruiter = _request_with(people=21, shifts=1)
    large, _recruiter = _request_with(people=30, shifts=6)
    client.force_login(recruiter)
    few = _queries(client, reverse("recruiter_request_detail", args=[small.pk]))
    many = _queries(client, reverse("recruiter_request_detail", args=[large.pk]))
    assert many <= few, (few, many)
    # The polled shortlist and the live panel are as flat.
    hx = {"HTTP_HX_REQUEST": "true"}
    with CaptureQueriesContext(connection) as polled:
        client.get(reverse("recruiter_request_detail", args=[large.pk]), **hx)
        client.get(reverse("recruiter_request_offers", args=[large.pk]), **hx)
    assert len(polled) <= 2 * few, len(polled)


def test_a_heatmap_cell_reads_as_the_template_wrote_it():
    """The cells' classes and tooltips are written in Python (hundreds a page), in the words
    the template used."""
    day = dt.date(2026, 3, 2)  # a Monday
    coverage = {
        "thin_below": 3,
        "parts": ["Morning", "Evening"],
        "days": [day],
        "counts": [[None, 2]],
        "profile_id": 1,
        "profile": "Till",
        "company": "Shop",
        "site": "Centre",
        "refreshed_at": None,
        "ready": 0,
    }
    with translation.override("en"):
        unknown, thin = profile_row(coverage).cells
    assert (unknown.css, unknown.shown) == ("heat-none day-start", "–")
    assert unknown.title == "Monday morning: not computed yet"
    assert (thin.css, thin.shown) == ("heat-1 thin", "2")
    assert thin.title == "Monday evening: 2 ready"


def test_the_client_request_page_reads_as_many_queries_for_many_shifts_as_for_few(client):
    small, _recruiter = _request_with(people=3, shifts=1)
    large, _recruiter = _request_with(people=3, shifts=6)
    large.service_profile = small.service_profile
    large.company, large.site = small.company, small.site
    large.save()
    client.force_login(f.ClientManagerFactory(company=small.company))
    few = _queries(client, reverse("client_request_detail", args=[small.pk]))
    many = _queries(client, reverse("client_request_detail", args=[large.pk]))
    assert many <= few, (few, many)
