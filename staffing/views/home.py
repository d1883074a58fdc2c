from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from staffing.base.access import EVERYONE, public, role_required
from staffing.models import User

HOME_BY_ROLE = {
    User.Role.RECRUITER: "recruiter_board",
    User.Role.ADMIN: "recruiter_board",
    User.Role.CLIENT_MANAGER: "client_requests",
    User.Role.CANDIDATE: "candidate_home",
}


@public
def landing(request: HttpRequest) -> HttpResponse:
    """Logged-in people go to their role's home; others see what this is and a login."""
    if request.user.is_authenticated:
        return redirect(HOME_BY_ROLE[request.user.role])
    return render(request, "landing.html")


@role_required(*EVERYONE)
def home(request: HttpRequest) -> HttpResponse:
    return redirect(HOME_BY_ROLE[request.user.role])
