"""The login page in the product's style (labels above fields, "remember me" a checkbox), and,
for someone who came from a link, a sentence saying why they are asked to log in."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from staffing.services.offers import offer_link_path, offer_wave_send
from staffing.templatetags.login_reason import login_reason
from tests import factories as f
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db


def _login_page(client, language: str, **params) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("account_login"), params).content.decode()


def test_labels_stand_above_the_fields_and_remember_me_is_a_checkbox(client):
    html = _login_page(client, "fi")
    assert re.search(r'<label\s+for="id_login" class="form-label[^"]*">\s*Sähköposti', html)
    assert "Sähköposti:" not in html and "Muista minut:" not in html
    assert re.search(r'<input type="checkbox" name="remember"[^>]*form-check-input', html)
    assert 'id="login-reason"' not in html  # nobody sent them here


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("fi", "Kirjaudu sisään vastataksesi työtarjoukseesi."),
        ("sv", "Logga in för att svara på ditt arbetserbjudande."),
        ("en", "Log in to answer your work offer."),
    ],
)
def test_someone_from_an_offer_link_is_told_why(client, language, sentence):
    world = approved_request(headcount=1, people=1)
    [offer] = offer_wave_send(staffing_request=world.request, by=None)
    response = client.get(offer_link_path(offer=offer))  # anonymous: sent to log in
    assert response.url.startswith(reverse("account_login"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(response.url).content.decode()
    assert sentence in html


def test_a_failed_login_keeps_the_reason_and_says_what_went_wrong(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    user = f.CandidateUserFactory()
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": "wrong-password", "next": reverse("candidate_offers")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Logga in för att svara på dina arbetserbjudanden." in html
    assert 'name="next" value="/me/offers/"' in html


@pytest.mark.parametrize(
    ("next_url", "reason"),
    [
        ("/me/assignments/", "Log in to see your assignments."),
        ("/client/requests/12/", "Log in to follow your staffing request."),
        ("/client/placements/3/feedback/", "Log in to rate the service you got."),
        ("/agency/requests/", "Log in to open the page you followed a link to."),
        ("/me/offers/?x=1", "Log in to answer your work offers."),
        ("/", ""),
        ("", ""),
        (None, ""),
        ("/no/such/page/", ""),
        ("https://evil.example/o/abc/", ""),
        ("//evil.example/o/abc/", ""),
    ],
)
def test_the_reason_follows_the_page_the_link_leads_to(next_url, reason):
    with translation.override("en"):
        assert login_reason(next_url) == reason
