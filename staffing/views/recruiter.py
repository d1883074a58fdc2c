"""Recruiter pages: the live requests board and a request's shortlist."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from candidates.models import Skill
from clients.models import ClientCompany
from staffing.models import Placement, StaffingRequest
from staffing.permissions import RECRUITERS, request_for_user, requests_for_user, role_required
from staffing.presenters import request_progress


def _board_requests(request: HttpRequest):
    qs = (
        requests_for_user(request.user)
        .select_related("company", "site", "service_profile")
        .prefetch_related("shifts")
        .annotate(
            confirmed=Count(
                "placements", filter=Q(placements__status__in=Placement.ACTIVE_STATUSES)
            )
        )
    )
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.open()
    elif status in StaffingRequest.Status.values:
        qs = qs.filter(status=status)
    if company := request.GET.get("company", "").strip():
        qs = qs.filter(company_id=company) if company.isdigit() else qs.none()
    return qs.board_order()[:200]


@role_required(*RECRUITERS)
def board(request: HttpRequest) -> HttpResponse:
    context = {
        "requests": _board_requests(request),
        "companies": ClientCompany.objects.order_by("name"),
        "statuses": StaffingRequest.Status.choices,
        "status": request.GET.get("status", "open"),
        "company": request.GET.get("company", ""),
    }
    template = "staffing/_board_rows.html" if request.htmx else "staffing/board.html"
    return render(request, template, context)


@role_required(*RECRUITERS)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staffing_request = request_for_user(request.user, pk)
    shortlist = staffing_request.current_shortlist
    context = {
        "req": staffing_request,
        "shortlist": shortlist,
        "entries": shortlist.ranked.select_related("candidate") if shortlist else [],
        "near_misses": shortlist.near_misses.select_related("candidate") if shortlist else [],
        "progress": request_progress(staffing_request),
        "skill_names": Skill.names_by_id(),
    }
    template = "staffing/_shortlist.html" if request.htmx else "staffing/request_detail.html"
    return render(request, template, context)
