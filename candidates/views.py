"""Candidate self-service pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from candidates.availability import WEEKDAY_NAMES, DayPart
from staffing.permissions import CANDIDATES, role_required


def _own_candidate(request: HttpRequest):
    candidate = getattr(request.user, "candidate", None)
    if candidate is None:
        raise Http404
    return candidate


@role_required(*CANDIDATES)
def home(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    cells = candidate.availability_cells
    grid = [
        (name, [(part.label, (day, part.value) in cells) for part in DayPart])
        for day, name in enumerate(WEEKDAY_NAMES)
    ]
    context = {
        "candidate": candidate,
        "languages": candidate.languages.all(),
        "skills": candidate.skills.select_related("skill"),
        "grid": grid,
        "parts": DayPart,
        "stale": candidate.availability_is_stale(),
    }
    return render(request, "candidates/home.html", context)
