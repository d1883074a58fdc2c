"""Client manager pages: order staff (or repeat an order), follow requests live, meet the people,
decline or cancel, and give feedback after the shift."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from candidates.models import Candidate
from clients.forms import (
    CancelForm,
    DeclineForm,
    LanguageFormSet,
    NoShowForm,
    RatingForm,
    ShiftFormSet,
    StaffingRequestForm,
    order_errors,
    order_extras_summary,
)
from clients.models import CandidateMark
from staffing.base.access import CLIENT_MANAGERS, role_required
from staffing.models import ServiceRating, Shift, Shortlist, StaffingRequest
from staffing.permissions import (
    company_for_user,
    placement_for_user,
    request_for_user,
    requests_for_user,
    sites_for_user,
)
from staffing.presenters import (
    UNREAD,
    PresentedPerson,
    Unread,
    presented_people,
    request_progress,
    request_timeline,
    shown_shifts_prefetch,
    shown_shortlist,
)
from staffing.request_params import choice_param, int_param
from staffing.services.disclosure import candidate_views_record
from staffing.services.estimates import fill_estimate
from staffing.services.feedback import candidate_mark_set, presented_decline, service_rating_give
from staffing.services.placements import placement_no_show_report
from staffing.services.requests import LanguageNeed, staffing_request_submit_once
from staffing.services.requests.cancel import request_cancel, shift_cancel

LIST_FILTERS = ("open", "filled", "past", "all")


def _filtered(requests: QuerySet[StaffingRequest], show: str) -> QuerySet[StaffingRequest]:
    now = timezone.now()
    if show == "open":
        return requests.open()
    if show == "filled":
        return requests.filter(status=StaffingRequest.Status.FILLED, shifts__ends_at__gt=now)
    if show == "past":
        return requests.exclude(shifts__ends_at__gt=now)
    return requests


@role_required(*CLIENT_MANAGERS)
def request_list(request: HttpRequest) -> HttpResponse:
    show = choice_param(request.GET, "show", LIST_FILTERS, "open")
    requests = (
        _filtered(requests_for_user(request.user), show)
        .select_related("site", "service_profile")
        .prefetch_related("shifts")
        .distinct()
        .order_by("-created_at")
    )
    page = min(max(int_param(request.GET, "page") or 1, 1), 10_000)
    start = (page - 1) * LIST_PAGE_ROWS
    # One row more than shown says whether there is a next page, without counting them all.
    rows = list(requests[start : start + LIST_PAGE_ROWS + 1])
    context = {
        "requests": rows[:LIST_PAGE_ROWS],
        "show": show,
        "filters": _list_filter_labels(),
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if len(rows) > LIST_PAGE_ROWS else None,
    }
    return render(request, "clients/request_list.html", context)


# Requests a page of the client's list (100 at once cost 40-120 ms a view under load).
LIST_PAGE_ROWS = 25


def _list_filter_labels() -> list[tuple[str, str]]:
    return [("open", _("Open")), ("filled", _("Filled")), ("past", _("Past")), ("all", _("All"))]


def _profile_initial(profile) -> tuple[dict, list[dict]]:
    form_initial = {
        "service_profile": profile.pk,
        "required_skills": list(profile.valued_skills.values_list("pk", flat=True)),
    }
    languages = [{"language": pl.language, "level": pl.level} for pl in profile.languages.all()]
    return form_initial, languages


def _repeat_initial(previous: StaffingRequest) -> tuple[dict, list[dict], list[dict]]:
    """Everything of a previous request but the dates: the client picks the new days."""
    form_initial = {
        "service_profile": previous.service_profile_id,
        "urgency": previous.urgency,
        "headcount": previous.headcount,
        "required_skills": list(previous.required_skills.values_list("pk", flat=True)),
        "preferred_skills": list(previous.preferred_skills.values_list("pk", flat=True)),
        "notes": previous.notes,
    }
    shifts = [
        {
            "start": timezone.localtime(s.starts_at).time(),
            "end": timezone.localtime(s.ends_at).time(),
        }
        for s in previous.shifts.all()
    ]
    languages = [
        {"language": rl.language, "level": rl.level, "reason": rl.reason}
        for rl in previous.languages.all()
    ]
    return form_initial, shifts, languages


def _initial_for(request: HttpRequest, company) -> tuple[dict, list[dict], list[dict]]:
    """Defaults: a repeated request, else the chosen (or first) service profile, tomorrow
    evening."""
    if (repeat := int_param(request.GET, "repeat")) is not None:
        return _repeat_initial(request_for_user(request.user, repeat))
    profiles = company.service_profiles.filter(
        is_active=True, site__in=sites_for_user(request.user)
    ).select_related("site")
    chosen = int_param(request.GET, "service_profile")
    profile = profiles.filter(pk=chosen).first() if chosen is not None else None
    profile = profile or profiles.first()
    form_initial, languages = _profile_initial(profile) if profile else ({}, [])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    shifts = [{"date": tomorrow, "start": dt.time(16), "end": dt.time(21)}]
    return form_initial, shifts, languages


def _site_scoped(form: StaffingRequestForm, request: HttpRequest) -> StaffingRequestForm:
    """A manager tied to some sites orders only for those (and their service profiles)."""
    sites = sites_for_user(request.user)
    form.fields["site"].queryset = sites
    profiles = form.fields["service_profile"].queryset
    form.fields["service_profile"].queryset = profiles.filter(site__in=sites)
    return form


def _order_forms(request: HttpRequest, data, company):
    # A submitted form is what was sent: no defaults to look up.
    form_initial, shift_initial, language_initial = (
        _initial_for(request, company) if data is None else ({}, [], [])
    )
    form = _site_scoped(StaffingRequestForm(data, company=company, initial=form_initial), request)
    # A bound formset must not get initial data: rows equal to it would count as unchanged and
    # be dropped as empty.
    shifts = ShiftFormSet(data, prefix="shifts", initial=None if data else shift_initial)
    languages = LanguageFormSet(
        data, prefix="languages", initial=None if data else language_initial
    )
    return form, shifts, languages


@role_required(*CLIENT_MANAGERS)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    company = company_for_user(request.user)
    data = request.POST if request.method == "POST" else None
    form, shifts, languages = _order_forms(request, data, company)
    if data is not None and form.is_valid() and shifts.is_valid() and languages.is_valid():
        staffing_request, created = staffing_request_submit_once(
            by=request.user, **order_submit_kwargs(form=form, shifts=shifts, languages=languages)
        )
        if not created:
            messages.info(request, _("This order was already sent. Here is the request it made."))
        # No flash message: the request page says "received, we are looking" in its live
        # status, only for as long as that is true.
        return redirect("client_request_detail", pk=staffing_request.pk)
    context = {
        "form": form,
        "shifts": shifts,
        "languages": languages,
        "extras": order_extras_summary(form, languages),
        "errors": order_errors(form, shifts, languages) if data is not None else [],
        # Open "more" when something in it needs fixing, so no error is hidden.
        "extras_open": data is not None
        and (
            any(languages.errors)
            or bool(languages.non_form_errors())
            or any(name in form.errors for name in ("required_skills", "preferred_skills", "notes"))
        ),
    }
    return render(request, "clients/request_form.html", context)


@role_required(*CLIENT_MANAGERS)
def request_estimate(request: HttpRequest) -> HttpResponse:
    """How fast the order being typed would fill, from the form's current values (htmx)."""
    company = company_for_user(request.user)
    data = request.GET
    form = _site_scoped(StaffingRequestForm(data, company=company), request)
    shifts = ShiftFormSet(data, prefix="shifts")
    languages = LanguageFormSet(data, prefix="languages")
    estimate = None
    if form.is_valid() and shifts.is_valid() and languages.is_valid():
        estimate = fill_estimate(
            service_profile=form.cleaned_data["service_profile"],
            urgency=form.cleaned_data["urgency"],
            headcount=form.cleaned_data["headcount"],
            shifts=shifts.periods,
        )
    return render(request, "clients/_estimate.html", {"estimate": estimate})


