"""A logged-in person's chosen language is remembered on their account (`User.language`).

Choosing FI / SV / EN in the language switch stores the choice, so that the emails queued for
them (staffing/base/outbox.py renders in `User.language`) are in the language they read the site
in; and a browser that has no language cookie yet (a new phone, a cleared browser) gets the
account's language instead of the browser's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation

from staffing.base.models import User


def _known(code: str | None) -> str | None:
    codes = {c for c, _name in settings.LANGUAGES}
    return code if code in codes else None


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        from_account = None
        if signed_in and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            from_account = _known(user.language)
            if from_account and from_account != getattr(request, "LANGUAGE_CODE", None):
                translation.activate(from_account)
                request.LANGUAGE_CODE = from_account
        response = self.get_response(request)
        if not signed_in:
            return response
        if request.method == "POST" and request.path_info == reverse("set_language"):
            chosen = _known(request.POST.get("language"))
            if chosen and response.status_code in (302, 204) and chosen != user.language:
                User.objects.filter(pk=user.pk).update(language=chosen)
                user.language = chosen
        elif from_account and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                from_account,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        return response
