"""The agency's Clients pages: companies, sites, contract terms and service profiles, for
recruiters and agency admins only; forms with bad input answer with clear messages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from clients.models import ClientCompany, ServiceProfile, Site
from staffing.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def recruiter():
    return f.RecruiterFactory()


@pytest.fixture
def company():
    return f.ClientCompanyFactory(name="Kauppa Oy")


def test_clients_page_lists_companies_with_sites_contacts_and_profiles(client, recruiter):
    profile = f.ServiceProfileFactory(name="Evening desk", site__name="Kamppi")
    f.ClientManagerFactory(company=profile.company, first_name="Maija", last_name="M")
    client.force_login(recruiter)
    response = client.get(reverse("agency_clients"))
    body = response.content.decode()
    assert response.status_code == 200
    assert profile.company.name in body and "Kamppi" in body
    assert "Evening desk" in body and "Maija M" in body
    detail = client.get(reverse("agency_client_detail", args=[profile.company_id]))
    assert "Evening desk" in detail.content.decode()


def test_an_agency_admin_has_the_clients_page_in_the_menu(client):
    client.force_login(f.AgencyAdminFactory())
    response = client.get(reverse("agency_clients"))
    assert response.status_code == 200
    assert reverse("agency_clients") in response.content.decode()


@pytest.mark.parametrize("role", ["manager", "candidate"])
def test_clients_and_candidates_get_403(client, role):
    user = f.ClientManagerFactory() if role == "manager" else f.CandidateUserFactory()
    client.force_login(user)
    company = user.client_membership.company if role == "manager" else f.ClientCompanyFactory()
    for url in (
        reverse("agency_clients"),
        reverse("agency_client_detail", args=[company.pk]),
        reverse("agency_client_terms", args=[company.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "x"}).status_code == 403
    assert ClientCompany.objects.filter(name="x").count() == 0


def test_unknown_ids_answer_404(client, recruiter):
    client.force_login(recruiter)
    for name in ("agency_client_detail", "agency_site_edit", "agency_profile_edit"):
        assert client.get(reverse(name, args=[999999])).status_code == 404


def test_create_a_company_and_its_audit(client, recruiter):
    client.force_login(recruiter)
    response = client.post(
        reverse("agency_client_new"), {"name": "Uusi Oy", "business_id": "1234567-8"}
    )
    company = ClientCompany.objects.get(name="Uusi Oy")
    assert response.url == reverse("agency_client_detail", args=[company.pk])
    assert AuditEvent.objects.filter(action="client.created", target_id=company.pk).exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "A business ID is seven digits"),
        ("fi", "Y-tunnuksessa on seitsemän numeroa"),
        ("sv", "FO-numret har sju siffror"),
    ],
)
def test_a_bad_business_id_says_what_is_wrong_in_the_users_language(
    client, recruiter, language, message
):
    client.force_login(recruiter)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(
        reverse("agency_client_new"), {"name": "Uusi Oy", "business_id": "12345"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ClientCompany.objects.filter(name="Uusi Oy").exists()


def test_a_site_gets_its_coordinates_from_the_postal_code(client, recruiter, company):
    client.force_login(recruiter)
    response = client.post(
        reverse("agency_site_new", args=[company.pk]),
        {"name": "Kamppi", "street_address": "Urho Kekkosen katu 1", "postal_code": "00100"},
    )
    assert response.status_code == 302
    site = Site.objects.get(company=company, name="Kamppi")
    assert site.city == "Helsinki"
    assert abs(site.latitude - 60.17) < 0.1 and abs(site.longitude - 24.93) < 0.1


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "We do not know the postal code 00000"),
        ("fi", "Postinumeroa 00000 ei löydy"),
        ("sv", "Vi känner inte till postnumret 00000"),
    ],
)
def test_an_unknown_postal_code_says_so(client, recruiter, company, language, message):
    client.force_login(recruiter)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(
        reverse("agency_site_new", args=[company.pk]),
        {"name": "Nowhere", "street_address": "Tie 1", "postal_code": "00000"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Site.objects.filter(name="Nowhere").exists()


def test_two_sites_of_one_client_cannot_share_a_name(client, recruiter):
    site = f.SiteFactory(name="Kamppi")
    client.force_login(recruiter)
    response = client.post(
        reverse("agency_site_new", args=[site.company_id]),
        {"name": "kamppi", "street_address": "Tie 1", "postal_code": "00100"},
    )
    assert response.status_code == 200
    assert "already has a site of that name" in response.content.decode()


def test_moving_a_site_moves_it_and_its_profiles_benches_are_due(client, recruiter):
    profile = f.ServiceProfileFactory()
    before = profile.updated_at
    client.force_login(recruiter)
    client.post(
        reverse("agency_site_edit", args=[profile.site_id]),
        {"name": profile.site.name, "street_address": "Hämeenkatu 1", "postal_code": "33100"},
    )
    profile.refresh_from_db()
    assert profile.site.city == "Tampere"
    assert profile.site.latitude == pytest.approx(61.5, abs=0.1)
    assert profile.updated_at > before


def test_contract_terms_are_the_agency_admins(client, recruiter, company):
    client.force_login(recruiter)
    detail = client.get(reverse("agency_client_detail", args=[company.pk])).content.decode()
    terms = reverse("agency_client_terms", args=[company.pk])
    assert "Cancellation notice" in detail and terms not in detail
    assert client.get(terms).status_code == 403
    assert client.post(terms, {"cancellation_notice_hours": "1"}).status_code == 403
    company.refresh_from_db()
    assert company.cancellation_notice_hours == 24
    client.force_login(f.AgencyAdminFactory())
    assert terms in client.get(reverse("agency_client_detail", args=[company.pk])).content.decode()


def test_contract_terms_are_saved_and_validated(client, recruiter, company):
    client.force_login(f.AgencyAdminFactory())
    url = reverse("agency_client_terms", args=[company.pk])
    bad = client.post(
        url, {"offer_response_urgent_minutes": "2", "cancellation_notice_hours": "24"}
    )
    assert bad.status_code == 200
    assert "Give between 5 minutes and 24 hours" in bad.content.decode()
    client.post(
        url,
        {
            "offer_response_urgent_minutes": "15",
            "cancellation_notice_hours": "48",
            "responsible_recruiter": recruiter.pk,
        },
    )
    company.refresh_from_db()
    assert company.offer_response_urgent_minutes == 15
    assert company.offer_response_planned_minutes is None
    assert company.cancellation_notice_hours == 48
    assert company.may_decline_presented is False  # an unticked box
    assert company.responsible_recruiter == recruiter


def test_only_a_recruiter_can_be_responsible(client, recruiter, company):
    manager = f.ClientManagerFactory(company=company)
    client.force_login(f.AgencyAdminFactory())
    response = client.post(
        reverse("agency_client_terms", args=[company.pk]),
        {"cancellation_notice_hours": "24", "responsible_recruiter": manager.pk},
    )
    assert response.status_code == 200
    company.refresh_from_db()
    assert company.responsible_recruiter is None


def _profile_data(site, **overrides) -> dict:
    data = {
        "name": "Weekend desk",
        "site": site.pk,
        "role_type": "retail",
        "focus": "sales",
        "description": "",
        "is_active": "on",
        "languages-TOTAL_FORMS": "2",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "4",
        "languages-0-language": "fi",
        "languages-0-level": "4",
        "languages-1-language": "sv",
        "languages-1-level": "3",
        "shifts-TOTAL_FORMS": "2",
        "shifts-INITIAL_FORMS": "0",
        "shifts-MIN_NUM_FORMS": "0",
        "shifts-MAX_NUM_FORMS": "21",
        "shifts-0-weekday": "5",
        "shifts-0-start": "10:00",
        "shifts-0-end": "18:00",
        "shifts-1-weekday": "",
        "shifts-1-start": "",
        "shifts-1-end": "",
    }
    data.update(overrides)
    return data


def test_create_a_service_profile_with_languages_skills_and_typical_shifts(
    client, recruiter, django_capture_on_commit_callbacks, queued_tasks
):
    site = f.SiteFactory()
    skill = f.SkillFactory()
    client.force_login(recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("agency_profile_new", args=[site.company_id]),
            _profile_data(site, valued_skills=[skill.pk]),
        )
    assert response.status_code == 302
    profile = ServiceProfile.objects.get(name="Weekend desk")
    assert profile.focus == "sales"
    assert sorted(profile.languages.values_list("language", "level")) == [("fi", 4), ("sv", 3)]
    assert [str(s) for s in profile.typical_shifts.all()] == ["Saturday 10:00–18:00"]
    assert list(profile.valued_skills.all()) == [skill]
    assert ("staffing.tasks.refresh_bench", (profile.pk,)) in queued_tasks


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"shifts-0-end": "10:00"}, "A shift is longer than 0 and at most 12 hours."),
        ({"shifts-0-weekday": ""}, "Choose the weekday."),
        ({"languages-1-language": "fi"}, "Each language once, please."),
        ({"languages-1-level": ""}, "Say which CEFR level the work needs."),
        (
            {"shifts-1-weekday": "5", "shifts-1-start": "10:00", "shifts-1-end": "18:00"},
            "The same shift is listed twice.",
        ),
    ],
)
def test_a_profile_with_bad_input_is_not_saved(client, recruiter, overrides, message):
    site = f.SiteFactory()
    client.force_login(recruiter)
    response = client.post(
        reverse("agency_profile_new", args=[site.company_id]), _profile_data(site, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceProfile.objects.filter(name="Weekend desk").exists()


def test_a_profile_cannot_use_another_clients_site(client, recruiter):
    other = f.SiteFactory()
    company = f.ClientCompanyFactory()
    client.force_login(recruiter)
    response = client.post(reverse("agency_profile_new", args=[company.pk]), _profile_data(other))
    assert response.status_code == 200
    assert not ServiceProfile.objects.filter(name="Weekend desk").exists()


def test_editing_a_profile_starts_from_its_languages_and_shifts(client, recruiter):
    profile = f.ServiceProfileFactory()
    f.ProfileLanguageFactory(profile=profile, language="sv", level=3)
    f.TypicalShiftFactory(profile=profile)
    client.force_login(recruiter)
    response = client.get(reverse("agency_profile_edit", args=[profile.pk]))
    assert response.context["languages"].initial == [{"language": "sv", "level": 3}]
    assert response.context["shifts"].initial[0]["weekday"] == 5


def test_the_profile_form_names_what_the_client_values_once(client, recruiter, company):
    """The card was headed with the same words as its description field, which read as if
    the whole card were that one field."""
    client.force_login(recruiter)
    page = client.get(reverse("agency_profile_new", args=[company.pk])).content.decode()
    assert page.count("What the client values") == 1
    assert '<h2 class="h5">Service profile</h2>' in page
