"""Dates and times in the active language's named formats (staffing/formats/), with the weekday.

Built into every template (TEMPLATES builtins), so pages and emails never spell out their own
format strings: Finnish "to 3.12.2026 17.00", Swedish "tors 3.12.2026 17:00", English
"Thu 3 Dec 2026, 17:00".
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import get_format

register = template.Library()


def _local(value: dt.datetime | dt.date) -> dt.datetime | dt.date:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _with_weekday(value: dt.date | None, format_name: str) -> str:
    if not value:
        return ""
    local = _local(value)
    return f"{dateformat.format(local, 'D')} {dateformat.format(local, get_format(format_name))}"


@register.filter(expects_localtime=False)
def weekday_datetime(value: dt.datetime | None) -> str:
    """Weekday, short date and time: the start of a shift or a deadline."""
    return _with_weekday(value, "SHORT_DATETIME_FORMAT")


@register.filter(expects_localtime=False)
def weekday_date(value: dt.date | None) -> str:
    """Weekday and short date: a day off."""
    return _with_weekday(value, "SHORT_DATE_FORMAT")
