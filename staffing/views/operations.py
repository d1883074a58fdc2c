"""Health and operations: `/health/` for the load balancer and the agency admin's System page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from staffing.base.access import public, role_required
from staffing.models import User
from staffing.services.health import database_check, redis_check, system_status


@public
@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when PostgreSQL and Redis answer, else 503; names no person, needs no login, and
    answers within about a second even when Redis stalls."""
    checks = [database_check(), redis_check()[0]]
    ok = all(check.ok for check in checks)
    return JsonResponse(
        {
            "status": "ok" if ok else "fail",
            "checks": {check.code: "ok" if check.ok else "fail" for check in checks},
        },
        status=200 if ok else 503,
    )


@role_required(User.Role.ADMIN)
@never_cache
def system(request: HttpRequest) -> HttpResponse:
    """Every check with what is wrong; htmx refreshes the status block alone."""
    template = "staffing/_system_status.html" if request.htmx else "staffing/system.html"
    return render(request, template, {"status": system_status()})
