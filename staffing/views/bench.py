"""Recruiter pages for the proactive bench: coverage heatmap and one profile's ranked bench."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates.models import Skill
from clients.models import ClientCompany
from staffing.base.access import RECRUITERS, role_required
from staffing.coverage import Heatmap, coverage_heatmap
from staffing.models import Bench, User
from staffing.permissions import profile_for_user, profiles_for_user, talent_pools_for_user
from staffing.request_params import int_param
from staffing.services.bench import THIN_BELOW, bench_coverage
from staffing.services.bench_requests import bench_refresh_request

COVERAGE_DAYS_SHOWN = 7


def company_filter(request: HttpRequest) -> int | None:
    """The client chosen in the `company` filter, or None for every client."""
    return int_param(request.GET, "company")


def _heatmap(
    user: User, *, company_id: int | None = None, profile_id: int | None = None
) -> Heatmap:
    coverage = bench_coverage(days=COVERAGE_DAYS_SHOWN, thin_below=THIN_BELOW)
    profiles = profiles_for_user(user)
    if company_id is not None:
        profiles = profiles.filter(company_id=company_id)
    if profile_id is not None:
        profiles = profiles.filter(pk=profile_id)
    days = coverage[0]["days"] if coverage else []
    parts = coverage[0]["parts"] if coverage else []
    return coverage_heatmap(
        coverage,
        days=days,
        parts=parts,
        want=THIN_BELOW,
        profile_ids=profiles.values_list("pk", flat=True),
    )


@role_required(*RECRUITERS)
def coverage(request: HttpRequest) -> HttpResponse:
    company_id = company_filter(request)
    context = {
        "heatmap": _heatmap(request.user, company_id=company_id),
        "companies": ClientCompany.objects.filter(service_profiles__is_active=True)
        .distinct()
        .order_by("name"),
        "company": "" if company_id is None else str(company_id),
    }
    return render(request, "staffing/bench_coverage.html", context)


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = profile_for_user(request.user, profile_id)
    if request.method == "POST":
        bench_refresh_request(profile=profile, by=request.user)
        messages.success(request, _("The bench will be rebuilt in the background in a moment."))
        return redirect("bench_detail", profile_id=profile.pk)
    bench = Bench.objects.filter(profile=profile).first()
    context = {
        "profile": profile,
        "bench": bench,
        "entries": bench.entries.select_related("candidate") if bench else [],
        "heatmap": _heatmap(request.user, profile_id=profile.pk),
        "skill_names": Skill.names_by_id(),
        "typical_shifts": profile.typical_shifts.all(),
        "pool_choices": talent_pools_for_user(request.user).filter(company_id=profile.company_id),
    }
    return render(request, "staffing/bench_detail.html", context)
