"""What an offer tells the person: the hourly pay, the address with a map link, the contact
person, what to bring, and how long they have to answer, on the page and in the email (in the
person's language)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from clients.models import ServiceProfile
from staffing.demo.places import DEMO_OFFER_DETAILS, demo_offer_details_fill
from staffing.demo.seed import COMPANIES
from staffing.models import Offer, OutboundEmail, Placement
from staffing.presenters import answer_within_forms, answer_within_text, pay_range_text
from staffing.services.offers import offer_accept, offer_wave_send
from tests import factories as f
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def _detailed(profile: ServiceProfile) -> ServiceProfile:
    profile.pay_min, profile.pay_max = Decimal("12.50"), Decimal("14.00")
    profile.contact_name, profile.contact_phone = "Sanna Lehtinen", "+358501234501"
    profile.instructions = "Black trousers.\nReport at the staff door."
    profile.save()
    return profile


def test_the_pay_range_must_not_run_backwards():
    profile = f.ServiceProfileFactory()
    profile.pay_min, profile.pay_max = Decimal("15"), Decimal("12")
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert "pay_max" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        profile.save()


def test_a_negative_pay_is_refused():
    profile = f.ServiceProfileFactory()
    profile.pay_min = Decimal("-1")
    with pytest.raises(ValidationError):
        profile.full_clean()


@pytest.mark.parametrize(
    ("low", "high", "language", "text"),
    [
        ("12.50", "14.00", "fi", "12,50–14 € tunnilta"),
        ("12.50", "14.00", "sv", "12,50–14 € i timmen"),
        ("12.50", "14.00", "en", "12.50–14 € an hour"),
        ("13", None, "en", "from 13 € an hour"),
        (None, "13", "en", "up to 13 € an hour"),
        ("13", "13", "en", "13 € an hour"),
        (None, None, "en", ""),
    ],
)
def test_pay_range_in_words(low, high, language, text):
    profile = ServiceProfile(
        pay_min=Decimal(low) if low else None, pay_max=Decimal(high) if high else None
    )
    with translation.override(language):
        assert pay_range_text(profile) == text


@pytest.mark.parametrize(
    ("left", "language", "text"),
    [
        (dt.timedelta(minutes=26, seconds=10), "en", "Answer within 27 minutes"),
        (dt.timedelta(seconds=30), "en", "Answer within 1 minute"),
        (dt.timedelta(seconds=30), "sv", "Svara inom 1 minut"),
        (dt.timedelta(minutes=5), "sv", "Svara inom 5 minuter"),
        (dt.timedelta(minutes=5), "fi", "Vastaa 5 minuutin kuluessa"),
        (dt.timedelta(hours=3, minutes=20), "en", "Answer within 3 h 20 min"),
        (dt.timedelta(seconds=-1), "en", "The time to answer is over"),
    ],
)
def test_answer_within_counts_whole_minutes_up(left, language, text):
    with translation.override(language):
        assert answer_within_text(deadline=NOW + left, now=NOW) == text


def test_the_countdown_script_gets_the_same_words():
    with translation.override("sv"):
        forms = answer_within_forms()
    assert forms["one"] == "Svara inom {n} minut"
    assert forms["other"] == "Svara inom {n} minuter"
    assert forms["hours"] == "Svara inom {h} h {m} min"


def test_site_map_link_is_an_openstreetmap_url():
    site = f.SiteFactory(latitude=60.16952, longitude=24.93545)
    assert site.map_url == (
        "https://www.openstreetmap.org/?mlat=60.16952&mlon=24.93545#map=17/60.16952/24.93545"
    )


def test_the_offer_page_shows_pay_address_contact_instructions_and_time_left(client):
    world = approved_request(headcount=1, people=1)
    _detailed(world.request.service_profile)
    [offer] = offer_wave_send(staffing_request=world.request, by=None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.people[0])
    html = client.get(reverse("candidate_offers")).content.decode()
    site = world.request.site
    assert "12.50–14 € an hour" in html
    assert f"{site.street_address}, {site.postal_code} {site.city}" in html
    assert 'href="{}"'.format(site.map_url.replace("&", "&amp;")) in html
    assert "Sanna Lehtinen" in html and 'href="tel:+358501234501"' in html
    assert "Black trousers.<br>Report at the staff door." in html
    assert "Answer within 30 minutes" in html
    assert f'data-countdown="{int(offer.deadline.timestamp())}"' in html
    assert 'data-other="Answer within {n} minutes"' in html


def test_an_offer_without_details_leaves_them_out(client):
    world = approved_request(headcount=1, people=1)
    offer_wave_send(staffing_request=world.request, by=None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.people[0])
    html = client.get(reverse("candidate_offers")).content.decode()
    assert "an hour" not in html and "Contact person" not in html
    assert "Before you come" not in html
    assert "openstreetmap.org" in html  # the address always has its map


def test_the_offer_email_is_in_swedish_for_a_swedish_speaking_candidate(client):
    """The email in Swedish, and its link answered in Swedish: the phone that opens it has no
    language chosen yet, so logging in brings the account's language (User.language)."""
    world = approved_request(headcount=1, people=1, language="sv")
    _detailed(world.request.service_profile)
    with translation.override("en"):  # whatever the language of the code that sends it
        offer_wave_send(staffing_request=world.request, by=None)
    email = OutboundEmail.objects.get(to=world.people[0].email)
    assert email.language == "sv"
    assert email.subject.startswith("Arbetserbjudande")
    body = email.body
    assert "Lön: 12,50–14 € i timmen" in body
    assert "Kontaktperson: Sanna Lehtinen, 050 1234501" in body
    assert "Innan du kommer:\nBlack trousers.\nReport at the staff door." in body
    assert "Svara inom 30 minuter" in body
    assert world.request.site.map_url in body
    assert "Answer" not in body and "an hour" not in body
    [link] = re.findall(r"https?://\S+/o/[^/\s]+/", body)
    path = urlsplit(link).path
    login = client.get(path)
    assert login.status_code == 302 and login.url.startswith(reverse("account_login"))
    person = world.people[0]
    answer = client.post(login.url, {"login": person.email, "password": f.PASSWORD})
    assert answer.status_code == 302 and answer.url == path
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    page = client.get(path).content.decode()
    assert "Tacka ja" in page and "Svara inom 30 minuter" in page and "Accept" not in page
    booked = client.post(path, {"answer": "accept"}, follow=True).content.decode()
    assert "Du har tackat ja till detta erbjudande" in booked and "Logga ut" in booked
    assert Offer.objects.get(candidate=person.candidate).status == Offer.Status.ACCEPTED
    assert Placement.objects.filter(candidate=person.candidate, request=world.request).exists()


