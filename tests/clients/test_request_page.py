"""The client's request page says what is true: who is placed (even when a recruiter placed
someone without an approved shortlist), which of them is a favourite, what declining a booked
person does, and "we are looking" only while the agency is looking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from psycopg2.extras import DateTimeTZRange

from staffing.models import OutboundEmail, Placement, PresentedDecline, StaffingRequest
from staffing.presenters import request_progress
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _move_shift(placement: Placement, *, starts_in: dt.timedelta) -> None:
    start = timezone.now() + starts_in
    end = start + dt.timedelta(hours=5)
    shift = placement.shift
    shift.starts_at, shift.ends_at = start, end
    shift.save()
    Placement.objects.filter(pk=placement.pk).update(
        period=DateTimeTZRange(start, end),
        blocked=DateTimeTZRange(*Placement.blocked_range(start, end)),
    )


@pytest.fixture
def filled_directly():
    """Demo request #4: filled by a placement a recruiter made, no approved shortlist."""
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    req = f.StaffingRequestFactory(
        service_profile=profile, status=StaffingRequest.Status.FILLED, headcount=1
    )
    req.filled_at = timezone.now() - dt.timedelta(days=3)
    req.save()
    placement = f.PlacementFactory(
        shift=f.ShiftFactory(request=req), status=Placement.Status.COMPLETED
    )
    _move_shift(placement, starts_in=-dt.timedelta(days=2))
    return {"manager": manager, "req": req, "placement": placement}


@pytest.mark.parametrize("shortlist", ["none", "unapproved"])
def test_a_filled_request_without_an_approved_shortlist_shows_the_placed_people(
    client, filled_directly, shortlist
):
    req, placement = filled_directly["req"], filled_directly["placement"]
    if shortlist == "unapproved":
        f.ShortlistFactory(request=req)
    client.force_login(filled_directly["manager"])
    html = client.get(reverse("client_request_detail", args=[req.pk])).content.decode()
    assert f'data-person="{placement.candidate_id}"' in html
    assert placement.candidate.full_name in html
    assert reverse("client_feedback", args=[placement.pk]) in html  # they can rate
    assert "as soon as the agency has approved the shortlist" not in html
    feedback = client.get(reverse("client_feedback", args=[placement.pk]))
    assert feedback.status_code == 200


def test_filled_never_stands_next_to_an_unchecked_shortlist_step(client, filled_directly):
    req = filled_directly["req"]
    with translation.override("en"):
        steps = {str(step.label): step for step in request_progress(req)}
    assert steps["Filled"].done
    assert steps["Shortlist ready"].skipped and steps["Offers sent"].skipped
    assert not steps["Received"].skipped
    client.force_login(filled_directly["manager"])
    html = client.get(reverse("client_request_status", args=[req.pk])).content.decode()
    assert "Shortlist ready" not in html and "Offers sent" not in html
    assert "Filled" in html and "bi-circle" not in html


def test_steps_still_to_come_are_not_skipped():
    req = f.StaffingRequestFactory(status=StaffingRequest.Status.SHORTLISTED)
    f.ShortlistFactory(request=req)
    steps = request_progress(req)
    assert [s.done for s in steps] == [True, True, False, False, False, False]
    assert not any(s.skipped for s in steps)


@pytest.fixture
def booked():
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    req = f.StaffingRequestFactory(service_profile=profile, status="filled", headcount=1)
    shortlist = f.ShortlistFactory(request=req, approved_at=timezone.now())
    entry = f.ShortlistEntryFactory(shortlist=shortlist, rank=1)
    user = f.CandidateUserFactory()
    entry.candidate = user.candidate
    entry.save()
    placement = f.PlacementFactory(shift=f.ShiftFactory(request=req), candidate=user.candidate)
    return {"manager": manager, "req": req, "placement": placement}


def test_a_booked_person_is_not_declined_but_their_booking_can_be_cancelled(client, booked):
    req, placement = booked["req"], booked["placement"]
    client.force_login(booked["manager"])
    html = client.get(reverse("client_request_detail", args=[req.pk])).content.decode()
    assert f'data-decline="{placement.candidate_id}"' not in html
    assert f'data-cancel-booking="{placement.candidate_id}"' in html
    url = reverse("client_person_decline", args=[req.pk, placement.candidate_id])
    page = client.get(url).content.decode()
    assert "Cancel the booking of" in page and "by email that they are not needed" in page
    response = client.post(url, {"reason": "We need someone with forklift training"})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.status == Placement.Status.CANCELLED
    assert OutboundEmail.objects.filter(to=placement.candidate.user.email).exists()


def test_once_the_shift_has_started_the_booking_cannot_be_cancelled(client, booked):
    req, placement = booked["req"], booked["placement"]
    _move_shift(placement, starts_in=-dt.timedelta(hours=1))
    client.force_login(booked["manager"])
    html = client.get(reverse("client_request_detail", args=[req.pk])).content.decode()
    assert "data-cancel-booking" not in html and "data-decline" not in html
    url = reverse("client_person_decline", args=[req.pk, placement.candidate_id])
    assert 'id="decline-too-late"' in client.get(url).content.decode()
    assert client.post(url, {"reason": "Late"}).status_code == 200
    placement.refresh_from_db()
    assert placement.status == Placement.Status.CONFIRMED
    assert not PresentedDecline.objects.exists()


def test_a_proposed_person_can_be_declined(client):
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    req = f.StaffingRequestFactory(service_profile=profile, status="approved", headcount=1)
    f.ShiftFactory(request=req)
    shortlist = f.ShortlistFactory(request=req, approved_at=timezone.now())
    entry = f.ShortlistEntryFactory(shortlist=shortlist, rank=1)
    client.force_login(manager)
    html = client.get(reverse("client_request_detail", args=[req.pk])).content.decode()
    assert f'data-decline="{entry.candidate_id}"' in html
    url = reverse("client_person_decline", args=[req.pk, entry.candidate_id])
    assert client.post(url, {"reason": "Not this time"}).status_code == 302
    assert PresentedDecline.objects.filter(candidate=entry.candidate).exists()


def test_a_favourite_shows_as_such(client, booked):
    req, placement = booked["req"], booked["placement"]
    f.CandidateMarkFactory(company=req.company, candidate=placement.candidate)
    f.CandidateMarkFactory(candidate=placement.candidate)  # another client's mark: not ours
    client.force_login(booked["manager"])
    html = client.get(reverse("client_request_detail", args=[req.pk])).content.decode()
    assert html.count('data-favourite="yes"') == 1 and "Your favourite" in html


def test_another_companys_favourite_does_not_show(client, booked):
    f.CandidateMarkFactory(candidate=booked["placement"].candidate)
    client.force_login(booked["manager"])
    html = client.get(reverse("client_request_detail", args=[booked["req"].pk])).content.decode()
    assert 'data-favourite="yes"' not in html


def test_we_are_looking_only_while_the_agency_is_looking(client):
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    req = f.StaffingRequestFactory(service_profile=profile, status="received")
    client.force_login(manager)
    url = reverse("client_request_status", args=[req.pk])
    assert 'id="looking-notice"' in client.get(url).content.decode()
    req.status = StaffingRequest.Status.SHORTLISTED
    req.save()
    f.ShortlistFactory(request=req)
    assert 'id="looking-notice"' not in client.get(url).content.decode()
    # The page itself carries no "received" flash message that would stay while it updates.
    page = client.get(reverse("client_request_detail", args=[req.pk])).content.decode()
    assert "We are finding people now" not in page and 'role="alert"' not in page