def _detail_context(
    request: HttpRequest,
    staffing_request: StaffingRequest,
    *,
    shortlist: Shortlist | Unread | None = UNREAD,
    shifts: list[Shift] | None = None,
) -> dict:
    return {
        "req": staffing_request,
        "progress": request_progress(staffing_request, shortlist=shortlist, shifts=shifts),
        "timeline": request_timeline(staffing_request, for_client=True),
    }


def _people_context(
    request: HttpRequest,
    staffing_request: StaffingRequest,
    *,
    page_load: bool,
    shortlist: Shortlist | Unread | None = UNREAD,
    shifts: list[Shift] | None = None,
):
    people = presented_people(staffing_request, shortlist=shortlist)
    if people:  # every person shown is logged (nobody shown, nothing to log)
        candidate_views_record(
            viewer=request.user,
            staffing_request=staffing_request,
            people=people,
            page_load=page_load,
        )
    now = timezone.now()
    if shifts is None:
        shifts_over = not staffing_request.shifts.active().filter(ends_at__gt=now).exists()
    else:
        shifts_over = not any(s.ends_at > now for s in shifts if not hasattr(s, "cancellation"))
    return {
        "req": staffing_request,
        "people": people,
        "shifts_over": shifts_over,
        "now": timezone.now(),
        "live": not staffing_request.is_final and not shifts_over,
    }


@role_required(*CLIENT_MANAGERS)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staffing_request = request_for_user(request.user, pk)
    # The shifts, read once with their cancellations and placed counts, serve the summary, the
    # status and whether they are over; the shortlist once for the status and the people.
    prefetch_related_objects([staffing_request], shown_shifts_prefetch(), "required_skills")
    known = {
        "shortlist": shown_shortlist(staffing_request),
        "shifts": list(staffing_request.shifts.all()),
    }
    context = _detail_context(request, staffing_request, **known)
    context.update(_people_context(request, staffing_request, page_load=True, **known))
    return render(request, "clients/request_detail.html", context)


