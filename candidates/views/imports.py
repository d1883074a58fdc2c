"""Recruiters bring people in: import a CSV or XLSX file, find and merge duplicates, and
invite many people at once."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candidates.models import CandidateImport
from candidates.permissions import candidate_for_user, imports_for_user
from candidates.services.duplicates import MergeError, candidate_merge, duplicate_pairs
from candidates.services.imports import (
    FIELD_LABELS,
    FIELDS,
    ImportFileError,
    candidate_import_queue,
    candidate_import_upload,
    import_check,
    import_progress,
    imports_recent,
    invitations_for_people,
    mapping_from_params,
)
from candidates.services.invitations import InviteLine, invitations_from_lines
from staffing.base.access import RECRUITERS, role_required

PREVIEW_PROBLEMS = 200
# The preview compares this many rows with the pool (a few seconds for 10,000 at 100,000 people
# is too long for a page); after the import its page lists every duplicate.
PREVIEW_POOL_ROWS = 2000


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class InviteManyForm(forms.Form):
    lines = forms.CharField(
        label=gettext_lazy("Emails, one a line"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=200_000,
        help_text=gettext_lazy(
            "An email alone, or “first name, last name, email”, or “Name <email>”."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the invitations"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
    )


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


@role_required(*RECRUITERS)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > settings.CANDIDATE_IMPORT_MAX_BYTES:
                raise ImportFileError(
                    _("The file is too large: at most %(mb)d MB.")
                    % {"mb": settings.CANDIDATE_IMPORT_MAX_BYTES // 1_000_000}
                )
            batch = candidate_import_upload(
                by=request.user, name=upload.name, content=upload.read()
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("recruiter_import_detail", pk=batch.pk)
    context = {"form": form, "imports": imports_recent()}
    return render(request, "candidates/agency/import_upload.html", context)


@role_required(*RECRUITERS)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Columns and preview before the import (a GET with the mapping chosen changes nothing);
    the progress bar while it runs; what it did, and the duplicates to merge, after."""
    batch = get_object_or_404(imports_for_user(request.user), pk=pk)
    context: dict = {"batch": batch, "progress": import_progress(batch=batch)}
    if batch.status in (CandidateImport.Status.UPLOADED, CandidateImport.Status.FAILED):
        chosen = any(k.startswith("col_") for k in request.GET)
        mapping = (
            mapping_from_params(params=request.GET, headers=batch.headers)
            if chosen
            else {k: int(v) for k, v in batch.mapping.items()}
        )
        check = import_check(rows=batch.rows, mapping=mapping, pool_rows=PREVIEW_POOL_ROWS)
        context.update(
            check=check,
            mapping=mapping,
            fields=[(name, FIELD_LABELS[name], mapping.get(name)) for name in FIELDS],
            # Headings no field takes: said, so that nobody expects (say) languages imported.
            unused=[
                heading
                for index, heading in enumerate(batch.headers)
                if heading and index not in set(mapping.values())
            ],
            problems=check.problems[:PREVIEW_PROBLEMS],
            more_problems=max(0, len(check.problems) - PREVIEW_PROBLEMS),
            sample=batch.rows[:5],
            pool_checked=min(len(batch.rows), PREVIEW_POOL_ROWS),
            languages=settings.LANGUAGES,
            language=(get_language() or settings.LANGUAGE_CODE)[:2],
        )
    if batch.status == CandidateImport.Status.DONE:
        context["pairs"] = _import_pairs(batch)
    return render(request, "candidates/agency/import_detail.html", context)


def _import_pairs(batch: CandidateImport):
    ids = list(batch.candidates.listed().values_list("pk", flat=True)[:20_000])
    return duplicate_pairs(candidate_ids=ids, limit=50) if ids else []


