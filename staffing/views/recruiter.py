"""Recruiter pages: the live requests board and a request's page, where the shortlist is curated
and approved, people are found by search, and no-shows are recorded."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candidates.models import Skill
from candidates.permissions import candidates_for_user
from clients.models import ClientCompany
from staffing.base.access import RECRUITERS, role_required
from staffing.explanations import explanation_parts
from staffing.models import (
    Shift,
    Shortlist,
    ShortlistEdit,
    ShortlistEntry,
    StaffingRequest,
)
from staffing.permissions import (
    placement_for_user,
    request_for_user,
    requests_for_user,
    talent_pools_for_user,
)
from staffing.presenters import (
    candidate_languages,
    confirmed_on_every_shift,
    request_timeline,
    shortlist_rows,
    shown_shifts_prefetch,
    shown_shortlist,
)
from staffing.request_params import choice_param, int_param, text_param
from staffing.services.placements import placement_no_show_report
from staffing.services.shortlists import (
    candidate_search,
    shortlist_approve,
    shortlist_entry_add,
    shortlist_entry_move,
    shortlist_entry_remove,
)
from staffing.views.offers import offers_panel_context


def _status(request: HttpRequest) -> str:
    return choice_param(request.GET, "status", ["open", *StaffingRequest.Status.values], "open")


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _board_requests(request: HttpRequest) -> QuerySet[StaffingRequest]:
    qs = (
        requests_for_user(request.user)
        .select_related("company", "site", "service_profile")
        .prefetch_related(
            Prefetch(
                "shifts",
                queryset=Shift.objects.with_placed()
                .select_related("cancellation")
                .order_by("starts_at"),
            )
        )
    )
    status = _status(request)
    if status == "open":
        qs = qs.open()
    elif status in StaffingRequest.Status.values:
        qs = qs.filter(status=status)
    if text_param(request.GET, "company"):
        company_id = int_param(request.GET, "company")
        qs = qs.filter(company_id=company_id) if company_id is not None else qs.none()
    if day := _date(text_param(request.GET, "date", max_length=10)):
        qs = qs.filter(shifts__starts_at__date=day).distinct()
    return qs.board_order()


# The board shows this many requests a page (it is polled every second: 200 rows took 117 ms
# and 108 KB at each poll, docs/performance.md).
BOARD_PAGE_ROWS = 30


@role_required(*RECRUITERS)
def board(request: HttpRequest) -> HttpResponse:
    page = min(max(int_param(request.GET, "page") or 1, 1), 10_000)
    start = (page - 1) * BOARD_PAGE_ROWS
    # One row more than shown says whether there is a next page, without counting them all.
    rows = list(_board_requests(request)[start : start + BOARD_PAGE_ROWS + 1])
    for req in rows:  # counted as the request page counts them (presenters.request_status)
        wanted = [s.placed for s in req.shifts.all() if not hasattr(s, "cancellation")]
        req.confirmed = confirmed_on_every_shift(req.headcount, wanted)  # type: ignore[attr-defined]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "requests": rows[:BOARD_PAGE_ROWS],
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if len(rows) > BOARD_PAGE_ROWS else None,
        "query_string": params.urlencode(),
        "companies": ClientCompany.objects.order_by("name"),
        "statuses": StaffingRequest.Status.choices,
        "status": _status(request),
        "company": text_param(request.GET, "company", max_length=20),
        "date": text_param(request.GET, "date", max_length=10),
        "now": timezone.now(),
    }
    template = "staffing/_board_rows.html" if request.htmx else "staffing/board.html"
    return render(request, template, context)


# The request page shows this many ranked rows; the rest come when asked for ("Show 30 more").
SHORTLIST_PAGE_ROWS = 20


def _reorderable(staffing_request: StaffingRequest, shortlist: Shortlist | None) -> bool:
    """People may be moved or removed until the shortlist is approved (the services agree)."""
    return staffing_request.is_curatable and shortlist is not None and shortlist.approved_at is None


def _detail_context(request: HttpRequest, staffing_request: StaffingRequest) -> dict:
    shortlist = shown_shortlist(staffing_request)
    # Read once for the summary (cancelled ones struck through) and the status's counts.
    prefetch_related_objects([staffing_request], shown_shifts_prefetch())
    ranked = shortlist.ranked.select_related("candidate") if shortlist else None
    entries = list(ranked[:SHORTLIST_PAGE_ROWS]) if ranked is not None else []
    near_misses = list(shortlist.near_misses.select_related("candidate")) if shortlist else []
    more = shortlist.ranked.count() - len(entries) if len(entries) == SHORTLIST_PAGE_ROWS else 0
    languages = candidate_languages([e.candidate_id for e in [*entries, *near_misses]])
    skill_names = Skill.names_by_id() if near_misses else {}
    panel = offers_panel_context(
        staffing_request, shortlist=shortlist, shifts=list(staffing_request.shifts.all())
    )
    return {
        **panel,
        "shortlist": shortlist,
        "rows": shortlist_rows(entries, languages=languages),
        "more_rows": more,
        "near_rows": shortlist_rows(near_misses, skill_names=skill_names, languages=languages),
        "edits": ShortlistEdit.objects.filter(shortlist=shortlist).select_related("candidate", "by")
        if shortlist
        else [],
        "show_offers": bool(shortlist and shortlist.approved_at)
        or bool(panel["offers"])
        or bool(panel["status"].placements),
        "timeline": request_timeline(staffing_request, for_client=False),
        "editable": _reorderable(staffing_request, shortlist),
        "addable": staffing_request.is_curatable,
    }


@role_required(*RECRUITERS)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staffing_request = request_for_user(request.user, pk)
    context = _detail_context(request, staffing_request)
    if request.htmx:  # the shortlist polling while matching runs, with the badge and Progress
        return render(request, "staffing/_shortlist_live.html", {**context, "oob": True})
    return render(request, "staffing/request_detail.html", context)


@role_required(*RECRUITERS)
def shortlist_rows_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranked rows after the first page (`?start=`), when the recruiter asks for them."""
    staffing_request = request_for_user(request.user, pk)
    shortlist = staffing_request.current_shortlist
    start = max(int_param(request.GET, "start") or 0, 0)
    entries = list(shortlist.ranked.select_related("candidate")[start:]) if shortlist else []
    context = {"req": staffing_request, "rows": shortlist_rows(entries)}
    return render(request, "staffing/_shortlist_more.html", context)


