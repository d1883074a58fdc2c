"""Client manager pages: order staff, follow requests live."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clients.forms import LanguageFormSet, ShiftFormSet, StaffingRequestForm
from staffing.permissions import (
    CLIENT_MANAGERS,
    company_for_user,
    request_for_user,
    requests_for_user,
    role_required,
)
from staffing.presenters import request_progress
from staffing.services.requests import LanguageNeed, staffing_request_submit


@role_required(*CLIENT_MANAGERS)
def request_list(request: HttpRequest) -> HttpResponse:
    requests = (
        requests_for_user(request.user)
        .select_related("site", "service_profile")
        .prefetch_related("shifts")
        .order_by("-created_at")
    )
    return render(request, "clients/request_list.html", {"requests": requests[:100]})


def _initial_for(company) -> tuple[dict, list[dict], list[dict]]:
    """Defaults from the company's first site and service profile: tomorrow evening."""
    profile = company.service_profiles.filter(is_active=True).select_related("site").first()
    form_initial: dict = {}
    languages: list[dict] = []
    if profile is not None:
        form_initial = {
            "site": profile.site_id,
            "service_profile": profile.pk,
            "required_skills": list(profile.valued_skills.values_list("pk", flat=True)),
        }
        languages = [{"language": pl.language, "level": pl.level} for pl in profile.languages.all()]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    shifts = [{"date": tomorrow, "start": dt.time(16), "end": dt.time(21)}]
    return form_initial, shifts, languages


@role_required(*CLIENT_MANAGERS)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    company = company_for_user(request.user)
    form_initial, shift_initial, language_initial = _initial_for(company)
    data = request.POST if request.method == "POST" else None
    form = StaffingRequestForm(data, company=company, initial=form_initial)
    # A bound formset must not get initial data: rows equal to it would count as unchanged and
    # be dropped as empty.
    shifts = ShiftFormSet(data, prefix="shifts", initial=None if data else shift_initial)
    languages = LanguageFormSet(
        data, prefix="languages", initial=None if data else language_initial
    )
    if data is not None and form.is_valid() and shifts.is_valid() and languages.is_valid():
        staffing_request = staffing_request_submit(
            by=request.user,
            site=form.cleaned_data["site"],
            service_profile=form.cleaned_data["service_profile"],
            urgency=form.cleaned_data["urgency"],
            headcount=form.cleaned_data["headcount"],
            shifts=shifts.periods,
            languages=[LanguageNeed(*need) for need in languages.needs],
            required_skills=form.cleaned_data["required_skills"],
            preferred_skills=form.cleaned_data["preferred_skills"],
            notes=form.cleaned_data["notes"],
        )
        messages.success(request, _("Request received. We are finding people now."))
        return redirect("client_request_detail", pk=staffing_request.pk)
    if data is not None:
        messages.error(request, _("Please check the highlighted fields."))
    return render(
        request,
        "clients/request_form.html",
        {"form": form, "shifts": shifts, "languages": languages},
    )


@role_required(*CLIENT_MANAGERS)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staffing_request = request_for_user(request.user, pk)
    context = {"req": staffing_request, "progress": request_progress(staffing_request)}
    return render(request, "clients/request_detail.html", context)


@role_required(*CLIENT_MANAGERS)
def request_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of the request page, polled by htmx until the request is final."""
    staffing_request = request_for_user(request.user, pk)
    context = {"req": staffing_request, "progress": request_progress(staffing_request)}
    return render(request, "clients/_request_status.html", context)
