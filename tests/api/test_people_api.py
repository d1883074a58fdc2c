"""Presented people with the pages' staged disclosure, placements, and feedback after the
shift through the same services; another company's ids answer 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from psycopg2.extras import DateTimeTZRange

from clients.models import CandidateMark
from staffing.models import (
    AuditEvent,
    Placement,
    PresentedDecline,
    ReliabilityRecord,
    ServiceRating,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(company_world):
    w = company_world
    req = f.StaffingRequestFactory(service_profile=w["profile"], status="offering", headcount=2)
    shift = f.ShiftFactory(request=req)
    recruiter = f.RecruiterFactory()
    shortlist = f.ShortlistFactory(request=req, approved_at=timezone.now(), approved_by=recruiter)
    proposed = f.ShortlistEntryFactory(shortlist=shortlist, rank=1)
    placed_entry = f.ShortlistEntryFactory(shortlist=shortlist, rank=2)
    placement = f.PlacementFactory(shift=shift, candidate=placed_entry.candidate)
    stranger_placement = f.PlacementFactory(shift=w["other"].shifts.get())
    return {
        **w,
        "req": req,
        "proposed": proposed.candidate,
        "placement": placement,
        "stranger_placement": stranger_placement,
    }


def _end_shift(placement: Placement) -> None:
    start = timezone.now() - dt.timedelta(hours=6)
    end = start + dt.timedelta(hours=5)
    placement.shift.starts_at, placement.shift.ends_at = start, end
    placement.shift.save()
    Placement.objects.filter(pk=placement.pk).update(
        period=DateTimeTZRange(start, end),
        blocked=DateTimeTZRange(*Placement.blocked_range(start, end)),
    )


def test_people_first_name_before_placement_full_name_and_phone_after(staffed):
    w = staffed
    response = w["reader"].get(f"/api/v1/requests/{w['req'].pk}/people/")
    assert response.status_code == 200
    people = {p["candidate_id"]: p for p in response.json()}
    placed = w["placement"].candidate
    assert people[w["proposed"].pk]["first_name"] == w["proposed"].first_name
    assert people[w["proposed"].pk]["full_name"] is None
    assert people[w["proposed"].pk]["phone"] is None
    assert w["proposed"].last_name not in response.content.decode()
    assert people[placed.pk]["full_name"] == placed.full_name
    assert people[placed.pk]["phone"] == placed.phone
    assert people[placed.pk]["placements"] == [w["placement"].pk]
    levels = dict(
        AuditEvent.objects.filter(action__in=AuditEvent.VIEW_ACTIONS).values_list(
            "candidate_id", "data__seen"
        )
    )
    assert levels == {w["proposed"].pk: "summary", placed.pk: "contact"}
    # Read again: nobody new is logged.
    w["reader"].get(f"/api/v1/requests/{w['req'].pk}/people/")
    assert AuditEvent.objects.filter(action__in=AuditEvent.VIEW_ACTIONS).count() == 2
    assert w["reader"].get(f"/api/v1/requests/{w['other'].pk}/people/").status_code == 404


def test_declining_a_presented_person_uses_the_pages_service(staffed, queued_tasks):
    w = staffed
    placed = w["placement"].candidate
    url = f"/api/v1/requests/{w['req'].pk}/people/{placed.pk}/decline/"
    assert w["reader"].post(url, {"reason": "Too far"}, format="json").status_code == 403
    assert w["orderer"].post(url, {}, format="json").status_code == 400
    response = w["orderer"].post(url, {"reason": "Not a fit"}, format="json")
    assert response.status_code == 200, response.content
    assert placed.pk not in [p["candidate_id"] for p in response.json()]
    w["placement"].refresh_from_db()
    assert w["placement"].status == "cancelled"
    assert PresentedDecline.objects.get().reason == "Not a fit"
    again = w["orderer"].post(url, {"reason": "Again"}, format="json")
    assert again.status_code == 404  # no longer presented
    stranger = f.CandidateFactory()
    unknown = f"/api/v1/requests/{w['req'].pk}/people/{stranger.pk}/decline/"
    assert w["orderer"].post(unknown, {"reason": "x"}, format="json").status_code == 404
    other = f"/api/v1/requests/{w['other'].pk}/people/{placed.pk}/decline/"
    assert w["orderer"].post(other, {"reason": "x"}, format="json").status_code == 404


def test_nobody_is_proposed_before_the_agency_approves(staffed):
    """Before approval only the people already booked show (as on the client's page)."""
    w = staffed
    w["req"].shortlists.update(approved_at=None)
    people = w["reader"].get(f"/api/v1/requests/{w['req'].pk}/people/").json()
    assert [p["candidate_id"] for p in people] == [w["placement"].candidate_id]
    assert all(p["placed"] for p in people)


def test_placements_list_and_read(staffed):
    w = staffed
    listed = w["reader"].get("/api/v1/placements/")
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["results"]] == [w["placement"].pk]
    one = w["reader"].get(f"/api/v1/placements/{w['placement'].pk}/").json()
    assert one["person"]["full_name"] == w["placement"].candidate.full_name
    assert one["status"] == "confirmed" and one["rating"] is None
    assert w["reader"].get(f"/api/v1/placements/{w['stranger_placement'].pk}/").status_code == 404
    assert w["reader"].get(f"/api/v1/placements/?request={w['other'].pk}").json()["results"] == []
    Placement.objects.filter(pk=w["placement"].pk).update(status="cancelled")
    cancelled = w["reader"].get(f"/api/v1/placements/{w['placement'].pk}/").json()
    assert cancelled["person"]["full_name"] is None and cancelled["person"]["phone"] is None


def test_feedback_after_the_shift(staffed):
    w = staffed
    url = f"/api/v1/placements/{w['placement'].pk}/feedback/"
    early = w["orderer"].post(url, {"rating": 5}, format="json")
    assert early.status_code == 409
    assert early.json()["detail"] == "You can rate the service once the shift is over."
    _end_shift(w["placement"])
    assert w["reader"].post(url, {"rating": 5}, format="json").status_code == 403
    assert w["orderer"].post(url, {}, format="json").status_code == 400
    done = w["orderer"].post(
        url, {"rating": 4, "comment": "Good", "mark": "favourite"}, format="json"
    )
    assert done.status_code == 200, done.content
    assert done.json()["rating"] == 4 and done.json()["status"] == "completed"
    assert ServiceRating.objects.get().score == 4
    mark = CandidateMark.objects.get()
    assert mark.kind == "favourite" and mark.company == w["company"]
    w["orderer"].post(url, {"mark": "do_not_return"}, format="json")
    assert CandidateMark.objects.get().kind == "do_not_return"
    w["orderer"].post(url, {"mark": ""}, format="json")
    assert not CandidateMark.objects.exists()
    stranger = f"/api/v1/placements/{w['stranger_placement'].pk}/feedback/"
    assert w["orderer"].post(stranger, {"rating": 1}, format="json").status_code == 404


def test_no_show(staffed, queued_tasks):
    w = staffed
    url = f"/api/v1/placements/{w['placement'].pk}/no-show/"
    assert w["orderer"].post(url, {}, format="json").status_code == 409  # not started yet
    _end_shift(w["placement"])
    response = w["orderer"].post(url, {"reason": "Did not come"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "no_show"
    assert ReliabilityRecord.objects.get().reason == "Did not come"
    stranger = f"/api/v1/placements/{w['stranger_placement'].pk}/no-show/"
    assert w["orderer"].post(stranger, {}, format="json").status_code == 404
