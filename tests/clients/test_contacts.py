"""Client contacts: invited by email to their company, signed up through the single-use link,
tied to some or all sites (and then seeing only those sites' requests), deactivated with their
sessions ended at once."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from clients.models import ClientInvitation, ClientMembership
from staffing.models import OutboundEmail, User
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def recruiter():
    return f.RecruiterFactory()


@pytest.fixture
def two_sites():
    kamppi = f.SiteFactory(name="Kamppi")
    itis = f.SiteFactory(name="Itis", company=kamppi.company)
    return kamppi, itis


def _invite(client, company, **overrides):
    data = {
        "email": "Maija.Manager@Example.fi",
        "first_name": "Maija",
        "last_name": "Manageri",
        "language": "sv",
    }
    data.update(overrides)
    return client.post(reverse("agency_contact_invite", args=[company.pk]), data)


def _join_path(email: OutboundEmail) -> str:
    return re.search(r"https?://[^/\s]+(/client/join/[^\s]+/)", email.body).group(1)


def test_an_invited_contact_signs_up_and_belongs_to_the_company(client, recruiter, two_sites):
    kamppi, _itis = two_sites
    client.force_login(recruiter)
    response = _invite(client, kamppi.company, sites=[kamppi.pk])
    assert response.status_code == 302
    invitation = ClientInvitation.objects.get()
    assert invitation.email == "maija.manager@example.fi"
    email = OutboundEmail.objects.get(key=f"client-invitation:{invitation.pk}")
    assert email.language == "sv" and "Kamppi" in email.body
    assert kamppi.company.name in email.subject
    client.logout()

    path = _join_path(email)
    page = client.get(path)
    assert page.status_code == 200
    assert page["Content-Language"] == "sv"
    joined = client.post(
        path, {"first_name": "Maija", "last_name": "Manageri", "password": "a-Long-pass-1234"}
    )
    assert joined.url == reverse("client_request_new")
    user = User.objects.get(email="maija.manager@example.fi")
    assert user.role == User.Role.CLIENT_MANAGER and user.language == "sv"
    assert user.client_membership.company == kamppi.company
    assert list(user.client_membership.sites.all()) == [kamppi]
    assert client.get(reverse("client_requests")).status_code == 200
    # Single use.
    client.logout()
    assert client.get(path).status_code == 404


def test_a_bad_link_answers_404(client):
    assert client.get(reverse("client_join", args=["not-a-token"])).status_code == 404


def test_a_candidate_invitation_link_does_not_open_the_client_join(client):
    from candidates.services.signup import invitation_create

    invitation = invitation_create(
        by=f.RecruiterFactory(),
        email="c@example.fi",
        first_name="C",
        last_name="D",
        base_url="http://testserver",
    )
    token = re.search(r"/me/join/([^/\s]+)/", OutboundEmail.objects.get().body).group(1)
    assert invitation.pk
    assert client.get(reverse("client_join", args=[token])).status_code == 404


def test_a_weak_password_is_refused_with_a_message(client, recruiter, two_sites):
    client.force_login(recruiter)
    _invite(client, two_sites[0].company, language="en")
    client.logout()
    path = _join_path(OutboundEmail.objects.get())
    response = client.post(path, {"first_name": "M", "last_name": "M", "password": "123"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="maija.manager@example.fi").exists()


def test_an_address_with_an_account_cannot_be_invited(client, recruiter, two_sites):
    f.CandidateUserFactory(email="maija.manager@example.fi")
    client.force_login(recruiter)
    response = _invite(client, two_sites[0].company)
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert not ClientInvitation.objects.exists()


def test_another_clients_site_cannot_be_given(client, recruiter, two_sites):
    other = f.SiteFactory()
    client.force_login(recruiter)
    response = _invite(client, two_sites[0].company, sites=[other.pk])
    assert response.status_code == 200
    assert not ClientInvitation.objects.exists()


def test_a_company_has_several_contacts_each_with_their_sites(client, recruiter, two_sites):
    kamppi, itis = two_sites
    first = f.ClientManagerFactory(company=kamppi.company)
    second = f.ClientManagerFactory(company=kamppi.company)
    client.force_login(recruiter)
    membership = second.client_membership
    client.post(
        reverse("agency_contact_edit", args=[membership.pk]),
        {"sites": [itis.pk], "phone": " +358401112222 "},
    )
    assert list(membership.sites.all()) == [itis]
    membership.refresh_from_db()
    assert membership.phone == "+358401112222"
    assert list(first.client_membership.sites.all()) == []
    page = client.get(reverse("agency_client_detail", args=[kamppi.company_id])).content.decode()
    assert first.email in page and second.email in page


def test_a_manager_tied_to_a_site_sees_and_orders_only_for_it(client, two_sites):
    kamppi, itis = two_sites
    at_kamppi = f.StaffingRequestFactory(service_profile=f.ServiceProfileFactory(site=kamppi))
    at_itis = f.StaffingRequestFactory(service_profile=f.ServiceProfileFactory(site=itis))
    placement = f.PlacementFactory(shift=f.ShiftFactory(request=at_itis))
    manager = f.ClientManagerFactory(company=kamppi.company)
    manager.client_membership.sites.set([kamppi])
    client.force_login(manager)

    listed = client.get(reverse("client_requests"), {"show": "all"}).context["requests"]
    assert [r.pk for r in listed] == [at_kamppi.pk]
    assert client.get(reverse("client_request_detail", args=[at_itis.pk])).status_code == 404
    assert client.get(reverse("client_feedback", args=[placement.pk])).status_code == 404
    form = client.get(reverse("client_request_new")).context["form"]
    assert list(form.fields["site"].queryset) == [kamppi]
    assert {p.site_id for p in form.fields["service_profile"].queryset} == {kamppi.pk}
    # A manager of the whole company sees both.
    everyone = f.ClientManagerFactory(company=kamppi.company)
    client.force_login(everyone)
    listed = client.get(reverse("client_requests"), {"show": "all"}).context["requests"]
    assert {r.pk for r in listed} == {at_kamppi.pk, at_itis.pk}


def test_a_manager_of_another_client_sees_nothing_of_this_one(client, two_sites):
    kamppi, _itis = two_sites
    req = f.StaffingRequestFactory(service_profile=f.ServiceProfileFactory(site=kamppi))
    client.force_login(f.ClientManagerFactory())
    assert client.get(reverse("client_request_detail", args=[req.pk])).status_code == 404


def test_deactivating_a_contact_ends_their_sessions_at_once(client, recruiter, two_sites):
    manager = f.ClientManagerFactory(company=two_sites[0].company)
    membership = manager.client_membership
    manager_client = client.__class__()
    manager_client.force_login(manager)
    assert manager_client.get(reverse("client_requests")).status_code == 200

    client.force_login(recruiter)
    url = reverse("agency_contact_deactivate", args=[membership.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    manager.refresh_from_db()
    assert not manager.is_active and manager.sessions_ended_at is not None
    response = manager_client.get(reverse("client_requests"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not manager_client.login(email=manager.email, password=f.PASSWORD)

    client.post(reverse("agency_contact_activate", args=[membership.pk]))
    manager.refresh_from_db()
    assert manager.is_active
    assert ClientMembership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("name", ["agency_contact_deactivate", "agency_contact_activate"])
def test_only_the_agency_may_deactivate(client, name, two_sites):
    manager = f.ClientManagerFactory(company=two_sites[0].company)
    for user in (manager, f.CandidateUserFactory()):
        client.force_login(user)
        assert client.post(reverse(name, args=[manager.client_membership.pk])).status_code == 403
    manager.refresh_from_db()
    assert manager.is_active
    client.logout()
    response = client.post(reverse(name, args=[manager.client_membership.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_a_manager_tied_to_a_site_reaches_only_people_placed_there(two_sites):
    from candidates.permissions import candidates_for_user

    kamppi, itis = two_sites
    here = f.PlacementFactory(
        shift=f.ShiftFactory(
            request=f.StaffingRequestFactory(service_profile=f.ServiceProfileFactory(site=kamppi))
        )
    )
    there = f.PlacementFactory(
        shift=f.ShiftFactory(
            request=f.StaffingRequestFactory(service_profile=f.ServiceProfileFactory(site=itis))
        )
    )
    manager = f.ClientManagerFactory(company=kamppi.company)
    assert set(candidates_for_user(manager)) == {here.candidate, there.candidate}
    manager.client_membership.sites.set([kamppi])
    assert list(candidates_for_user(manager)) == [here.candidate]
