"""The weekly availability grid: three day-parts × seven weekdays, stored as a 21-bit mask.

Bit `weekday * 3 + part` is set when the person is available for that part of that weekday
(Monday = 0). The day-parts partition the local day so that every shift needs a definite set of
them: morning 00:00–12:00, day 12:00–17:00, evening 17:00–24:00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

HELSINKI = ZoneInfo("Europe/Helsinki")


class DayPart(models.IntegerChoices):
    MORNING = 0, _("Morning")
    DAY = 1, _("Day")
    EVENING = 2, _("Evening")


PART_BOUNDS = {  # (start hour, end hour) in local time
    DayPart.MORNING: (0, 12),
    DayPart.DAY: (12, 17),
    DayPart.EVENING: (17, 24),
}
FULL_WEEK = (1 << 21) - 1
WEEKDAY_NAMES = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def bit(weekday: int, part: int) -> int:
    return 1 << (weekday * 3 + part)


def mask_from_cells(cells: Iterable[tuple[int, int]]) -> int:
    mask = 0
    for weekday, part in cells:
        mask |= bit(weekday, part)
    return mask


def cells_from_mask(mask: int) -> set[tuple[int, int]]:
    return {(d, p) for d in range(7) for p in range(3) if mask & bit(d, p)}


def shift_requirements(start: dt.datetime, end: dt.datetime) -> tuple[int, set[dt.date]]:
    """The weekly-grid bits a shift needs, and the local dates it touches.

    A shift needs every day-part it overlaps; past midnight it needs the next day's morning too.
    """
    local_start, local_end = start.astimezone(HELSINKI), end.astimezone(HELSINKI)
    mask, dates = 0, set()
    day = local_start.date()
    while True:
        day_start = dt.datetime.combine(day, dt.time(0), HELSINKI)
        for part, (lo, hi) in PART_BOUNDS.items():
            part_start = day_start + dt.timedelta(hours=lo)
            part_end = day_start + dt.timedelta(hours=hi)
            if local_start < part_end and local_end > part_start:
                mask |= bit(day.weekday(), part)
                dates.add(day)
        day += dt.timedelta(days=1)
        if dt.datetime.combine(day, dt.time(0), HELSINKI) >= local_end:
            break
    return mask, dates
