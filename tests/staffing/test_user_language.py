"""A person's chosen language is remembered on their account and used for their emails."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from candidates.models import Skill
from staffing.models import OutboundEmail
from staffing.services.offers import offer_wave_send
from tests import factories as f
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db


def test_the_switch_offers_finnish_swedish_and_english(client):
    html = client.get("/").content.decode()
    switch = html[html.index('id="language-switch"') :]
    buttons = re.findall(r'lang="(\w+)" title="[^"]*">(\w+)</button>', switch)
    assert buttons == [("fi", "FI"), ("sv", "SV"), ("en", "EN")]


def test_a_candidate_who_switches_to_swedish_gets_the_offer_email_in_swedish(client):
    world = approved_request(language="fi")
    person = world.people[0]
    client.force_login(person)

    response = client.post(reverse("set_language"), {"language": "sv", "next": "/me/"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "sv"
    offer_wave_send(staffing_request=world.request, by=None)
    email = OutboundEmail.objects.get(to=person.email)
    assert email.language == "sv"
    assert email.subject.startswith("Arbetserbjudande")


def test_a_client_manager_who_switches_is_remembered(client):
    manager = f.ClientManagerFactory()
    client.force_login(manager)
    client.post(reverse("set_language"), {"language": "sv", "next": "/client/"})
    manager.refresh_from_db()
    assert manager.language == "sv"


def test_an_unknown_language_is_not_stored(client):
    manager = f.ClientManagerFactory(language="fi")
    client.force_login(manager)
    client.post(reverse("set_language"), {"language": "xx", "next": "/client/"})
    manager.refresh_from_db()
    assert manager.language == "fi"


@pytest.mark.parametrize(
    ("code", "name"), [("fi", "Kassatyö"), ("sv", "Kassaarbete"), ("en", "Till work")]
)
def test_skill_names_in_the_active_language(code, name):
    from django.utils import translation

    skill = Skill.objects.get(code="till-work")
    with translation.override(code):
        assert str(skill) == name
        assert Skill.names_by_id()[skill.pk] == name


def test_the_landing_page_reads_in_swedish(client):
    client.cookies["django_language"] = "sv"
    html = client.get("/").content.decode()
    assert '<html lang="sv"' in html
    assert "Bra kundservicepersonal, när ni behöver dem" in html


def test_logging_in_without_a_language_chosen_brings_the_accounts_language(client):
    person = f.CandidateUserFactory(language="sv")
    login = reverse("account_login")
    response = client.post(login, {"login": person.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    assert 'lang="sv"' in client.get(reverse("candidate_offers")).content.decode()


def test_a_language_chosen_on_the_device_before_logging_in_is_kept(client):
    person = f.CandidateUserFactory(language="sv")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    response = client.post(
        reverse("account_login"), {"login": person.email, "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="fi">' in client.get(reverse("candidate_offers")).content.decode()
