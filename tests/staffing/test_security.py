"""Issue 16: MFA for staff, no brute force, no enumeration, session lifetimes, headers, input."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from candidates.models import WorkExperience
from clients.models import ClientMembership
from staffing.models import AuditEvent, User
from staffing.request_params import choice_param, int_param, text_param
from tests import factories as f

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _login(client, email: str, password: str = f.PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _unique_email(prefix: str) -> str:
    # allauth's rate limits live in the (shared, persistent) Redis cache: keys never repeat.
    return f"{prefix}-{secrets.token_hex(4)}@example.fi"


# --- MFA ------------------------------------------------------------------------------------


def test_a_recruiter_without_a_second_factor_may_only_enrol_or_log_out(client):
    client.force_login(f.RecruiterFactory(second_factor=False))
    response = client.get(reverse("recruiter_board"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_client_managers_and_candidates_are_offered_mfa_not_forced(client):
    client.force_login(f.ClientManagerFactory())
    assert client.get(reverse("client_requests")).status_code == 200
    page = client.get(reverse("account_security"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("mfa_index") in page and "Log out everywhere" in page


def test_a_recruiter_cannot_log_in_with_the_password_alone(client, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    recruiter = f.RecruiterFactory(email=_unique_email("rekry"))
    response = _login(client, recruiter.email)
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("recruiter_board")).url.startswith(reverse("account_login"))
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="mfa.failed", target_id=recruiter.pk).exists()
    client.post(reverse("mfa_authenticate"), {"code": f.totp_code()})
    assert client.get(reverse("recruiter_board")).status_code == 200
    assert AuditEvent.objects.filter(action="account.login", actor=recruiter).exists()


# --- The admin site ---------------------------------------------------------------------------


def test_the_admin_site_logs_in_through_allauth(client):
    response = client.get(reverse("admin:index"), follow=False)
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.url.startswith(reverse("account_login"))
    assert "next=%2Fadmin%2F" in response.url
    response = client.get(reverse("admin:login"), {"next": "https://evil.example/"})
    assert response.url == f"{reverse('account_login')}?next=%2Fadmin%2F"


def test_the_admin_login_cannot_be_brute_forced_nor_an_office_locked_out(client):
    admin = f.UserFactory(email=_unique_email("admin"), role=User.Role.ADMIN, is_staff=True)
    answers = [_login(client, admin.email, f"wrong-password-{i}") for i in range(12)]
    assert all(a.status_code == 200 for a in answers)
    # After 5 failures the right password is refused too, for a while.
    response = _login(client, admin.email)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="account.login_failed", target_id=admin.pk).count() == 5
    assert AuditEvent.objects.filter(action="account.login_rate_limited").exists()
    # Someone else behind the same address still logs in.
    other = f.ClientManagerFactory(email=_unique_email("office"))
    assert _login(client, other.email).status_code == 302


def test_admin_changes_are_audited_and_a_role_change_ends_sessions(client):
    admin = f.UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    person = f.ClientManagerFactory()
    theirs = type(client)()
    theirs.force_login(person)
    assert theirs.get(reverse("client_requests")).status_code == 200
    client.force_login(admin)
    url = reverse("admin:staffing_user_change", args=[person.pk])
    data = {
        "email": person.email,
        "role": User.Role.CANDIDATE,
        "language": "fi",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="admin.changed")
    assert event.actor == admin and event.data["object_id"] == str(person.pk)
    assert theirs.get(reverse("client_requests")).url.startswith(reverse("account_login"))


def test_a_company_change_ends_the_managers_sessions(client):
    manager = f.ClientManagerFactory()
    client.force_login(manager)
    ClientMembership.objects.filter(user=manager).delete()
    assert client.get(reverse("home")).url.startswith(reverse("account_login"))


# --- No enumeration, password policy -----------------------------------------------------------


def _signup(client, email: str, password: str = "a-long-pass-phrase-42"):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "first_name": "Sanna",
            "last_name": "Testi",
            "password1": password,
            "password2": password,
            "notice_read": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_signup_answers_the_same_whether_or_not_the_email_has_an_account(client, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    existing = f.CandidateUserFactory()
    new = _signup(client, _unique_email("new"))
    again = _signup(type(client)(), existing.email)
    assert new.status_code == again.status_code == 302 and new.url == again.url
    assert len(mail.outbox) == 2  # a confirmation, and a "you already have an account"


def test_password_reset_answers_the_same_for_unknown_addresses(client, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    known = client.post(reverse("account_reset_password"), {"email": f.UserFactory().email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.fi"})
    assert known.status_code == unknown.status_code == 302 and known.url == unknown.url


@pytest.mark.parametrize("password", ["short-pw-11", "password1234", "sanna.testi@example"])
def test_passwords_need_12_characters_and_not_common_or_like_the_name(client, settings, password):
    settings.ACCOUNT_RATE_LIMITS = False
    response = _signup(client, "sanna.testi@example.fi", password)
    assert response.status_code == 200 and not User.objects.filter(email__startswith="sanna")


# --- Sessions -------------------------------------------------------------------------------


def _age_session(client, **ago: float) -> None:
    session = client.session
    for key, seconds in ago.items():
        session[f"security.{key}"] = time.time() - seconds
    session.save()


@pytest.mark.parametrize(
    ("factory", "ago", "still_in"),
    [
        (f.RecruiterFactory, {"seen_at": 29 * 60}, True),
        (f.RecruiterFactory, {"seen_at": 31 * 60}, False),
        (f.RecruiterFactory, {"login_at": 12 * 3600 + 60}, False),
        (f.CandidateUserFactory, {"seen_at": 13 * 86400, "login_at": 30 * 86400}, True),
        (f.CandidateUserFactory, {"seen_at": 15 * 86400}, False),
    ],
)
def test_sessions_end_when_idle_or_too_old(client, factory, ago, still_in):
    client.force_login(factory())
    _age_session(client, **ago)
    response = client.get(reverse("home"))
    assert response.url.startswith(reverse("account_login")) != still_in


def test_log_out_everywhere_ends_every_session_of_the_person(client):
    user = f.CandidateUserFactory()
    laptop, phone = client, type(client)()
    laptop.force_login(user)
    phone.force_login(user)
    assert laptop.post(reverse("account_sessions_end")).url == reverse("account_login")
    assert phone.get(reverse("home")).url.startswith(reverse("account_login"))
    assert AuditEvent.objects.filter(action="account.sessions_ended", target_id=user.pk).exists()
    phone.force_login(user)  # a new login works
    assert phone.get(reverse("home")).status_code == 302
    assert not phone.get(reverse("home")).url.startswith(reverse("account_login"))


# --- Headers --------------------------------------------------------------------------------


def test_pages_send_a_strict_csp_permissions_policy_and_no_store(client):
    client.force_login(f.RecruiterFactory())
    response = client.get(reverse("recruiter_board"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "<script>" not in body and " onchange=" not in body and " style=" not in body


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "staff.example.fi",
        "HTTPS": "true",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- Input ----------------------------------------------------------------------------------


def test_nul_bytes_and_foreign_charsets_answer_400(client):
    client.force_login(f.RecruiterFactory())
    assert client.get("/agency/requests/", {"q": "ab\x00cd"}).status_code == 400
    assert client.get("/agency/requests/?company=1%00").status_code == 400
    response = client.post(
        reverse("recruiter_board"),
        "status=open",
        content_type="application/x-www-form-urlencoded; charset=utf-7",
    )
    assert response.status_code == 400
    assert client.get("/agency/requests/", {"company": "²"}).status_code == 200


def test_availability_confirm_next_is_only_a_local_path(client):
    client.force_login(f.CandidateUserFactory())
    url = reverse("candidate_availability_confirm")
    assert client.post(url, {"next": "candidate_profile"}).url == reverse("candidate_home")
    assert client.post(url, {"next": "https://evil.example/"}).url == reverse("candidate_home")
    assert client.post(url, {"next": "//evil.example/"}).url == reverse("candidate_home")
    assert client.post(url, {"next": "/me/profile/"}).url == "/me/profile/"


def test_another_candidates_experience_answers_404(client):
    other = f.CandidateUserFactory().candidate
    experience = WorkExperience.objects.create(
        candidate=other, employer="Kauppa Oy", title="Myyjä", started=dt.date(2020, 1, 1)
    )
    client.force_login(f.CandidateUserFactory())
    url = reverse("candidate_experience_remove", args=[experience.pk])
    assert client.post(url).status_code == 404
    assert WorkExperience.objects.filter(pk=experience.pk).exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("²", None), ("١٢", None), ("-1", None), ("1" * 19, None), ("", None)],
)
def test_int_param_reads_only_plain_ids(raw, expected):
    assert int_param({"id": raw}, "id") == expected


def test_choice_and_text_params():
    assert choice_param({"s": "x"}, "s", ("a", "b"), "a") == "a"
    assert choice_param({"s": "b"}, "s", ("a", "b"), "a") == "b"
    assert text_param({"t": " a\x00b "}, "t") == "ab"
    assert text_param({}, "t") == "" and len(text_param({"t": "x" * 5000}, "t")) == 1000


def test_staff_users_made_by_the_factories_have_a_second_factor():
    assert Authenticator.objects.filter(user=f.RecruiterFactory()).exists()


def test_erasure_scrubs_the_email_from_failed_logins(client):
    from staffing.services.personal_data.erasure import candidate_erase

    user = f.CandidateUserFactory(email=_unique_email("poistuva"))
    _login(client, user.email, "wrong-password-1")
    event = AuditEvent.objects.get(action="account.login_failed", target_id=user.pk)
    candidate_erase(candidate=user.candidate, by=user)
    event.refresh_from_db()
    assert event.data == {}