@role_required(*RECRUITERS)
def shortlist_entry_explanation(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """One entry's full account and its curation form, fetched when the recruiter opens it."""
    staffing_request = request_for_user(request.user, pk)
    shortlist = staffing_request.current_shortlist
    entry = get_object_or_404(ShortlistEntry, pk=entry_pk, shortlist=shortlist, near_miss=False)
    context = {
        "req": staffing_request,
        "entry": entry,
        "account": explanation_parts(entry.explanation or {}, Skill.names_by_id()),
        "editable": _reorderable(staffing_request, shortlist),
        "last_rank": shortlist.ranked.count(),
        "pool_choices": talent_pools_for_user(request.user).filter(
            company_id=staffing_request.company_id
        ),
    }
    return render(request, "staffing/_shortlist_entry_detail.html", context)


def _back(staffing_request: StaffingRequest) -> HttpResponse:
    return redirect("recruiter_request_detail", pk=staffing_request.pk)


def _error(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@role_required(*RECRUITERS)
@require_POST
def shortlist_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    staffing_request = request_for_user(request.user, pk)
    shortlist = staffing_request.current_shortlist
    if shortlist is None:
        messages.error(request, _("There is no shortlist to approve yet."))
        return _back(staffing_request)
    try:
        shortlist_approve(shortlist=shortlist, by=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Approved. The client sees the people and offers go out."))
    return _back(staffing_request)


@role_required(*RECRUITERS)
@require_POST
def shortlist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a person, or move them up or down, with the reason typed next to the buttons."""
    staffing_request = request_for_user(request.user, pk)
    shortlist = staffing_request.current_shortlist
    entry_id = int_param(request.POST, "entry")
    entry = (
        shortlist.entries.filter(pk=entry_id).first()
        if shortlist and entry_id is not None
        else None
    )
    action = choice_param(request.POST, "action", ("remove", "up", "down"), "")
    reason = text_param(request.POST, "reason")
    if entry is None or not action:
        messages.error(request, _("This person is no longer on the shortlist."))
        return _back(staffing_request)
    try:
        if action == "remove":
            shortlist_entry_remove(entry=entry, by=request.user, reason=reason)
        else:
            shortlist_entry_move(entry=entry, direction=action, by=request.user, reason=reason)
    except ValidationError as error:
        _error(request, error)
    return _back(staffing_request)


@role_required(*RECRUITERS)
def candidate_search_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Find matchable people by name, email or postal code; each look-up is audit-logged."""
    staffing_request = request_for_user(request.user, pk)
    query = text_param(request.GET, "q", max_length=200)
    found = candidate_search(query=query, by=request.user, staffing_request=staffing_request)
    shortlist = staffing_request.current_shortlist
    on_list = set(shortlist.ranked.values_list("candidate_id", flat=True)) if shortlist else set()
    context = {"req": staffing_request, "query": query, "found": found, "on_list": on_list}
    return render(request, "staffing/_search_results.html", context)


@role_required(*RECRUITERS)
@require_POST
def shortlist_add(request: HttpRequest, pk: int) -> HttpResponse:
    staffing_request = request_for_user(request.user, pk)
    shortlist = staffing_request.current_shortlist
    candidate_id = int_param(request.POST, "candidate")
    candidate = (
        candidates_for_user(request.user).matchable().filter(pk=candidate_id).first()
        if candidate_id is not None
        else None
    )
    if shortlist is None or candidate is None:
        messages.error(request, _("This person cannot be added."))
        return _back(staffing_request)
    try:
        shortlist_entry_add(
            shortlist=shortlist,
            candidate=candidate,
            by=request.user,
            reason=text_param(request.POST, "reason"),
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Added to the end of the shortlist."))
    return _back(staffing_request)


@role_required(*RECRUITERS)
@require_POST
def placement_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    placement = placement_for_user(request.user, pk)
    try:
        placement_no_show_report(
            placement=placement, by=request.user, reason=text_param(request.POST, "reason")
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("No-show recorded."))
    return redirect("recruiter_request_detail", pk=placement.request_id)
