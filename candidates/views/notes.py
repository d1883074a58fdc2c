"""Recruiters' notes and tasks on a person, their own list of tasks, and saved searches."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candidates.forms import NoteForm, TaskForm
from candidates.models import CandidateTask, SavedSearch
from candidates.permissions import candidate_for_user, candidates_for_user
from candidates.services.notes import (
    TASK_VIEWS,
    NoteError,
    note_add,
    task_add,
    task_done,
    tasks_for_user,
)
from candidates.services.saved_searches import (
    SavedSearchError,
    saved_search_create,
    saved_search_delete,
)
from staffing.base.access import RECRUITERS, role_required
from staffing.request_params import choice_param, text_param
from staffing.services.candidate_search import StaffingSearchContext


@role_required(*RECRUITERS)
@require_POST
def note_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_for_user(request.user, pk)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise NoteError(" ".join(form.errors.get("text", [])) or _("Write the note first."))
        note_add(candidate=candidate, by=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Note saved."))
    except NoteError as error:
        messages.warning(request, str(error))
    return redirect(f"{candidate_url(candidate.pk)}#notes")


@role_required(*RECRUITERS)
@require_POST
def task_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_for_user(request.user, pk)
    form = TaskForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form[name].label}: {' '.join(e)}" for name, e in form.errors.items())
        messages.warning(request, _("The task was not saved: %(errors)s") % {"errors": errors})
        return redirect(f"{candidate_url(candidate.pk)}#tasks")
    try:
        task_add(candidate=candidate, by=request.user, **form.cleaned_data)
        messages.success(request, _("Task saved."))
    except NoteError as error:
        messages.warning(request, str(error))
    return redirect(f"{candidate_url(candidate.pk)}#tasks")


@role_required(*RECRUITERS)
@require_POST
def task_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        CandidateTask.objects.filter(candidate__in=candidates_for_user(request.user)), pk=pk
    )
    if task_done(task=task, by=request.user):
        messages.success(request, _("Task marked done."))
    back = request.POST.get("next", "")
    if back == "candidate":
        return redirect(f"{candidate_url(task.candidate_id)}#tasks")
    return redirect("recruiter_tasks")


@role_required(*RECRUITERS)
def my_tasks(request: HttpRequest) -> HttpResponse:
    show = choice_param(request.GET, "show", TASK_VIEWS, default="open")
    today = timezone.localdate()
    context = {
        "show": show,
        "views": TASK_VIEWS,
        "tasks": tasks_for_user(user=request.user, show=show, today=today)[:200],
        "overdue_count": tasks_for_user(user=request.user, show="overdue", today=today).count(),
        "today": today,
    }
    return render(request, "candidates/agency/tasks.html", context)


def candidate_url(pk: int) -> str:
    return reverse("recruiter_candidate_detail", args=[pk])


@role_required(*RECRUITERS)
@require_POST
def saved_search_save(request: HttpRequest) -> HttpResponse:
    """Save the Candidates page's current query (sent back as `query`) under a name."""
    query = QueryDict(text_param(request.POST, "query", max_length=2000))
    try:
        search = saved_search_create(
            owner=request.user,
            name=text_param(request.POST, "name", max_length=100),
            params=query,
            context=StaffingSearchContext(),
        )
        messages.success(
            request,
            _("Search saved: you get an email when new people match %(name)s.")
            % {"name": search.name},
        )
    except SavedSearchError as error:
        messages.warning(request, str(error))
    return redirect(f"{reverse('recruiter_candidates')}?{query.urlencode()}")


@role_required(*RECRUITERS)
@require_POST
def saved_search_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SavedSearch.objects.filter(owner=request.user), pk=pk)
    saved_search_delete(search=search, by=request.user)
    messages.success(request, _("Saved search deleted."))
    return redirect("recruiter_candidates")
