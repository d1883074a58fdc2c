"""Email login, logout, password reset and the language switch, as a user meets them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """allauth keeps its rate limits in the shared Redis cache; tests must not inherit them."""
    settings.ACCOUNT_RATE_LIMITS = False


def test_login_with_email_lands_on_the_role_home_and_logout_needs_post(client):
    manager = f.ClientManagerFactory()
    response = client.post(
        reverse("account_login"), {"login": manager.email, "password": f.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("client_requests")
    assert client.get(reverse("account_logout")).status_code == 200  # a confirmation page
    assert client.get(reverse("client_requests")).status_code == 200  # still logged in
    client.post(reverse("account_logout"))
    assert client.get(reverse("client_requests")).status_code == 302


def test_wrong_password_gets_a_clear_message_in_finnish(client):
    user = f.RecruiterFactory()
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert response.status_code == 200
    assert "ei ole oikein" in response.content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = f.RecruiterFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    client.post(action, {"password1": "a-new-Passw0rd!", "password2": "a-new-Passw0rd!"})
    user.refresh_from_db()
    assert user.check_password("a-new-Passw0rd!")


def test_language_switch_changes_the_page_language(client):
    client.force_login(f.RecruiterFactory())
    client.post(reverse("set_language"), {"language": "en", "next": "/agency/requests/"})
    assert "Requests board" in client.get(reverse("recruiter_board")).content.decode()
    client.post(reverse("set_language"), {"language": "fi", "next": "/agency/requests/"})
    assert "Tilaustaulu" in client.get(reverse("recruiter_board")).content.decode()