def test_demo_profiles_get_offer_details_once_and_edits_stay():
    site = f.SiteFactory(name="Kotimarket Kamppi")
    profile = f.ServiceProfileFactory(site=site, role_type="retail")
    assert demo_offer_details_fill() == 1
    profile.refresh_from_db()
    assert profile.contact_name == DEMO_OFFER_DETAILS["Kotimarket Kamppi"].contact_name
    assert (profile.pay_min, profile.pay_max) == (Decimal("12.50"), Decimal("14.00"))
    profile.instructions = "Changed by the agency"
    profile.save()
    assert demo_offer_details_fill() == 0
    profile.refresh_from_db()
    assert profile.instructions == "Changed by the agency"
    assert profile.updated_at <= timezone.now()


def test_the_admin_edits_the_offer_details(client):
    admin = f.AgencyAdminFactory(is_staff=True, is_superuser=True)
    profile = f.ServiceProfileFactory()
    client.force_login(admin)
    response = client.get(reverse("admin:clients_serviceprofile_change", args=[profile.pk]))
    html = response.content.decode()
    for name in ("pay_min", "pay_max", "contact_name", "contact_phone", "instructions"):
        assert f'name="{name}"' in html


def test_every_demo_site_has_offer_details():
    sites = {site.name for company in COMPANIES for site in company.sites}
    assert sites == set(DEMO_OFFER_DETAILS)


def test_the_seed_command_gives_every_demo_profile_its_offer_details():
    call_command("seed_demo", "--candidates", "10", stdout=StringIO())
    profiles = ServiceProfile.objects.all()
    assert profiles.exists()
    assert not profiles.filter(pay_min__isnull=True).exists()
    assert not profiles.filter(contact_phone="").exists()
    assert not profiles.filter(instructions="").exists()


def test_an_upcoming_assignment_keeps_the_place_contact_and_instructions(client):
    world = approved_request(headcount=1, people=1)
    _detailed(world.request.service_profile)
    [offer] = offer_wave_send(staffing_request=world.request, by=None)
    offer_accept(offer=offer, by=world.people[0])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.people[0])
    html = client.get(reverse("candidate_assignments")).content.decode()
    assert "openstreetmap.org" in html and "050 1234501" in html
    assert "Report at the staff door." in html
