"""Small charts drawn server-side as inline SVG: no JavaScript, no chart library.

A chart here is plain geometry (positions and lengths in the SVG's own units) computed from
labelled values; the template only draws it. Value texts come formatted by the caller, so
they are already in the reader's language and locale.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.translation import gettext as _

WIDTH = 340  # viewBox width: about the width of a third of a laptop screen, so text is 1:1
LABEL_WIDTH = 118  # room for the client's name on the left
VALUE_WIDTH = 74  # room for the value text right of the longest bar
ROW_HEIGHT = 24
BAR_HEIGHT = 15
TOP = 4


@dataclasses.dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float  # top of the row
    length: float  # 0 when the value is missing
    missing: bool

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.length + 6


@dataclasses.dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return TOP * 2 + ROW_HEIGHT * max(len(self.bars), 1)

    @property
    def axis_x(self) -> int:
        return LABEL_WIDTH


def bar_chart(
    *,
    title: str,
    items: Sequence[tuple[str, float | None, str]],
    maximum: float | None = None,
) -> BarChart:
    """A horizontal bar chart of (label, value, value text) items, scaled to `maximum`.

    Without `maximum`, the largest value fills the plot; a missing value draws no bar.
    """
    values = [v for _, v, _ in items if v is not None]
    top = maximum if maximum is not None else max(values, default=0)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=label,
            value_text=text,
            y=TOP + i * ROW_HEIGHT,
            length=round(plot * value / top, 1) if value is not None and top > 0 else 0,
            missing=value is None,
        )
        for i, (label, value, text) in enumerate(items)
    ]
    return BarChart(title=title, bars=bars)


def duration_text(value: dt.timedelta | None) -> str:
    """A duration in at most two units in the active language: "45 s", "3 min 20 s", "2 h 5 min"."""
    if value is None:
        return "–"
    seconds = max(int(value.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": secs}
    return _("%(seconds)s s") % {"seconds": secs}


def percent_text(share: float | None) -> str:
    """A share (0..1) as a whole percentage in the active locale, "–" when unknown."""
    if share is None:
        return "–"
    return _("%(percent)s%%") % {"percent": number_format(round(share * 100))}
