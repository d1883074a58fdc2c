"""Filters for the recruiter's dashboards (bench coverage, service levels)."""

from __future__ import annotations

import datetime as dt

from django import template

from staffing.charts import approx_duration_text, duration_text, percent_text

register = template.Library()


@register.filter
def duration_short(value: dt.timedelta | None) -> str:
    """A duration in at most two units, in the active language ("–" when missing)."""
    return duration_text(value)


@register.filter
def percent(share: float | None) -> str:
    """A share between 0 and 1 as a whole percentage in the active locale."""
    return percent_text(share)


@register.filter
def duration_about(value: dt.timedelta | None) -> str:
    """A duration rounded the way people say it: "40 min", "2 h", "1.5 h", "3 d"."""
    return approx_duration_text(value)
