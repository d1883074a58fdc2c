"""A recruiter enters a request on a client's behalf (a phone order): the client's own form and
service, recorded as entered by the recruiter for the contact who called, who is told by email
in their language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from staffing.models import AuditEvent, OutboundEmail, StaffingRequest
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    profile = f.ServiceProfileFactory(site__name="Kamppi")
    other_site = f.SiteFactory(company=profile.company, name="Itis")
    caller = f.ClientManagerFactory(company=profile.company, language="sv")
    return {
        "profile": profile,
        "other_site": other_site,
        "caller": caller,
        "recruiter": f.RecruiterFactory(first_name="Riikka", last_name="Rekry"),
    }


def _data(world, **overrides) -> dict:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    profile = world["profile"]
    data = {
        "ordered_by": world["caller"].client_membership.pk,
        "site": profile.site_id,
        "service_profile": profile.pk,
        "urgency": "urgent",
        "headcount": "2",
        "notes": "",
        "shifts-TOTAL_FORMS": "1",
        "shifts-INITIAL_FORMS": "0",
        "shifts-MIN_NUM_FORMS": "1",
        "shifts-MAX_NUM_FORMS": "7",
        "shifts-0-date": tomorrow.isoformat(),
        "shifts-0-start": "16:00",
        "shifts-0-end": "21:00",
        "languages-TOTAL_FORMS": "1",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "4",
        "languages-0-language": "fi",
        "languages-0-level": "4",
        "languages-0-reason": "",
    }
    data.update(overrides)
    return data


def test_a_phone_order_is_the_clients_request_entered_by_the_recruiter(
    client, world, django_capture_on_commit_callbacks, queued_tasks
):
    client.force_login(world["recruiter"])
    url = reverse("agency_phone_order", args=[world["profile"].company_id])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["service_profile"] == world["profile"].pk
    assert len(page.context["shifts"].initial) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _data(world))
    req = StaffingRequest.objects.get()
    assert response.url == reverse("recruiter_request_detail", args=[req.pk])
    assert req.submitted_by == world["caller"] and req.entered_by == world["recruiter"]
    assert req.company == world["profile"].company and req.headcount == 2
    assert list(req.languages.values_list("language", "level")) == [("fi", 4)]
    assert ("staffing.tasks.match_request", (req.pk,)) in queued_tasks
    event = AuditEvent.objects.get(action="request.submitted", staffing_request=req)
    assert event.actor == world["recruiter"]
    assert event.data["for"] == world["caller"].pk
    email = OutboundEmail.objects.get(key=f"entered:{req.pk}:{world['caller'].pk}")
    assert email.to == world["caller"].email and email.language == "sv"
    assert "Riikka Rekry på byrån har registrerat er beställning för Kamppi" in email.body
    assert reverse("client_request_detail", args=[req.pk]) in email.body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(response.url).content.decode()
    assert f"entered by Riikka Rekry for {world['caller'].email}" in page
    # The client sees it as theirs.
    client.force_login(world["caller"])
    assert client.get(reverse("client_request_detail", args=[req.pk])).status_code == 200


def test_a_clients_own_order_tells_nobody_it_was_entered(client, world):
    client.force_login(world["caller"])
    data = _data(world)
    data.pop("ordered_by")
    client.post(reverse("client_request_new"), data)
    req = StaffingRequest.objects.get()
    assert req.entered_by is None
    assert not OutboundEmail.objects.filter(key__startswith="entered:").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ordered_by": ""}, "This field is required."),
        ({"headcount": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"shifts-0-end": "16:00", "shifts-0-start": "01:00"}, "at most 12 hours"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, world, overrides, message):
    client.force_login(world["recruiter"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("agency_phone_order", args=[world["profile"].company_id])
    response = client.post(url, _data(world, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StaffingRequest.objects.exists()


def test_a_contact_of_another_client_cannot_be_the_orderer(client, world):
    stranger = f.ClientManagerFactory()
    client.force_login(world["recruiter"])
    url = reverse("agency_phone_order", args=[world["profile"].company_id])
    response = client.post(url, _data(world, ordered_by=stranger.client_membership.pk))
    assert response.status_code == 200
    assert not StaffingRequest.objects.exists()


def test_a_contact_tied_to_another_site_cannot_order_for_this_one(client, world):
    world["caller"].client_membership.sites.set([world["other_site"]])
    client.force_login(world["recruiter"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("agency_phone_order", args=[world["profile"].company_id])
    response = client.post(url, _data(world))
    assert response.status_code == 200
    assert "This contact orders only for: Itis." in response.content.decode()
    assert not StaffingRequest.objects.exists()


def test_a_deactivated_contact_cannot_order_and_no_contact_says_so(client, world):
    caller = world["caller"]
    caller.is_active = False
    caller.save()
    client.force_login(world["recruiter"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("agency_phone_order", args=[world["profile"].company_id])
    assert "has no active contacts yet" in client.get(url).content.decode()
    assert client.post(url, _data(world)).status_code == 200
    assert not StaffingRequest.objects.exists()


@pytest.mark.parametrize("role", ["manager", "candidate"])
def test_only_the_agency_enters_orders_for_clients(client, world, role):
    user = world["caller"] if role == "manager" else f.CandidateUserFactory()
    client.force_login(user)
    url = reverse("agency_phone_order", args=[world["profile"].company_id])
    assert client.get(url).status_code == 403
    assert client.post(url, _data(world)).status_code == 403
    assert not StaffingRequest.objects.exists()
