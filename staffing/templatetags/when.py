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


@register.filter(expects_localtime=False)
def weekday_datetime(value: dt.datetime | None) -> str:
    """Weekday, short date and time: the start of a shift or a deadline."""
    if not value:
        return ""
    local = _local(value)
    day = dateformat.format(local, get_format("SHORT_DATETIME_FORMAT"))
    return f"{dateformat.format(local, 'D')} {day}"


@register.filter(expects_localtime=False)
def weekday_date(value: dt.date | None) -> str:
    """Weekday and short date: a day off."""
    if not value:
        return ""
    local = _local(value)
    day = dateformat.format(local, get_format("SHORT_DATE_FORMAT"))
    return f"{dateformat.format(local, 'D')} {day}"
