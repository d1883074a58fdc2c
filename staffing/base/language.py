"""A logged-in person's chosen language is remembered on their account (`User.language`).

Choosing FI / SV / EN in the language switch stores the choice, so that the emails queued for
them (staffing/base/outbox.py renders in `User.language`) are in the language they read the site
in. (The pages follow the language cookie the switch sets, or else the browser's language.)
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


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
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
