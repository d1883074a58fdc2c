"""Candidate self-service pages: thin views over candidates.services."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candidates.availability import WEEKDAY_NAMES, DayPart
from candidates.forms import (
    AvailabilityForm,
    CVForm,
    DateOffForm,
    EraseForm,
    ExperienceForm,
    LanguageForm,
    ProfileForm,
    SkillForm,
    cell_name,
)
from candidates.languages import CEFR_DESCRIPTIONS, CEFRLevel
from candidates.models import Candidate, CandidateCV, ConsentPurpose
from candidates.services import availability as availability_services
from candidates.services import consent as consent_services
from candidates.services import profile as profile_services
from candidates.services.activity import candidate_resume
from candidates.services.assessments import (
    assessments_for_candidate,
    language_rows,
    statement_request_create,
    verified_levels,
)
from candidates.services.cv import CVRejected, cv_open, cv_remove, cv_store
from candidates.services.reminders import profile_renew_by_token
from candidates.services.signup import email_verification_pending
from staffing.base.access import CANDIDATES, public, role_required
from staffing.explanations import fit_summary
from staffing.models import ShortlistEntry
from staffing.permissions import own_candidate
from staffing.request_params import text_param
from staffing.security import local_redirect
from staffing.services.personal_data.erasure import candidate_erase
from staffing.services.personal_data.export import (
    data_export_html,
    data_export_record,
    data_export_zip,
    export_sections,
)
from staffing.services.personal_data.visibility import (
    completeness,
    completeness_percent,
    fit_card,
    kudos,
    offers_explained,
    profile_views,
    reliability_records,
)


def candidate_view(view: Callable) -> Callable:
    """Admit candidates only, with their own profile; unverified sign-ups verify first."""

    @role_required(*CANDIDATES)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        candidate = own_candidate(request.user)
        if email_verification_pending(user=request.user):
            return redirect("candidate_verify_pending")
        return view(request, candidate, *args, **kwargs)

    return wrapped


def _optional_url(name: str) -> str | None:
    """The URL of a page another part of the system may provide (offers, assignments)."""
    from django.urls import NoReverseMatch

    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@candidate_view
def home(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    items = completeness(candidate=candidate)
    context = {
        "candidate": candidate,
        "items": items,
        "missing": [i for i in items if not i.done],
        "percent": completeness_percent(items),
        "stale": candidate.availability_to_reconfirm(),
        "paused": candidate.status == Candidate.Status.INACTIVE,
        "offers_url": _optional_url("candidate_offers"),
        "assignments_url": _optional_url("candidate_assignments"),
    }
    return render(request, "candidates/home.html", context)


@role_required(*CANDIDATES)
def verify_pending(request: HttpRequest) -> HttpResponse:
    if not email_verification_pending(user=request.user):
        return redirect("candidate_home")
    return render(request, "candidates/verify_pending.html", {"email": request.user.email})


@candidate_view
def profile(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=candidate)
    if request.method == "POST" and form.is_valid():
        profile_services.profile_update(
            candidate=candidate, by=request.user, data=form.cleaned_data
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("candidate_home")
    if request.method == "POST":
        candidate.refresh_from_db()
    return render(request, "candidates/profile.html", {"form": form, "candidate": candidate})


@candidate_view
def languages(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = LanguageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        profile_services.language_set(candidate=candidate, by=request.user, **form.cleaned_data)
        messages.success(request, _("Language saved."))
        return redirect("candidate_languages")
    levels = [(level.label, CEFR_DESCRIPTIONS[level]) for level in CEFRLevel]
    context = {
        "candidate": candidate,
        "form": form,
        "rows": candidate.languages.all(),
        "verified": [
            row
            for row in language_rows(
                candidate=candidate, verified=verified_levels(candidate=candidate)
            )
            if row.verified
        ],
        "levels": levels,
    }
    return render(request, "candidates/languages.html", context)


@require_POST
@candidate_view
def language_remove(request: HttpRequest, candidate: Candidate, language: str) -> HttpResponse:
    profile_services.language_remove(candidate=candidate, by=request.user, language=language)
    return redirect("candidate_languages")


@candidate_view
def skills(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = SkillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        profile_services.skill_set(candidate=candidate, by=request.user, **form.cleaned_data)
        messages.success(request, _("Skill saved."))
        return redirect("candidate_skills")
    rows = candidate.skills.select_related("skill").order_by("skill__code")
    return render(
        request, "candidates/skills.html", {"candidate": candidate, "form": form, "rows": rows}
    )


@require_POST
@candidate_view
def skill_remove(request: HttpRequest, candidate: Candidate, skill_id: int) -> HttpResponse:
    profile_services.skill_remove(candidate=candidate, by=request.user, skill_id=skill_id)
    return redirect("candidate_skills")


@candidate_view
def experience(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = ExperienceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        profile_services.experience_add(candidate=candidate, by=request.user, **form.cleaned_data)
        messages.success(request, _("Work experience added."))
        return redirect("candidate_experience")
    context = {"candidate": candidate, "form": form, "rows": candidate.experiences.all()}
    return render(request, "candidates/experience.html", context)


@require_POST
@candidate_view
def experience_remove(request: HttpRequest, candidate: Candidate, pk: int) -> HttpResponse:
    get_object_or_404(candidate.experiences, pk=pk)  # someone else's answers 404
    profile_services.experience_remove(candidate=candidate, by=request.user, experience_id=pk)
    return redirect("candidate_experience")


def _grid(form: AvailabilityForm) -> list[tuple[str, list]]:
    return [
        (day_name, [form[cell_name(day, part.value)] for part in DayPart])
        for day, day_name in enumerate(WEEKDAY_NAMES)
    ]


@candidate_view
def availability(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = AvailabilityForm(request.POST or None, cells=candidate.availability_cells)
    if request.method == "POST" and form.is_valid():
        availability_services.availability_set(
            candidate=candidate, by=request.user, cells=form.cells()
        )
        if request.htmx:
            return render(request, "candidates/_availability_saved.html", {"candidate": candidate})
        messages.success(request, _("Your availability is saved."))
        return redirect("candidate_availability")
    context = {
        "candidate": candidate,
        "grid": _grid(form),
        "parts": DayPart,
        "stale": candidate.availability_to_reconfirm(),
        "date_off_form": DateOffForm(),
        "dates_off": candidate.dates_off.filter(date__gte=timezone.localdate()),
    }
    return render(request, "candidates/availability.html", context)


@require_POST
@candidate_view
def availability_confirm(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    availability_services.availability_confirm(candidate=candidate, by=request.user)
    messages.success(request, _("Thank you: your availability is confirmed as still the same."))
    # The posted `next` page only when it is a path of ours: never another site, never a name.
    return local_redirect(request, text_param(request.POST, "next"), "candidate_home")


@require_POST
@candidate_view
def date_off_add(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = DateOffForm(request.POST)
    if form.is_valid():
        availability_services.date_off_add(
            candidate=candidate, by=request.user, **form.cleaned_data
        )
    else:
        messages.error(request, _("Choose a date."))
    return redirect("candidate_availability")


@require_POST
@candidate_view
def date_off_remove(request: HttpRequest, candidate: Candidate, pk: int) -> HttpResponse:
    get_object_or_404(candidate.dates_off, pk=pk)  # someone else's answers 404
    availability_services.date_off_remove(candidate=candidate, by=request.user, date_off_id=pk)
    return redirect("candidate_availability")


@public
def availability_token(request: HttpRequest, token: str) -> HttpResponse:
    """The one-tap link from the reminder email: GET shows the button, POST confirms."""
    if request.method == "POST":
        confirmed = availability_services.availability_confirm_by_token(token=token)
        return render(request, "candidates/token_done.html", {"ok": confirmed is not None})
    return render(request, "candidates/availability_token.html", {"token": token})


@candidate_view
def cv(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = CVForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            cv_store(
                candidate=candidate,
                by=request.user,
                file=upload,
                name=upload.name,
                size=upload.size,
            )
        except CVRejected as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("Your CV is saved."))
            return redirect("candidate_cv")
    current = CandidateCV.objects.filter(candidate=candidate).first()
    return render(request, "candidates/cv.html", {"form": form, "current": current})


@candidate_view
def cv_download(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    current = CandidateCV.objects.filter(candidate=candidate).first()
    if current is None:
        raise Http404
    return cv_response(current, request)


def cv_response(current: CandidateCV, request: HttpRequest) -> FileResponse:
    """The CV as a download, logged as opened by the requesting user (the person, a recruiter,
    or a client manager the person is placed with)."""
    return FileResponse(
        cv_open(cv=current, by=request.user),
        as_attachment=True,
        filename=current.original_name,
        content_type=current.content_type,
    )


@require_POST
@candidate_view
def cv_delete(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    cv_remove(candidate=candidate, by=request.user)
    messages.success(request, _("Your CV is removed."))
    return redirect("candidate_cv")


@candidate_view
def privacy(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    active = consent_services.consents_active(candidate=candidate)
    purposes = [(value, label, active.get(value)) for value, label in ConsentPurpose.choices]
    context = {
        "candidate": candidate,
        "purposes": purposes,
        "history": candidate.consents.all(),
        "version": consent_services.PRIVACY_NOTICE_VERSION,
    }
    return render(request, "candidates/privacy.html", context)


@require_POST
@candidate_view
def consent_change(request: HttpRequest, candidate: Candidate, purpose: str) -> HttpResponse:
    if purpose not in ConsentPurpose.values:
        raise Http404
    if text_param(request.POST, "give"):
        consent_services.consent_give(candidate=candidate, by=request.user, purposes=[purpose])
        messages.success(request, _("Consent given. Thank you."))
    else:
        consent_services.consent_withdraw(candidate=candidate, by=request.user, purpose=purpose)
        messages.success(request, _("Consent withdrawn."))
    return redirect("candidate_privacy")


@candidate_view
def visibility(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    entries = (
        ShortlistEntry.objects.filter(candidate=candidate, near_miss=False)
        .select_related("shortlist__request__site")
        .order_by("-shortlist__created_at")[:10]
    )
    context = {
        "candidate": candidate,
        "before": fit_card(candidate=candidate, placed=False),
        "after": fit_card(candidate=candidate, placed=True),
        "assessments": assessments_for_candidate(candidate=candidate),
        "kudos": kudos(candidate=candidate),
        "records": reliability_records(candidate=candidate),
        "offers": offers_explained(candidate=candidate),
        "shortlisted": [(e, fit_summary(e.explanation)) for e in entries],
        "views": profile_views(candidate=candidate),
    }
    return render(request, "candidates/visibility.html", context)


@require_POST
@candidate_view
def statement_request(request: HttpRequest, candidate: Candidate, pk: int) -> HttpResponse:
    assessment = get_object_or_404(candidate.assessments, pk=pk)
    statement_request_create(assessment=assessment, by=request.user)
    messages.success(request, _("Asked. A recruiter will write the statement for you here."))
    return redirect(reverse("candidate_visibility") + "#assessments")


@candidate_view
def data(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    return render(
        request, "candidates/data.html", {"candidate": candidate, "form": EraseForm(email="")}
    )


@candidate_view
def data_export_page(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    """The readable copy of everything about the person, on the page."""
    context = {"candidate": candidate, "sections": export_sections(candidate=candidate)}
    return render(request, "candidates/export.html", context)


@require_POST
@candidate_view
def data_export_file(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    """The same readable copy as one self-contained HTML file to keep."""
    content = data_export_html(candidate=candidate)
    data_export_record(candidate=candidate, by=request.user, kind="html")
    response = HttpResponse(content, content_type="text/html; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.html"'
    return response


@require_POST
@candidate_view
def data_download(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    content = data_export_zip(candidate=candidate, by=request.user)
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    return response


@require_POST
@candidate_view
def erase(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = EraseForm(request.POST, email=request.user.email)
    if not form.is_valid():
        return render(request, "candidates/data.html", {"candidate": candidate, "form": form})
    candidate_erase(candidate=candidate, by=request.user)
    logout(request)
    return render(request, "candidates/erased.html")


@require_POST
@role_required(*CANDIDATES)
def resume(request: HttpRequest) -> HttpResponse:
    if candidate_resume(candidate=own_candidate(request.user)):
        messages.success(request, _("Welcome back: your profile is in the pool again."))
    return redirect("candidate_home")


@public
def renew(request: HttpRequest, token: str) -> HttpResponse:
    """The "keep my profile" link from the retention email: GET shows the button, POST renews."""
    if request.method == "POST":
        renewed = profile_renew_by_token(token=token)
        return render(request, "candidates/token_done.html", {"ok": renewed is not None})
    return render(request, "candidates/renew_token.html", {"token": token})
