"""Joining by a recruiter's invitation (anonymous: the signed link is the credential)."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from candidates.forms import JoinForm
from candidates.services.signup import (
    invitation_accept,
    invitation_from_token,
    invitation_language,
)
from staffing.base.access import public


@public
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The page and the account are in the language the recruiter chose for the person, not
    the browser's; the language cookie keeps the pages after it in that language too."""
    language = invitation_language(token=token) or get_language()
    with translation.override(language):
        response = _join(request, token, language)
    response.headers.setdefault("Content-Language", language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


def _join(request: HttpRequest, token: str, language: str) -> HttpResponse:
    invitation = invitation_from_token(token=token)
    if invitation is None:
        return render(request, "candidates/token_done.html", {"ok": False}, status=404)
    initial = {
        "first_name": invitation.candidate.first_name,
        "last_name": invitation.candidate.last_name,
    }
    form = JoinForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = invitation_accept(
            invitation=invitation,
            password=data["password"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            purposes=data["purposes"],
            notice_version=data["notice_version"],
            language=language,
        )
        if user is None:
            return render(request, "candidates/token_done.html", {"ok": False}, status=404)
        get_adapter(request).login(request, user)
        messages.success(request, _("Welcome! Fill in your profile to start getting offers."))
        return redirect("candidate_home")
    context = {"form": form, "email": invitation.email}
    return render(request, "candidates/join.html", context)
