"""Recruiter page: how fast and how fully each client's requests were answered lately."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from clients.models import ClientCompany
from staffing.base.access import RECRUITERS, role_required
from staffing.charts import bar_chart, duration_text, percent_text
from staffing.services.service_levels import (
    SERVICE_LEVEL_DAYS,
    ClientServiceLevel,
    service_levels,
)
from staffing.views.bench import company_filter


def _charts(levels: list[ClientServiceLevel]) -> list:
    def seconds(level: ClientServiceLevel, name: str) -> float | None:
        value = getattr(level, name)
        return value.total_seconds() if value is not None else None

    return [
        bar_chart(
            title=_("Median time to shortlist"),
            items=[
                (lv.company, seconds(lv, "shortlist_median"), duration_text(lv.shortlist_median))
                for lv in levels
            ],
        ),
        bar_chart(
            title=_("Median time to filled"),
            items=[
                (lv.company, seconds(lv, "filled_median"), duration_text(lv.filled_median))
                for lv in levels
            ],
        ),
        bar_chart(
            title=_("Fill rate"),
            items=[(lv.company, lv.fill_rate, percent_text(lv.fill_rate)) for lv in levels],
            maximum=1.0,
        ),
    ]


@role_required(*RECRUITERS)
def service_levels_page(request: HttpRequest) -> HttpResponse:
    company_id = company_filter(request)
    levels = service_levels(days=SERVICE_LEVEL_DAYS, company_id=company_id)
    context = {
        "levels": levels,
        "charts": _charts(levels) if levels else [],
        "days": SERVICE_LEVEL_DAYS,
        "companies": ClientCompany.objects.order_by("name"),
        "company": "" if company_id is None else str(company_id),
    }
    return render(request, "staffing/service_levels.html", context)
