"""Recruiters' candidate pages (every view is logged for the person to see), CV downloads, and
the agency admin's retention page."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from candidates.availability import DayPart
from candidates.forms import AssessmentForm, InvitationForm, NoteForm, ProfileForm, TaskForm
from candidates.languages import CEFRLevel, Language
from candidates.models import CandidateCV, SavedSearch, Skill, StatementRequest
from candidates.permissions import candidate_for_user, candidates_for_user
from candidates.services.assessments import (
    StatementError,
    assessment_record,
    language_rows,
    language_rows_many,
    statement_write,
    verified_levels,
)
from candidates.services.consent import consents_active
from candidates.services.profile import profile_update
from candidates.services.retention import retention_counts, retention_forecast, retention_runs
from candidates.services.saved_searches import saved_search_query
from candidates.services.search import (
    COUNT_CAP,
    SearchFilters,
    candidate_search_count,
    candidate_search_queryset,
    candidate_search_results,
    empty_culprit,
)
from candidates.services.signup import invitation_create
from candidates.views.self_service import cv_response
from staffing.base.access import CLIENT_MANAGERS, RECRUITERS, role_required
from staffing.base.audit import personal_data_views_record
from staffing.base.models import User
from staffing.models import ReliabilityRecord
from staffing.permissions import talent_pools_for_user
from staffing.request_params import choice_param, text_param
from staffing.services.candidate_search import StaffingSearchContext, search_choices
from staffing.services.personal_data.visibility import (
    candidate_timeline,
    completeness,
    completeness_percent,
    offers_explained,
    placements_with_feedback,
    profile_view_record,
    profile_views,
    reliability_records,
    weekly_grid,
)
from staffing.services.placements import PlacementError, reliability_record_answer
from staffing.services.talent_pools import talent_pools_of_candidate


@role_required(*RECRUITERS)
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_for_user(request.user, pk)
    form = AssessmentForm(initial={"assessed_on": timezone.localdate()})
    return _detail_render(request, candidate, form)


def _detail_render(request: HttpRequest, candidate, form: AssessmentForm) -> HttpResponse:
    profile_view_record(candidate=candidate, viewer=request.user)
    items = completeness(candidate=candidate)
    verified = verified_levels(candidate=candidate)
    context = {
        "candidate": candidate,
        "assessment_form": form,
        "languages": language_rows(candidate=candidate, verified=verified),
        "skills": candidate.skills.select_related("skill"),
        "experiences": candidate.experiences.all(),
        "assessments": candidate.assessments.select_related("assessed_by"),
        "statement_requests": candidate.statement_requests.open().select_related("assessment"),
        "records": reliability_records(candidate=candidate),
        "consents": consents_active(candidate=candidate),
        "cv": CandidateCV.objects.filter(candidate=candidate).first(),
        "percent": completeness_percent(items),
        "grid": weekly_grid(candidate=candidate),
        "day_parts": DayPart.labels,
        "dates_off": candidate.dates_off.filter(date__gte=timezone.localdate())[:30],
        "placements": placements_with_feedback(candidate=candidate),
        "offers": offers_explained(candidate=candidate),
        "timeline": candidate_timeline(candidate=candidate),
        "views": profile_views(candidate=candidate),
        "notes": candidate.notes.select_related("author")[:50],
        "tasks": candidate.tasks.select_related("assignee").order_by("done_at", "due_on", "id"),
        "note_form": NoteForm(),
        "task_form": TaskForm(user=request.user),
        "today": timezone.localdate(),
        "pool_choices": talent_pools_for_user(request.user),
        "memberships": talent_pools_of_candidate(candidate=candidate),
    }
    return render(request, "candidates/agency/detail.html", context)


@role_required(*RECRUITERS)
@require_POST
def assessment_add(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_for_user(request.user, pk)
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        messages.warning(request, _("The assessment was not saved: please check the form."))
        return _detail_render(request, candidate, form)
    data = dict(form.cleaned_data)
    assessed_on = data.pop("assessed_on")
    assessment_record(candidate=candidate, by=request.user, assessed_on=assessed_on, data=data)
    messages.success(request, _("Assessment saved: matching and benches use it now."))
    return redirect("recruiter_candidate_detail", pk=candidate.pk)


@role_required(*RECRUITERS)
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A recruiter edits the profile on the person's behalf; the audit row names the recruiter
    and the fields changed (the person sees their data as changed on their own pages)."""
    candidate = candidate_for_user(request.user, pk)
    form = ProfileForm(request.POST or None, instance=candidate)
    if request.method == "POST" and form.is_valid():
        profile_update(candidate=candidate, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Profile saved on the person's behalf."))
        return redirect("recruiter_candidate_detail", pk=candidate.pk)
    if request.method == "POST":
        candidate.refresh_from_db()
    else:
        profile_view_record(candidate=candidate, viewer=request.user)
    context = {"form": form, "candidate": candidate}
    return render(request, "candidates/agency/profile_edit.html", context)


@role_required(*RECRUITERS, *CLIENT_MANAGERS)
def candidate_cv(request: HttpRequest, pk: int) -> HttpResponse:
    """A recruiter, or a client manager whose company has a placement with the person."""
    candidate = candidate_for_user(request.user, pk)
    current = CandidateCV.objects.filter(candidate=candidate).first()
    if current is None:
        raise Http404
    return cv_response(current, request)


@role_required(*RECRUITERS)
def candidate_invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = invitation_create(
            by=request.user, base_url=request.build_absolute_uri("/")[:-1], **form.cleaned_data
        )
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect("recruiter_candidate_invite")
    return render(request, "candidates/agency/invite.html", {"form": form})


@role_required(*RECRUITERS)
@require_POST
def statement_write_view(request: HttpRequest, pk: int) -> HttpResponse:
    statement_request = get_object_or_404(
        StatementRequest.objects.filter(candidate__in=candidates_for_user(request.user)), pk=pk
    )
    try:
        statement_write(
            statement_request=statement_request,
            by=request.user,
            statement=text_param(request.POST, "statement", max_length=5000),
        )
        messages.success(request, _("Statement sent: the person sees it on their page."))
    except StatementError as error:
        messages.warning(request, str(error))
    return redirect("recruiter_candidate_detail", pk=statement_request.candidate_id)


@role_required(*RECRUITERS)
@require_POST
def record_answer(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(
        ReliabilityRecord.objects.filter(candidate__in=candidates_for_user(request.user)), pk=pk
    )
    try:
        reliability_record_answer(
            record=record,
            by=request.user,
            answer=text_param(request.POST, "answer", max_length=5000),
            decision=choice_param(
                request.POST, "decision", ReliabilityRecord.Decision.values, default=""
            ),
        )
        messages.success(request, _("Answer sent: the person sees it on their page."))
    except PlacementError as error:
        messages.warning(request, str(error))
    return redirect("recruiter_candidate_detail", pk=record.candidate_id)


@role_required(User.Role.ADMIN)
def retention(request: HttpRequest) -> HttpResponse:
    """What retention will do in the next 30 days, and what it did (agency admins)."""
    steps = retention_forecast(days=30)
    context = {
        "steps": steps,
        "counts": retention_counts(steps),
        "runs": retention_runs(),
        "settings_days": {
            "pool": settings.RETENTION_POOL_DAYS,
            "inactive": settings.RETENTION_INACTIVE_DAYS,
            "renewal": settings.RETENTION_RENEWAL_DAYS,
        },
    }
    return render(request, "candidates/agency/retention.html", context)


SEARCH_PAGE_SIZE = 25


class CappedPaginator(Paginator):
    """Pages over a count given to it (the search's, capped at COUNT_CAP): past the cap the
    page says "more than" and the recruiter narrows the search."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._given_count = count

    @cached_property
    def count(self) -> int:
        return self._given_count


EXPORT_LIMIT = 5000


@role_required(*RECRUITERS)
def candidate_list(request: HttpRequest) -> HttpResponse:
    """The recruiter's Candidates page: the whole pool, searched and filtered from the URL."""
    filters = SearchFilters.from_params(request.GET, StaffingSearchContext())
    results = candidate_search_results(filters)
    found = candidate_search_count(results.people, cap=COUNT_CAP)
    paginator = CappedPaginator(results, SEARCH_PAGE_SIZE, count=min(found, COUNT_CAP))
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    # The results show names, emails and phones: each person sees this in their view log.
    personal_data_views_record(
        viewer=request.user,
        candidate_ids=[c.pk for c in shown],
        seen="search",
        target=request.user,
    )
    culprit = empty_culprit(filters) if not shown and filters.active() else ""
    languages = language_rows_many(candidates=shown)
    for person in shown:
        person.language_rows = languages[person.pk]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "more_than": COUNT_CAP if found > COUNT_CAP else None,
        "people": shown,
        "culprit": culprit,
        "query_string": params.urlencode(),
        "skills": Skill.objects.all(),
        "languages": Language.choices,
        "levels": CEFRLevel.choices,
        "parts": DayPart.choices,
        "pool_choices": talent_pools_for_user(request.user),
        "workflow": search_choices(),
        "saved_searches": SavedSearch.objects.filter(owner=request.user),
        "filter_query": saved_search_query(request.GET),
    }
    return render(request, "candidates/agency/list.html", context)


@role_required(*RECRUITERS)
def candidate_export(request: HttpRequest) -> HttpResponse:
    """The search's result (at most EXPORT_LIMIT people) as CSV; logged as a view of each."""
    header, rows = _export_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="candidates.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        # A cell starting with = + - @ would be a formula in a spreadsheet.
        writer.writerow(["'" + v if v[:1] in "=+-@" else v for v in row])
    return response


@role_required(*RECRUITERS)
def candidate_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The same result as an Excel workbook; logged as a view of each person, like the CSV."""
    header, rows = _export_rows(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Candidates")[:31])
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            # openpyxl would store a text starting with "=" as a formula: keep it text.
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="candidates.xlsx"'
    return response


def _export_rows(request: HttpRequest) -> tuple[list[str], list[list[str]]]:
    """The header and rows of an export of the search in the URL, recorded as a view of each
    person exported."""
    filters = SearchFilters.from_params(request.GET, StaffingSearchContext())
    people = list(
        candidate_search_queryset(filters).prefetch_related("languages", "skills__skill")[
            :EXPORT_LIMIT
        ]
    )
    personal_data_views_record(
        viewer=request.user,
        candidate_ids=[c.pk for c in people],
        seen="search",
        target=request.user,
    )
    header = [
        _("first name"),
        _("last name"),
        _("email"),
        _("phone"),
        _("postal code"),
        _("status"),
        _("languages"),
        _("skills"),
    ]
    rows = [
        [
            str(value)
            for value in (
                c.first_name,
                c.last_name,
                c.email,
                c.phone,
                c.postal_code,
                c.get_status_display(),
                ", ".join(str(lang) for lang in c.languages.all()),
                ", ".join(str(s) for s in c.skills.all()),
            )
        ]
        for c in people
    ]
    return [str(h) for h in header], rows
