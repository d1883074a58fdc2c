"""Phone numbers are checked and stored in one form (E.164) wherever they are typed, and shown
the way people read them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.template import Context, Template
from django.urls import reverse

from candidates.forms import ProfileForm
from clients.models import ClientMembership, ServiceProfile
from staffing.base.phones import PhoneNumberInvalid, phone_display, phone_normalise
from tests import factories as f


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("040 123 4567", "+358401234567"),
        ("040-1234567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("00358401234567", "+358401234567"),
        ("09 1234567", "+35891234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("  ", ""),
    ],
)
def test_typed_numbers_are_stored_in_one_form(typed, stored):
    assert phone_normalise(typed) == stored


@pytest.mark.parametrize("typed", ["123", "phone me", "040 123", "+358 40 123 4567 8901"])
def test_what_is_not_a_number_is_refused(typed):
    with pytest.raises(PhoneNumberInvalid):
        phone_normalise(typed)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+358401234567", "040 1234567"),
        ("+35891234567", "09 1234567"),
        ("+46701234567", "+46 70 123 45 67"),
        ("not a number", "not a number"),  # an old value is shown as it was
        ("", ""),
    ],
)
def test_stored_numbers_are_shown_as_people_read_them(stored, shown):
    assert phone_display(stored) == shown
    assert Template("{{ n|phone }}").render(Context({"n": stored})) == shown


def _profile(**extra):
    data = {
        "first_name": "Aino",
        "last_name": "A",
        "phone": "040 111 1111",
        "postal_code": "00100",
        "max_travel_km": 15,
        "works_retail": "on",
    }
    return data | extra


@pytest.mark.django_db
def test_a_candidate_types_a_number_and_it_is_stored_normalised(client):
    user = f.CandidateUserFactory()
    client.force_login(user)
    assert client.post(reverse("candidate_profile"), _profile()).status_code == 302
    user.candidate.refresh_from_db()
    assert user.candidate.phone == "+358401111111"
    page = client.get(reverse("candidate_profile")).content.decode()
    assert 'value="040 1111111"' in page and 'type="tel"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fi", "Tähän numeroon ei voi soittaa."),
        ("sv", "Det här är inte ett telefonnummer vi kan ringa."),
        ("en", "This is not a phone number we can call."),
    ],
)
def test_a_bad_number_gets_a_clear_error_in_the_users_language(client, language, message):
    user = f.CandidateUserFactory()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("candidate_profile"), _profile(phone="12345"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="12345"' in response.content.decode()  # kept as typed
    user.candidate.refresh_from_db()
    assert user.candidate.phone != "12345"


def test_the_profile_form_uses_the_phone_field():
    form = ProfileForm(data=_profile(phone="+46 70 123 45 67"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+46701234567"


@pytest.mark.django_db
def test_the_admin_normalises_a_client_managers_phone(client):
    admin = f.AgencyAdminFactory(is_staff=True, is_superuser=True)
    manager = f.ClientManagerFactory()
    membership = manager.client_membership
    url = reverse("admin:clients_clientmembership_change", args=[membership.pk])
    client.force_login(admin)
    data = {"user": manager.pk, "company": membership.company_id, "phone": "050 123 4501"}
    assert client.post(url, data).status_code == 302
    assert ClientMembership.objects.get(pk=membership.pk).phone == "+358501234501"
    response = client.post(url, {**data, "phone": "0501"})
    assert response.status_code == 200
    assert "Tähän numeroon ei voi soittaa." in response.content.decode()


@pytest.mark.django_db
def test_the_admin_normalises_a_contact_persons_phone(rf):
    profile = f.ServiceProfileFactory()
    request = rf.get("/")
    request.user = f.AgencyAdminFactory(is_staff=True, is_superuser=True)
    form_class = admin.site._registry[ServiceProfile].get_form(request, profile)
    field = form_class.base_fields["contact_phone"]
    assert field.clean("040 987 6543") == "+358409876543"