@role_required(*RECRUITERS)
def import_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx; once the import has ended, the page reloads."""
    batch = get_object_or_404(imports_for_user(request.user), pk=pk)
    response = render(
        request,
        "candidates/agency/_import_progress.html",
        {"batch": batch, "progress": import_progress(batch=batch)},
    )
    if not batch.in_progress and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@role_required(*RECRUITERS)
@require_POST
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(imports_for_user(request.user), pk=pk)
    mapping = mapping_from_params(params=request.POST, headers=batch.headers)
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if not {"email"} <= set(mapping) or not (
        {"first_name", "last_name"} <= set(mapping) or "full_name" in mapping
    ):
        messages.warning(request, _("Choose the columns for the names and the email first."))
        return redirect("recruiter_import_detail", pk=batch.pk)
    batch = candidate_import_queue(
        batch=batch,
        by=request.user,
        mapping=mapping,
        skip_invalid=request.POST.get("skip_invalid") == "1",
        invite=request.POST.get("invite") == "1",
        language=language,
        base_url=_base_url(request),
    )
    if batch.status != CandidateImport.Status.QUEUED:
        messages.warning(request, _("This import has already started."))
    return redirect("recruiter_import_detail", pk=batch.pk)


@role_required(*RECRUITERS)
@require_POST
def import_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite the people an import brought in (those not invited yet)."""
    batch = get_object_or_404(imports_for_user(request.user), pk=pk)
    language = request.POST.get("language", "")
    sent = invitations_for_people(
        people=batch.candidates.listed(),
        by=request.user,
        base_url=_base_url(request),
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
    )
    messages.success(request, _("Invitations sent: %(count)d.") % {"count": len(sent)})
    return redirect("recruiter_import_detail", pk=batch.pk)


@role_required(*RECRUITERS)
def duplicates(request: HttpRequest) -> HttpResponse:
    """People in the pool who are likely the same person, on demand, offered for merging."""
    context = {"pairs": duplicate_pairs(limit=100)}
    return render(request, "candidates/agency/duplicates.html", context)


@role_required(*RECRUITERS)
@require_POST
def candidate_merge_view(request: HttpRequest) -> HttpResponse:
    keep_id, other_id = request.POST.get("keep", ""), request.POST.get("other", "")
    if not (keep_id.isdigit() and other_id.isdigit()):
        messages.warning(request, _("Choose the two people to merge."))
        return redirect("recruiter_duplicates")
    keep = candidate_for_user(request.user, int(keep_id))
    other = candidate_for_user(request.user, int(other_id))
    back = _import_page(request)
    try:
        kept = candidate_merge(keep=keep, other=other, by=request.user)
    except MergeError as error:
        messages.warning(request, str(error))
        return redirect(back or reverse("recruiter_duplicates"))
    messages.success(
        request, _("Merged: everything about the person is now on %(name)s.") % {"name": kept}
    )
    return redirect(back or reverse("recruiter_candidate_detail", args=[kept.pk]))


def _import_page(request: HttpRequest) -> str:
    """Back to the import's page when merging from there (its id, never a free URL)."""
    batch_id = request.POST.get("import", "")
    if batch_id.isdigit() and imports_for_user(request.user).filter(pk=int(batch_id)).exists():
        return reverse("recruiter_import_detail", args=[int(batch_id)])
    return ""


@role_required(*RECRUITERS)
def invite_many(request: HttpRequest) -> HttpResponse:
    form = InviteManyForm(request.POST or None)
    results: list[InviteLine] = []
    if request.method == "POST" and form.is_valid():
        results = invitations_from_lines(
            text=form.cleaned_data["lines"],
            by=request.user,
            base_url=_base_url(request),
            language=form.cleaned_data["language"],
        )
        sent = sum(1 for r in results if r.invitation is not None)
        if sent:
            messages.success(request, _("Invitations sent: %(count)d.") % {"count": sent})
    context = {
        "form": form,
        "results": results,
        "errors": [r for r in results if r.error],
    }
    return render(request, "candidates/agency/invite_many.html", context)