@role_required(*CLIENT_MANAGERS)
def request_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of the request page, polled by htmx until the request is final."""
    staffing_request = request_for_user(request.user, pk)
    shortlist = shown_shortlist(staffing_request)
    context = _detail_context(request, staffing_request, shortlist=shortlist)
    return render(request, "clients/_request_status.html", context)


@role_required(*CLIENT_MANAGERS)
def request_people(request: HttpRequest, pk: int) -> HttpResponse:
    """The people part of the request page, polled by htmx while the request is being staffed."""
    staffing_request = request_for_user(request.user, pk)
    shortlist = shown_shortlist(staffing_request)
    context = _people_context(request, staffing_request, page_load=False, shortlist=shortlist)
    return render(request, "clients/_people.html", context)


def _presented_person(staffing_request: StaffingRequest, candidate_id: int) -> PresentedPerson:
    """A person presented to this client on this request (404 for anyone else)."""
    for person in presented_people(staffing_request):
        if person.candidate_id == candidate_id:
            return person
    raise Http404


@role_required(*CLIENT_MANAGERS)
@require_http_methods(["GET", "POST"])
def person_decline(request: HttpRequest, pk: int, candidate_id: int) -> HttpResponse:
    """Decline a proposed person, or cancel a confirmed person's booking (the same service:
    the booking is cancelled, the person told, the place offered again). Not once the person's
    shift has started: that is a no-show to report, not a booking to cancel."""
    staffing_request = request_for_user(request.user, pk)
    person = _presented_person(staffing_request, candidate_id)
    too_late = person.placed and not person.booked_ahead
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and not too_late and form.is_valid():
        try:
            presented_decline(
                staffing_request=staffing_request,
                candidate=get_object_or_404(Candidate, pk=person.candidate_id),
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if person.placed:
                messages.success(
                    request,
                    _(
                        "Booking cancelled. %(name)s has been told; the agency offers the place "
                        "to the next person."
                    )
                    % {"name": person.first_name},
                )
            else:
                messages.success(
                    request, _("Declined. The agency offers the place to the next person.")
                )
            return redirect("client_request_detail", pk=staffing_request.pk)
    context = {
        "req": staffing_request,
        "person": person,
        "first_name": person.first_name,
        "too_late": too_late,
        "form": form,
    }
    return render(request, "clients/person_decline.html", context)


@role_required(*CLIENT_MANAGERS)
@require_http_methods(["GET", "POST"])
def request_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    staffing_request = request_for_user(request.user, pk)
    shifts = list(staffing_request.shifts.active())
    form = CancelForm(request.POST or None, shifts=shifts)
    if request.method == "POST" and form.is_valid():
        shift = next((s for s in shifts if s.pk == form.cleaned_data["shift"]), None)
        try:
            if shift is not None:
                shift_cancel(shift=shift, by=request.user, reason=form.cleaned_data["reason"])
            else:
                request_cancel(
                    staffing_request=staffing_request,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Cancelled. Anyone already booked is told by email."))
            return redirect("client_request_detail", pk=staffing_request.pk)
    context = {"req": staffing_request, "form": form}
    return render(request, "clients/request_cancel.html", context)


@role_required(*CLIENT_MANAGERS)
@require_http_methods(["GET", "POST"])
def placement_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """After the shift: rate the person's service, and mark a favourite or do-not-return."""
    placement = placement_for_user(request.user, pk)
    company = placement.request.company
    existing = ServiceRating.objects.filter(placement=placement).first()
    mark = CandidateMark.objects.filter(company=company, candidate=placement.candidate).first()
    initial = {"mark": mark.kind if mark else ""}
    if existing:
        initial.update(score=existing.score, comment=existing.comment)
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service_rating_give(
                placement=placement,
                by=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
            if form.cleaned_data["mark"] != initial["mark"]:
                candidate_mark_set(
                    company=company,
                    candidate=placement.candidate,
                    by=request.user,
                    kind=form.cleaned_data["mark"],
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. The rating helps us send the right people."))
            return redirect("client_request_detail", pk=placement.request_id)
    context = {"placement": placement, "form": form, "no_show_form": NoShowForm()}
    return render(request, "clients/placement_feedback.html", context)


@role_required(*CLIENT_MANAGERS)
@require_POST
def placement_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    placement = placement_for_user(request.user, pk)
    form = NoShowForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        placement_no_show_report(placement=placement, by=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("No-show reported. The agency is finding a replacement."))
    return redirect("client_request_detail", pk=placement.request_id)


def order_submit_kwargs(*, form: Any, shifts: Any, languages: Any) -> dict[str, Any]:
    """What the order form and its formsets say, as `staffing_request_submit` takes it (the
    client's own order and a recruiter's phone order for them)."""
    data = form.cleaned_data
    return {
        "site": data["site"],
        "service_profile": data["service_profile"],
        "urgency": data["urgency"],
        "headcount": data["headcount"],
        "shifts": shifts.periods,
        "languages": [LanguageNeed(*need) for need in languages.needs],
        "required_skills": data["required_skills"],
        "preferred_skills": data["preferred_skills"],
        "notes": data["notes"],
        "submission_key": data["submission_key"],
    }
