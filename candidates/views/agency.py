"""Recruiters' candidate pages (every view is logged for the person to see) and CV downloads."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from candidates.forms import InvitationForm
from candidates.models import CandidateCV
from candidates.permissions import candidate_for_user
from candidates.services.consent import consents_active
from candidates.services.cv import cv_open
from candidates.services.signup import invitation_create
from candidates.services.visibility import completeness, completeness_percent, profile_view_record
from staffing.permissions import CLIENT_MANAGERS, RECRUITERS, role_required


@role_required(*RECRUITERS)
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_for_user(request.user, pk)
    profile_view_record(candidate=candidate, viewer=request.user, page="recruiter_candidate_detail")
    items = completeness(candidate=candidate)
    context = {
        "candidate": candidate,
        "languages": candidate.languages.all(),
        "skills": candidate.skills.select_related("skill"),
        "experiences": candidate.experiences.all(),
        "assessments": candidate.assessments.all(),
        "consents": consents_active(candidate=candidate),
        "cv": CandidateCV.objects.filter(candidate=candidate).first(),
        "percent": completeness_percent(items),
    }
    return render(request, "candidates/agency/detail.html", context)


@role_required(*RECRUITERS, *CLIENT_MANAGERS)
def candidate_cv(request: HttpRequest, pk: int) -> HttpResponse:
    """A recruiter, or a client manager whose company has a placement with the person."""
    candidate = candidate_for_user(request.user, pk)
    current = CandidateCV.objects.filter(candidate=candidate).first()
    if current is None:
        raise Http404
    return FileResponse(
        cv_open(cv=current, by=request.user),
        as_attachment=True,
        filename=current.original_name,
        content_type=current.content_type,
    )


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
