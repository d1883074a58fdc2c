from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from staffing.models import StaffingRequest
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    profile = f.ServiceProfileFactory()
    f.ProfileLanguageFactory(profile=profile, language="sv", level=3)
    return f.ClientManagerFactory(company=profile.company)


def _form_data(profile, **overrides) -> dict:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = {
        "service_profile": profile.pk,
        "urgency": "urgent",
        "headcount": "2",
        "notes": "Report to the info desk",
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


def test_form_starts_from_the_service_profile(client, manager):
    client.force_login(manager)
    response = client.get(reverse("client_request_new"))
    assert response.status_code == 200
    languages = response.context["languages"]
    assert languages.initial == [{"language": "sv", "level": 3}]


def test_submitting_stores_the_request_and_queues_matching(
    client, manager, django_capture_on_commit_callbacks, queued_tasks
):
    profile = manager.client_membership.company.service_profiles.get()
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("client_request_new"), _form_data(profile))
    req = StaffingRequest.objects.get()
    assert response.url == reverse("client_request_detail", args=[req.pk])
    assert req.headcount == 2 and req.status == StaffingRequest.Status.RECEIVED
    assert list(req.languages.values_list("language", "level")) == [("fi", 4)]
    assert req.shifts.get().ends_at - req.shifts.get().starts_at == dt.timedelta(hours=5)
    # The match first; an urgent order's alert to the recruiters after it (the offers worker).
    assert queued_tasks == [
        ("staffing.tasks.match_request", (req.pk,)),
        ("staffing.tasks.alert_urgent_request", (req.pk,)),
    ]
    assert req.events.filter(action="request.submitted").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"shifts-0-date": "2020-01-01"}, "The shift starts in the past."),
        ({"languages-0-level": ""}, "Say which CEFR level the work needs."),
        ({"languages-0-reason": "native speaker"}, "not whose mother tongue it is"),
        ({"headcount": "0"}, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(
    client, manager, overrides, message
):
    profile = manager.client_membership.company.service_profiles.get()
    client.force_login(manager)
    response = client.post(
        reverse("client_request_new"), _form_data(profile, **overrides), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Report to the info desk" in response.content.decode()
    assert not StaffingRequest.objects.exists()


def test_a_profile_of_another_company_is_refused(client, manager):
    profile = manager.client_membership.company.service_profiles.get()
    foreign = f.ServiceProfileFactory()
    client.force_login(manager)
    response = client.post(
        reverse("client_request_new"),
        _form_data(profile, service_profile=foreign.pk),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not StaffingRequest.objects.exists()


def test_status_fragment_reports_the_shortlist(client, manager):
    profile = manager.client_membership.company.service_profiles.get()
    req = f.StaffingRequestFactory(service_profile=profile, status="shortlisted")
    f.ShortlistFactory(request=req)
    client.force_login(manager)
    response = client.get(reverse("client_request_status", args=[req.pk]))
    assert 'data-status="shortlisted"' in response.content.decode()


def test_date_and_time_inputs_get_iso_values_in_finnish_too(client, manager):
    """Browsers' date inputs accept only ISO values; a Finnish date would leave them empty."""
    client.force_login(manager)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    html = client.get(reverse("client_request_new"), HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert f'value="{tomorrow.isoformat()}"' in html
    assert 'value="16:00"' in html
