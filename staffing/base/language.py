"""A logged-in person's chosen language is remembered on their account (`User.language`).

Choosing FI / SV / EN in the language switch stores the choice, so that the emails queued for
them (staffing/base/outbox.py renders in `User.language`) are in the language they read the site
in. (The pages follow the language cookie the switch sets, or else the browser's language.)

The other way round, logging in on a device that has no language cookie yet (a phone opening
the link in an offer email) sets the cookie to the account's language, so the pages after the
login read like the emails do. A cookie already there (chosen on this device) is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from staffing.base.models import User


def _known(code: str | None) -> str | None:
    codes = {c for c, _name in settings.LANGUAGES}
    return code if code in codes else None


# Set on the request by the login signal: the language of the account that just logged in.
LOGIN_LANGUAGE_ATTR = "_account_language_at_login"


def on_user_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs) -> None:
    """Remember the account's language for the middleware to answer the login with."""
    if request is not None:
        setattr(request, LOGIN_LANGUAGE_ATTR, _known(user.language))


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        account_language = getattr(request, LOGIN_LANGUAGE_ATTR, None)
        if account_language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                account_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        # The user is read only on the language switch itself: reading it on every request
        # would raise a database outage here, outside the error middleware's reach.
        if request.method != "POST" or request.path_info != reverse("set_language"):
            return response
        user: Any = getattr(request, "user", None)
        if user is not None and user.is_authenticated and response.status_code in (302, 204):
            chosen = _known(request.POST.get("language"))
            if chosen and chosen != user.language:
                User.objects.filter(pk=user.pk).update(language=chosen)
                user.language = chosen
        return response
