"""Recruiter pages for the proactive bench: coverage heatmap and one profile's ranked bench."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
from staffing.services.demand import (
    DEMAND_WEEKS,
    READY_PER_PLACE,
    Gap,
    candidate_search_params,
    coverage_gaps,
)

COVERAGE_DAYS_SHOWN = 7
GAPS_PER_PAGE = 15
BENCH_ENTRIES_PER_PAGE = 10


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


def _gap_rows(gaps: list[Gap]) -> list[tuple[Gap, str]]:
    """Each gap with the Candidates-page search for exactly that gap."""
    search = reverse("recruiter_candidates")
    return [(gap, f"{search}?{urlencode(candidate_search_params(gap))}") for gap in gaps]


def _gaps(user: User, *, company_id: int | None = None, profile_id: int | None = None):
    profiles = profiles_for_user(user).filter(is_active=True).select_related("site", "company")
    if company_id is not None:
        profiles = profiles.filter(company_id=company_id)
    if profile_id is not None:
        profiles = profiles.filter(pk=profile_id)
    return coverage_gaps(days=COVERAGE_DAYS_SHOWN, profiles=list(profiles))


@role_required(*RECRUITERS)
def coverage(request: HttpRequest) -> HttpResponse:
    company_id = company_filter(request)
    gaps = Paginator(_gaps(request.user, company_id=company_id), GAPS_PER_PAGE)
    page = gaps.get_page(request.GET.get("page"))
    context = {
        "gaps": gaps,
        "gap_page": page,
        "gap_rows": _gap_rows(list(page.object_list)),
        "ready_per_place": READY_PER_PLACE,
        "demand_weeks": DEMAND_WEEKS,
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
    entries = Paginator(
        bench.entries.select_related("candidate") if bench else [], BENCH_ENTRIES_PER_PAGE
    )
    context = {
        "profile": profile,
        "bench": bench,
        "entry_page": entries.get_page(request.GET.get("page")),
        "entries_total": entries.count,
        "gap_rows": _gap_rows(_gaps(request.user, profile_id=profile.pk)),
        "ready_per_place": READY_PER_PLACE,
        "demand_weeks": DEMAND_WEEKS,
        "heatmap": _heatmap(request.user, profile_id=profile.pk),
        "skill_names": Skill.names_by_id(),
        "typical_shifts": profile.typical_shifts.all(),
        "pool_choices": talent_pools_for_user(request.user).filter(company_id=profile.company_id),
    }
    return render(request, "staffing/bench_detail.html", context)
