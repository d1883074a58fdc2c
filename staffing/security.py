"""Request-level defences (issue 16, docs/security.md): every request passes through these.

- `RequestSanityMiddleware`: a NUL byte anywhere in the path or parameters, or a body in a
  charset other than UTF-8, answers 400 before any view (or PostgreSQL) sees it.
- `SessionLifetimeMiddleware`: staff sessions end after 30 idle minutes and 12 hours at most,
  everyone else's after 14 idle days; a session older than the user's `sessions_ended_at`
  ("log out everywhere", a role or company change) ends at its next request.
- `StaffMFARequiredMiddleware`: a recruiter, agency admin or admin-site user without a second
  factor may open only the pages that enrol one, and log out.
- `PersonalPageHeadersMiddleware`: `Cache-Control: no-store` on every logged-in page, and the
  Permissions-Policy header on all.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from staffing.errors import DATABASE_DOWN, database_unavailable_response
from staffing.models import User

ACCEPTED_CHARSETS = {"utf-8", "utf8"}
LOGIN_AT = "security.login_at"
SEEN_AT = "security.seen_at"
# A session's "last seen" time is written at most this often (not on every request).
SEEN_WRITE_SECONDS = 60


def bad_request(request: HttpRequest) -> HttpResponse:
    """The friendly 400 page; it touches neither the database nor the session."""
    return HttpResponse(render_to_string("400.html"), status=400)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    for params in (request.GET, request.POST):
        for key, values in params.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


class RequestSanityMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        charset = request.content_params.get("charset") if request.content_params else None
        if charset is not None and charset.strip().lower() not in ACCEPTED_CHARSETS:
            return bad_request(request)
        try:
            if _has_nul(request):
                return bad_request(request)
        except (UnicodeDecodeError, ValueError):
            # A body the parser cannot read (a broken multipart boundary, bad bytes).
            return bad_request(request)
        return self.get_response(request)


class _UserMiddleware(abc.ABC):
    """A middleware that reads the logged-in user: while the database is away it answers the
    friendly 503 page itself (DatabaseUnavailableMiddleware sees only the views' errors)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.handle(request)
        except DATABASE_DOWN:
            return database_unavailable_response(request)

    @abc.abstractmethod
    def handle(self, request: HttpRequest) -> HttpResponse:
        """The middleware's own work; the user may be read from the database here."""


def is_staff_user(user) -> bool:
    """Recruiters, agency admins and anyone who may open the admin site: MFA and short sessions."""
    return bool(
        user.is_authenticated
        and (getattr(user, "role", None) in (User.Role.RECRUITER, User.Role.ADMIN) or user.is_staff)
    )


def session_expired(*, user, session, now: float) -> bool:
    """True when this logged-in session has outlived its idle or absolute limit, or was ended
    everywhere after it began."""
    login_at = session.get(LOGIN_AT, now)
    seen_at = session.get(SEEN_AT, now)
    ended_at = getattr(user, "sessions_ended_at", None)
    if ended_at is not None and login_at < ended_at.timestamp():
        return True
    if is_staff_user(user):
        return (
            now - seen_at > settings.STAFF_SESSION_IDLE_SECONDS
            or now - login_at > settings.STAFF_SESSION_MAX_SECONDS
        )
    return now - seen_at > settings.SESSION_IDLE_SECONDS


class SessionLifetimeMiddleware(_UserMiddleware):
    def handle(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            if session_expired(user=user, session=session, now=now):
                logout(request)
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('account_login')}?{query}")
            if LOGIN_AT not in session:
                session[LOGIN_AT] = now
            if now - session.get(SEEN_AT, 0) > SEEN_WRITE_SECONDS:
                session[SEEN_AT] = now
                idle = (
                    settings.STAFF_SESSION_IDLE_SECONDS
                    if is_staff_user(user)
                    else settings.SESSION_IDLE_SECONDS
                )
                session.set_expiry(idle)
        return self.get_response(request)


def session_start(*, session) -> None:
    """Mark a session as freshly logged in (on `user_logged_in`)."""
    now = time.time()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


# What a staff user without a second factor may still open: the pages that enrol one (and
# re-authenticate first when asked to), logging out, and the language switch.
MFA_ENROLMENT_PREFIXES = ("/accounts/2fa/", "/accounts/reauthenticate/", "/i18n/")
MFA_ENROLMENT_URL_NAMES = ("account_logout",)


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=(Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
    ).exists()


class StaffMFARequiredMiddleware(_UserMiddleware):
    def handle(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and is_staff_user(user)
            and not self._allowed(request)
            and not has_second_factor(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        path = request.path_info
        if path.startswith(MFA_ENROLMENT_PREFIXES) or path.startswith(settings.STATIC_URL):
            return True
        return path in {reverse(name) for name in MFA_ENROLMENT_URL_NAMES}


class PersonalPageHeadersMiddleware(_UserMiddleware):
    def handle(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Personal data must not stay in a shared computer's cache or a proxy.
            response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def local_path(request: HttpRequest, target: str) -> str | None:
    """`target` when it is a path on this site (never another site, never a URL name)."""
    if not target.startswith("/") or target.startswith("//"):
        return None
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else None


def local_redirect(request: HttpRequest, target: str, fallback: str) -> HttpResponseRedirect:
    """Redirect to `target` when it is a local path, else to the URL named `fallback`."""
    return HttpResponseRedirect(local_path(request, target) or reverse(fallback))
