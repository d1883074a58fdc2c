"""Joining (sign-up with a verified email, invitations), consents, reminders and retention."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate, CandidateActivity, Consent, Invitation
from candidates.services.consent import PRIVACY_NOTICE_VERSION
from candidates.services.reminders import availability_reminders_send
from staffing.models import User
from staffing.services.personal_data.retention_sweep import retention_sweep
from tests import factories as f
from tests.conftest import run_queued

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_self_signup_records_consents_and_waits_for_verified_email(client, settings):
    # allauth rate-limits confirmation mails per address in the (shared, persistent) Redis cache.
    settings.ACCOUNT_RATE_LIMITS = False
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.person@example.fi",
            "first_name": "Noora",
            "last_name": "Uusi",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
            "purposes": ["matching", "presentation"],
            "notice_read": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.fi")
    assert user.role == User.Role.CANDIDATE
    candidate = user.candidate
    assert candidate.status == Candidate.Status.INACTIVE and candidate.matching_consent
    consents = Consent.objects.filter(candidate=candidate)
    assert {c.purpose for c in consents} == {"matching", "presentation"}
    assert {c.version for c in consents} == {PRIVACY_NOTICE_VERSION}
    # Verification is mandatory: no login before the address is confirmed.
    assert client.get(reverse("candidate_home")).url.startswith(reverse("account_login"))

    confirm_url = _link(mail.outbox[-1]).replace("http://testserver", "")
    client.post(confirm_url)
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.ACTIVE
    client.post(
        reverse("account_login"),
        {"login": "new.person@example.fi", "password": "a-long-pass-phrase-42"},
    )
    assert client.get(reverse("candidate_home")).status_code == 200


def test_signup_needs_the_privacy_notice_read(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@example.fi",
            "first_name": "X",
            "last_name": "Y",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.fi").exists()


def test_invitation_link_is_single_use(client, django_capture_on_commit_callbacks, queued_tasks):
    client.force_login(f.RecruiterFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recruiter_candidate_invite"),
            {"email": "Invited@Example.fi", "first_name": "Iida", "last_name": "Kutsuttu"},
        )
    run_queued(queued_tasks)  # the worker sends it from the outbox
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.candidate.email == "invited@example.fi"
    url = _link(mail.outbox[-1]).replace("http://testserver", "")
    client.logout()
    assert "Iida" in client.get(url).content.decode()
    data = {
        "first_name": "Iida",
        "last_name": "Kutsuttu",
        "password": "a-long-pass-phrase-42",
        "purposes": ["matching"],
        "notice_read": "on",
    }
    assert client.post(url, data).url == reverse("candidate_home")
    candidate = Candidate.objects.get(pk=invitation.candidate_id)
    assert candidate.user.email == "invited@example.fi"
    assert candidate.status == Candidate.Status.ACTIVE and candidate.matching_consent
    client.logout()
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404


def test_withdrawing_matching_consent_leaves_the_pool_at_once(client):
    user = f.CandidateUserFactory()
    candidate = user.candidate
    Consent.objects.create(candidate=candidate, purpose="matching", version="x")
    before = candidate.updated_at
    client.force_login(user)
    client.post(reverse("candidate_consent", args=["matching"]))
    candidate.refresh_from_db()
    assert not candidate.matching_consent
    assert candidate.updated_at > before
    assert not Candidate.objects.matchable().filter(pk=candidate.pk).exists()
    assert Consent.objects.get().withdrawn_at is not None


def test_stale_availability_reminder_is_sent_once_per_period_and_confirms_by_link(client):
    user = f.CandidateUserFactory()
    candidate = user.candidate
    old = timezone.now() - dt.timedelta(days=30)
    Candidate.objects.filter(pk=candidate.pk).update(availability_confirmed_at=old)
    f.CandidateUserFactory()  # fresh: not reminded
    assert availability_reminders_send() == 1
    assert availability_reminders_send() == 0
    assert len(mail.outbox) == 1
    url = _link(mail.outbox[0]).replace("http://localhost:8000", "")
    assert client.get(url).status_code == 200
    candidate.refresh_from_db()
    assert candidate.availability_confirmed_at == old  # GET changes nothing
    client.post(url)
    candidate.refresh_from_db()
    assert candidate.availability_confirmed_at > old
    later = timezone.now() + dt.timedelta(days=40)
    assert availability_reminders_send(now=later) == 2  # both are stale by then


def test_retention_asks_then_erases_the_unanswered(client, settings):
    user = f.CandidateUserFactory()
    candidate = user.candidate
    long_ago = timezone.now() - dt.timedelta(days=settings.RETENTION_INACTIVE_DAYS + 1)
    CandidateActivity.objects.create(candidate=candidate, last_seen_at=long_ago)
    assert retention_sweep()["asked"] == 1
    assert retention_sweep()["asked"] == 0
    assert "/me/renew/" in mail.outbox[0].body  # in the person's own language
    later = timezone.now() + dt.timedelta(days=settings.RETENTION_RENEWAL_DAYS + 1)
    assert retention_sweep(now=later)["erased"] == 1
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.ERASED


def test_renewal_link_keeps_the_profile(client, settings):
    user = f.CandidateUserFactory()
    long_ago = timezone.now() - dt.timedelta(days=settings.RETENTION_INACTIVE_DAYS + 1)
    CandidateActivity.objects.create(candidate=user.candidate, last_seen_at=long_ago)
    retention_sweep()
    url = _link(mail.outbox[0]).replace("http://localhost:8000", "")
    client.post(url)
    later = timezone.now() + dt.timedelta(days=settings.RETENTION_RENEWAL_DAYS + 1)
    assert retention_sweep(now=later)["erased"] == 0


def test_account_emails_are_ours_and_in_the_persons_language(client, settings):
    """Verification at sign-up in the language of the sign-up page; the password reset later
    in the language stored for the person; never the framework's "Hello from <host>!"."""
    settings.ACCOUNT_RATE_LIMITS = False
    client.post(
        reverse("account_signup"),
        {
            "email": "kieli@example.fi",
            "first_name": "Kielo",
            "last_name": "Kielinen",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
            "notice_read": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    verification = mail.outbox[-1]
    assert User.objects.get(email="kieli@example.fi").language == "en"
    assert "Hello Kielo," in verification.body and "Hello from" not in verification.body
    assert verification.subject == "Service Staff Now: Confirm your email address"
    User.objects.filter(email="kieli@example.fi").update(language="fi")
    client.post(
        reverse("account_reset_password"), {"email": "kieli@example.fi"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    reset = mail.outbox[-1]
    assert reset.body.startswith("Hei Kielo,") and "testserver" not in reset.subject


def test_signup_consents_start_unticked_with_their_purpose(client):
    page = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('name="purposes"') == 3 and "checked" not in page.split("consent-choices")[1]
    assert "A computer program compares your profile" in page
    assert f'value="{PRIVACY_NOTICE_VERSION}"' in page


def test_a_person_without_consents_is_neither_matched_nor_shown_to_clients(client, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    client.post(
        reverse("account_signup"),
        {
            "email": "ei.suostumusta@example.fi",
            "first_name": "Eino",
            "last_name": "Eisuostu",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
            "notice_read": "on",
        },
    )
    candidate = User.objects.get(email="ei.suostumusta@example.fi").candidate
    assert not candidate.matching_consent and not candidate.presentation_consent
    assert not Consent.objects.filter(candidate=candidate).exists()
    Candidate.objects.filter(pk=candidate.pk).update(status=Candidate.Status.ACTIVE)
    assert not Candidate.objects.matchable().filter(pk=candidate.pk).exists()


def test_a_brand_new_person_is_not_asked_to_reconfirm_availability(client):
    user = f.CandidateUserFactory()
    Candidate.objects.filter(pk=user.candidate.pk).update(
        availability=0, availability_confirmed_at=None
    )
    client.force_login(user)
    assert 'id="stale-alert"' not in client.get(reverse("candidate_home")).content.decode()
    assert availability_reminders_send() == 0


def test_the_join_page_and_account_are_in_the_language_chosen_for_the_invitation(
    client, django_capture_on_commit_callbacks, queued_tasks
):
    client.force_login(f.RecruiterFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("recruiter_candidate_invite"),
            {
                "email": "kielo@example.fi",
                "first_name": "Kielo",
                "last_name": "K",
                "language": "fi",
            },
        )
    run_queued(queued_tasks)
    url = _link(mail.outbox[-1]).replace("http://testserver", "")
    client.logout()
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en"}
    page = client.get(url, **english_browser)
    assert page["Content-Language"] == "fi"
    assert '<html lang="fi"' in page.content.decode()
    data = {
        "first_name": "Kielo",
        "last_name": "K",
        "password": "a-long-pass-phrase-42",
        "purposes": ["matching"],
        "notice_read": "on",
    }
    assert client.post(url, data, **english_browser).status_code == 302
    assert User.objects.get(email="kielo@example.fi").language == "fi"


def test_the_retention_consent_names_the_period_of_the_setting(client, settings):
    settings.RETENTION_POOL_DAYS = 90
    page = client.get(reverse("account_signup")).content.decode()
    assert "If you do not log in for 90 days" in page
    assert "six months" not in page
