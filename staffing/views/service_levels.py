"""Service levels over the last 12 weeks: trend charts with their tables, and CSV/XLSX export.

Recruiters see every client and may group by client, site, service profile or recruiter; a
client manager sees the same page for their own company only (grouped by site or profile).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import ClientCompany
from staffing.base.access import CLIENT_MANAGERS, RECRUITERS, role_required
from staffing.charts import LineChart, duration_text, line_chart, percent_text
from staffing.permissions import company_for_user
from staffing.request_params import choice_param, int_param
from staffing.services.service_levels import (
    TREND_WEEKS,
    Trend,
    WeekLevel,
    service_level_trends,
)

DIMENSION_LABELS = {
    "client": gettext_lazy("Client"),
    "site": gettext_lazy("Site"),
    "profile": gettext_lazy("Service profile"),
    "recruiter": gettext_lazy("Recruiter"),
}
CLIENT_DIMENSIONS = ("site", "profile")


def _hours(value: dt.timedelta | None) -> float | None:
    return value.total_seconds() / 3600 if value is not None else None


def _seconds(value: dt.timedelta | None) -> float | None:
    return value.total_seconds() if value is not None else None


@dataclass(frozen=True)
class Kpi:
    key: str
    title: str | Promise
    value: Callable[[WeekLevel], float | None]
    text: Callable[[WeekLevel], str]
    axis: Callable[[float], str]
    maximum: float | None = None


def _count_text(n: float) -> str:
    return number_format(n, decimal_pos=0 if n == int(n) else 1)


def _axis_hours(h: float) -> str:
    return _("%(hours)s h") % {"hours": number_format(h, decimal_pos=0 if h >= 10 else 1)}


def _axis_seconds(s: float) -> str:
    return _("%(seconds)s s") % {"seconds": number_format(s, decimal_pos=0 if s >= 10 else 1)}


KPIS = (
    Kpi(
        "shortlist",
        gettext_lazy("Time to shortlist (median)"),
        lambda w: _seconds(w.shortlist_median),
        lambda w: duration_text(w.shortlist_median),
        _axis_seconds,
    ),
    Kpi(
        "fill_time",
        gettext_lazy("Time to fill (median)"),
        lambda w: _hours(w.filled_median),
        lambda w: duration_text(w.filled_median),
        _axis_hours,
    ),
    Kpi(
        "fill_rate",
        gettext_lazy("Fill rate"),
        lambda w: w.fill_rate,
        lambda w: percent_text(w.fill_rate) + (f" ({w.filled}/{w.wanted})" if w.wanted else ""),
        lambda v: percent_text(v),
        1.0,
    ),
    Kpi(
        "no_shows",
        gettext_lazy("No-shows"),
        lambda w: w.no_shows,
        lambda w: _count_text(w.no_shows),
        _count_text,
    ),
    Kpi(
        "late",
        gettext_lazy("Late cancellations"),
        lambda w: w.late_cancellations,
        lambda w: _count_text(w.late_cancellations),
        _count_text,
    ),
    Kpi(
        "repeat",
        gettext_lazy("Repeat orders"),
        lambda w: w.repeat_orders,
        lambda w: _count_text(w.repeat_orders) + (f" / {w.requests}" if w.requests else ""),
        _count_text,
    ),
)


@dataclass(frozen=True)
class KpiPanel:
    kpi: Kpi
    chart: LineChart
    rows: list[tuple[str, list[str]]]  # (week label, one text per series)


def _week_label(monday: dt.date) -> str:
    return date_format(monday, "j.n.")


def _panels(total: Trend, chosen: Trend | None) -> list[KpiPanel]:
    shown = [chosen, total] if chosen is not None else [total]
    labels = [_week_label(w.week) for w in total.weeks]
    panels = []
    for kpi in KPIS:
        series = [
            (
                trend.label or _("All"),
                [kpi.value(w) for w in trend.weeks],
                [kpi.text(w) for w in trend.weeks],
            )
            for trend in shown
        ]
        chart = line_chart(
            title=str(kpi.title),
            x_labels=labels,
            series=series,
            y_text=kpi.axis,
            maximum=kpi.maximum,
        )
        rows = [
            (labels[i], [texts[i] for _label, _values, texts in series])
            for i in range(len(labels) - 1, -1, -1)
        ]
        panels.append(KpiPanel(kpi, chart, rows))
    return panels


def _scope(request: HttpRequest) -> tuple[int | None, tuple[str, ...], bool]:
    """(the company shown or None for all, the dimensions offered, is a client manager)."""
    if request.user.role in CLIENT_MANAGERS:
        return company_for_user(request.user).pk, CLIENT_DIMENSIONS, True
    return int_param(request.GET, "company"), tuple(DIMENSION_LABELS), False


@role_required(*RECRUITERS, *CLIENT_MANAGERS)
def service_levels_page(request: HttpRequest) -> HttpResponse:
    company_id, dimensions, is_client = _scope(request)
    dimension = choice_param(request.GET, "by", dimensions, dimensions[0])
    key = int_param(request.GET, "group")
    total, trends = service_level_trends(dimension=dimension, company_id=company_id)
    chosen = next((t for t in trends if t.key == key), None) if key is not None else None
    export = choice_param(request.GET, "format", ("csv", "xlsx"), "")
    if export:
        return _export(export, dimension, total, [chosen] if chosen else trends)
    for_label = {k: str(v) for k, v in DIMENSION_LABELS.items() if k in dimensions}
    context = {
        "panels": _panels(total, chosen),
        "trends": trends,
        "total": total,
        "chosen": chosen,
        "weeks": TREND_WEEKS,
        "dimension": dimension,
        "dimensions": for_label,
        "dimension_label": for_label[dimension],
        "is_client": is_client,
        "companies": [] if is_client else ClientCompany.objects.order_by("name"),
        "company": "" if company_id is None or is_client else str(company_id),
        "group": "" if chosen is None else str(chosen.key),
        "query": request.GET.urlencode(),
    }
    return render(request, "staffing/service_levels.html", context)


EXPORT_COLUMNS = (
    "week",
    "requests",
    "cancelled",
    "filled",
    "fill_rate",
    "shortlist_median_seconds",
    "filled_median_seconds",
    "filled_p90_seconds",
    "no_shows",
    "late_cancellations",
    "repeat_orders",
)


def _export_rows(total: Trend, trends: list[Trend]) -> list[list]:
    def seconds(value: dt.timedelta | None) -> int | None:
        return round(value.total_seconds()) if value is not None else None

    out = []
    for trend in [total, *trends]:
        for w in trend.weeks:
            out.append(
                [
                    trend.label if trend is not total else _("All"),
                    w.week.isoformat(),
                    w.requests,
                    w.cancelled,
                    w.filled,
                    round(w.fill_rate, 4) if w.fill_rate is not None else None,
                    seconds(w.shortlist_median),
                    seconds(w.filled_median),
                    seconds(w.filled_p90),
                    w.no_shows,
                    w.late_cancellations,
                    w.repeat_orders,
                ]
            )
    return out


def _export(kind: str, dimension: str, total: Trend, trends: list[Trend]) -> HttpResponse:
    header = [dimension, *EXPORT_COLUMNS]
    rows = _export_rows(total, trends)
    name = f"service-levels-by-{dimension}-{dt.date.today().isoformat()}"
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            _xlsx(header, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def _xlsx(header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook  # imported here: only the export needs it (~60 ms to load)

    book = Workbook()
    sheet = book.active
    sheet.title = "service levels"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
