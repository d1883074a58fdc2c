"""Joining a client company by a recruiter's invitation (anonymous: the signed link is the
credential), in the language the invitation was written in."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clients.agency_forms import ClientJoinForm
from staffing.base.access import public
from staffing.services.clients.contacts import (
    contact_invitation_accept,
    contact_invitation_from_token,
    contact_invitation_language,
)


@public
def client_join(request: HttpRequest, token: str) -> HttpResponse:
    language = contact_invitation_language(token=token) or get_language()
    with translation.override(language):
        response = _join(request, token, language)
    response.headers.setdefault("Content-Language", language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


def _join(request: HttpRequest, token: str, language: str) -> HttpResponse:
    invitation = contact_invitation_from_token(token=token)
    if invitation is None:
        return render(request, "candidates/token_done.html", {"ok": False}, status=404)
    initial = {"first_name": invitation.first_name, "last_name": invitation.last_name}
    form = ClientJoinForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user = contact_invitation_accept(
            invitation=invitation,
            password=form.cleaned_data["password"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            language=language,
        )
        if user is None:
            return render(request, "candidates/token_done.html", {"ok": False}, status=404)
        get_adapter(request).login(request, user)
        messages.success(request, _("Welcome! You can order staff now."))
        return redirect("client_request_new")
    context = {"form": form, "email": invitation.email, "company": invitation.company}
    return render(request, "clients/join.html", context)
