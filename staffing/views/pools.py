"""Recruiters' talent pools: the pools page, one pool's people, and adding people to a pool from
search results, a shortlist, a bench or the candidate's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from candidates.permissions import candidates_for_user
from clients.models import ClientCompany, ServiceProfile
from staffing.base.access import RECRUITERS, role_required
from staffing.models import TalentPoolMember
from staffing.permissions import talent_pool_for_user
from staffing.request_params import int_param, text_param
from staffing.services.talent_pools import (
    TalentPoolError,
    talent_pool_add,
    talent_pool_create,
    talent_pool_members,
    talent_pool_remove,
    talent_pools_all,
)

MAX_ADDED_AT_ONCE = 500


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def pools(request: HttpRequest) -> HttpResponse:
    """Every pool by client; a recruiter creates one (POST)."""
    if request.method == "POST":
        company = ClientCompany.objects.filter(pk=int_param(request.POST, "company")).first()
        profile_id = int_param(request.POST, "service_profile")
        profile = ServiceProfile.objects.filter(pk=profile_id).first() if profile_id else None
        try:
            if company is None:
                raise TalentPoolError(_("Choose the client."))
            pool = talent_pool_create(
                company=company,
                name=text_param(request.POST, "name", max_length=100),
                service_profile=profile,
                by=request.user,
            )
            messages.success(request, _("Pool %(name)s created.") % {"name": pool.name})
            return redirect("talent_pool_detail", pk=pool.pk)
        except TalentPoolError as error:
            messages.warning(request, str(error))
        return redirect("talent_pools")
    context = {
        "pools": talent_pools_all(),
        "companies": ClientCompany.objects.order_by("name"),
        "profiles": ServiceProfile.objects.filter(is_active=True).select_related("company"),
    }
    return render(request, "staffing/talent_pools.html", context)


@role_required(*RECRUITERS)
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pool = talent_pool_for_user(request.user, pk)
    context = {"pool": pool, "members": talent_pool_members(pool=pool)}
    return render(request, "staffing/talent_pool_detail.html", context)


@role_required(*RECRUITERS)
@require_POST
def pool_add(request: HttpRequest) -> HttpResponse:
    """Add the people ticked (`candidate`, repeated) to the pool chosen (`pool`); back to the
    page the form was on."""
    pool = talent_pool_for_user(request.user, int_param(request.POST, "pool") or 0)
    ids = [int(v) for v in request.POST.getlist("candidate")[:MAX_ADDED_AT_ONCE] if v.isdigit()]
    people = list(candidates_for_user(request.user).filter(pk__in=ids))
    if not people:
        messages.warning(request, _("Tick the people to add first."))
    else:
        added = talent_pool_add(
            pool=pool,
            candidates=people,
            by=request.user,
            source=text_param(request.POST, "source", max_length=12),
        )
        messages.success(
            request,
            ngettext(
                "%(n)d person added to %(pool)s; the client's benches are being refreshed.",
                "%(n)d people added to %(pool)s; the client's benches are being refreshed.",
                added,
            )
            % {"n": added, "pool": pool.name},
        )
    return _back(request, "talent_pool_detail", pk=pool.pk)


@role_required(*RECRUITERS)
@require_POST
def pool_remove(request: HttpRequest, pk: int) -> HttpResponse:
    pool = talent_pool_for_user(request.user, pk)
    member = (
        TalentPoolMember.objects.filter(pool=pool, candidate__in=candidates_for_user(request.user))
        .filter(candidate_id=int_param(request.POST, "candidate"))
        .select_related("candidate")
        .first()
    )
    if member is not None and talent_pool_remove(
        pool=pool, candidate=member.candidate, by=request.user
    ):
        messages.success(request, _("Removed from the pool."))
    return _back(request, "talent_pool_detail", pk=pool.pk)


def _back(request: HttpRequest, fallback: str, **kwargs: int) -> HttpResponse:
    """To the page the form was on (a path of this site only), else to `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback, **kwargs)
