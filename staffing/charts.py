"""Small charts drawn server-side as inline SVG: no JavaScript, no chart library.

A chart here is plain geometry (positions and lengths in the SVG's own units) computed from
labelled values; the template only draws it. Value texts come formatted by the caller, so
they are already in the reader's language and locale.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
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


# --- Trend lines over weeks -----------------------------------------------------------------

LINE_WIDTH = 360
LINE_HEIGHT = 150
PLOT_LEFT = 44  # room for the y-axis labels
PLOT_RIGHT = 18
PLOT_TOP = 10
PLOT_BOTTOM = 24  # room for the week labels
# Series are told apart by marker shape and line pattern as well as colour.
SERIES_STYLES = (("circle", ""), ("square", "5 3"))


@dataclasses.dataclass(frozen=True)
class Point:
    x: float
    y: float
    text: str  # the value as the reader reads it, for the tooltip and the table


@dataclasses.dataclass(frozen=True)
class Series:
    label: str
    marker: str  # "circle" or "square"
    dash: str  # stroke-dasharray, "" for a solid line
    points: list[Point]  # missing values are left out
    segments: list[str]  # SVG path data: one "M x y L x y …" per unbroken run

    @property
    def css(self) -> str:
        return f"series-{self.marker}"


@dataclasses.dataclass(frozen=True)
class LineChart:
    title: str
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    series: list[Series]
    width: int = LINE_WIDTH
    height: int = LINE_HEIGHT
    plot_left: int = PLOT_LEFT
    plot_right: int = LINE_WIDTH - PLOT_RIGHT
    plot_bottom: int = LINE_HEIGHT - PLOT_BOTTOM
    label_y: int = LINE_HEIGHT - 8

    @property
    def empty(self) -> bool:
        return not any(s.points for s in self.series)


def line_chart(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], Sequence[str]]],
    y_text,
    maximum: float | None = None,
) -> LineChart:
    """A line chart of up to two (label, values, value texts) series over the same x labels.

    The y axis starts at 0 and ends at `maximum` or a round number above the largest value;
    `y_text` formats an axis value. A missing value (a week without requests) breaks the line.
    """
    values = [v for _, vs, _ in series for v in vs if v is not None]
    top = maximum if maximum is not None else _round_up(max(values, default=0))
    n = len(x_labels)
    plot_w = LINE_WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_h = LINE_HEIGHT - PLOT_TOP - PLOT_BOTTOM

    def x(i: int) -> float:
        return round(PLOT_LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    def y(v: float) -> float:
        return round(PLOT_TOP + plot_h * (1 - (v / top if top else 0)), 1)

    drawn = []
    for (label, vs, texts), (marker, dash) in zip(series, SERIES_STYLES, strict=False):
        points = [Point(x(i), y(v), texts[i]) for i, v in enumerate(vs) if v is not None]
        runs: list[list[str]] = []
        previous = None
        for i, v in enumerate(vs):
            if v is None:
                previous = None
                continue
            if previous is None:
                runs.append([])
            runs[-1].append(f"{x(i)} {y(v)}")
            previous = i
        segments = ["M " + " L ".join(run) for run in runs if len(run) > 1]
        drawn.append(Series(label, marker, dash, points, segments))
    every = 1 if n <= 6 else 2  # every other week label when they would touch
    ticks = [(y(top * f), y_text(top * f)) for f in (0, 0.5, 1)]
    labels = [(x(i), text) for i, text in enumerate(x_labels) if (n - 1 - i) % every == 0]
    return LineChart(title=title, x_labels=labels, y_ticks=ticks, series=drawn)


def _round_up(value: float) -> float:
    """A round axis maximum at or above `value`: 1, 2, 5 × a power of ten (1 for nothing)."""
    if value <= 0:
        return 1.0
    scale = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * scale:
            return step * scale
    return 10 * scale


def approx_duration_text(value: dt.timedelta | None) -> str:
    """A duration rounded as people say it: "5 min", "40 min", "1.5 h", "5 h", "3 d"."""
    if value is None:
        return "–"
    minutes = max(value.total_seconds() / 60, 0)
    if minutes < 55:
        return _("%(minutes)s min") % {"minutes": max(5, round(minutes / 5) * 5)}
    hours = minutes / 60
    if hours < 3:
        rounded = round(hours * 2) / 2
        text = number_format(rounded, decimal_pos=0 if rounded == int(rounded) else 1)
        return _("%(hours)s h") % {"hours": text}
    if hours < 36:
        return _("%(hours)s h") % {"hours": round(hours)}
    return _("%(days)s d") % {"days": number_format(round(hours / 24))}
