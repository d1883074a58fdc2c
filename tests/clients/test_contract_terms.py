"""A client's contract terms at work: the offers' response window, the cancellation notice and
whether the client may decline the people presented."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from staffing.models import AuditEvent, Placement, PresentedDecline
from staffing.services.errors import FeedbackError
from staffing.services.feedback import presented_decline
from staffing.services.offers import offer_wave_send
from tests import factories as f
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("urgency", "minutes"), [("urgent", 12), ("planned", 90)])
def test_offers_use_the_clients_response_window(urgency, minutes):
    world = approved_request(urgency=urgency)
    company = world.request.company
    company.offer_response_urgent_minutes = 12
    company.offer_response_planned_minutes = 90
    company.save()
    before = timezone.now()
    [offer, *_] = offer_wave_send(staffing_request=world.request, by=None)
    waited = offer.deadline - before
    assert dt.timedelta(minutes=minutes - 1) < waited <= dt.timedelta(minutes=minutes + 1)


def test_without_terms_the_agency_default_holds():
    world = approved_request(urgency="urgent")
    before = timezone.now()
    [offer, *_] = offer_wave_send(staffing_request=world.request, by=None)
    default = dt.timedelta(minutes=settings.OFFER_DEADLINE_URGENT_MINUTES)
    waited = offer.deadline - before
    assert default - dt.timedelta(minutes=1) < waited <= default + dt.timedelta(seconds=5)


@pytest.fixture
def presented():
    req = f.StaffingRequestFactory(status="approved", headcount=1)
    shift = f.ShiftFactory(request=req)
    shortlist = f.ShortlistFactory(request=req, approved_at=timezone.now())
    entry = f.ShortlistEntryFactory(shortlist=shortlist, rank=1)
    placement = f.PlacementFactory(shift=shift, candidate=entry.candidate)
    manager = f.ClientManagerFactory(company=req.company)
    return req, placement, manager


def test_a_client_whose_contract_forbids_it_cannot_decline(client, presented):
    req, placement, manager = presented
    req.company.may_decline_presented = False
    req.company.save()
    with translation.override("en"), pytest.raises(FeedbackError, match="not include declining"):
        presented_decline(
            staffing_request=req, candidate=placement.candidate, by=manager, reason="No"
        )
    client.force_login(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("client_person_decline", args=[req.pk, placement.candidate_id])
    people = client.get(reverse("client_request_people", args=[req.pk])).content.decode()
    assert url not in people  # no button for it
    response = client.post(url, {"reason": "Not for us"})
    assert response.status_code == 200
    assert "Call your recruiter" in response.content.decode()
    assert not PresentedDecline.objects.exists()
    assert Placement.objects.get(pk=placement.pk).status == placement.status


def test_a_client_allowed_to_decline_still_can(client, presented):
    req, placement, manager = presented
    client.force_login(manager)
    url = reverse("client_person_decline", args=[req.pk, placement.candidate_id])
    assert url in client.get(reverse("client_request_people", args=[req.pk])).content.decode()
    assert client.post(url, {"reason": "Not for us"}).status_code == 302
    assert PresentedDecline.objects.count() == 1


@pytest.mark.parametrize(("notice_hours", "late"), [(24, True), (12, False)])
def test_a_cancellation_inside_the_notice_is_recorded_as_late(client, notice_hours, late):
    req = f.StaffingRequestFactory(status="approved")
    start = timezone.now() + dt.timedelta(hours=18)
    f.ShiftFactory(request=req, starts_at=start, ends_at=start + dt.timedelta(hours=4))
    req.company.cancellation_notice_hours = notice_hours
    req.company.save()
    client.force_login(f.ClientManagerFactory(company=req.company))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("client_request_cancel", args=[req.pk])).content.decode()
    assert f"less than {notice_hours} hours before a shift counts as late" in page
    client.post(reverse("client_request_cancel", args=[req.pk]), {"shift": "", "reason": "x"})
    event = AuditEvent.objects.get(action="request.cancelled", staffing_request=req)
    assert event.data["late"] is late
