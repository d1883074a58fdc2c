"""Bench coverage shaped for the recruiter's heatmap: heat levels, thin spots, client groups.

`staffing.services.bench.bench_coverage` gives the numbers; this module only decides how they
read: which colour a count gets, which cells are thin and in which order to list them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

HEAT_LEVELS = 4  # .heat-0 (nobody) … .heat-3 (comfortably covered)


def heat_level(count: int | None, want: int) -> int | None:
    """0 = nobody ready, 1 = thin (below `want`), 2 = enough, 3 = twice enough; None = unknown."""
    if count is None:
        return None
    if count == 0:
        return 0
    if count < want:
        return 1
    return 2 if count < 2 * want else 3


@dataclasses.dataclass(frozen=True)
class Cell:
    day: dt.date
    part: int
    part_label: str
    count: int | None
    level: int | None
    thin: bool
    # How the heatmap shows it (`CellTexts`): its classes, tooltip and the count as written.
    css: str = ""
    title: str = ""
    shown: str = ""


class CellTexts:
    """A heatmap cell's classes and words, worked out here rather than in the template: a
    page has hundreds of cells, and rendering each one's tags was most of the page's time.
    Day names, part names and counts repeat, so each is written once per page."""

    def __init__(self) -> None:
        self._days: dict[dt.date, str] = {}
        self._parts: dict[str, str] = {}
        self._counts: dict[int | None, tuple[str, str]] = {}

    def css(self, *, level: int | None, thin: bool, part: int) -> str:
        css = "heat-none" if level is None else f"heat-{level}"
        return css + (" thin" if thin else "") + (" day-start" if part == 0 else "")

    def title(self, *, day: dt.date, part_label: str, count: int | None) -> SafeString:
        """ "Monday evening: 3 ready", as the template's `date:'l'`, `lower` and (b)translate
        tags wrote it (the names escaped, a blocktranslate's own text not)."""
        if day not in self._days:
            self._days[day] = conditional_escape(date_filter(day, "l"))
        if part_label not in self._parts:
            self._parts[part_label] = conditional_escape(str(part_label).lower())
        return mark_safe(f"{self._days[day]} {self._parts[part_label]}: {self.count(count)[0]}")

    def count(self, count: int | None) -> tuple[str, str]:
        """The count's tooltip words and its number as the cell shows it ("–": not computed)."""
        if count not in self._counts:
            if count is None:
                self._counts[count] = (conditional_escape(gettext("not computed yet")), "–")
            else:
                number = conditional_escape(localize(count))
                words = ngettext("%(n)s ready", "%(n)s ready", count) % {"n": number}
                self._counts[count] = (words, number)
        return self._counts[count]


@dataclasses.dataclass(frozen=True)
class ProfileRow:
    profile_id: int
    profile: str
    company: str
    site: str
    refreshed_at: dt.datetime | None
    ready: int
    cells: list[Cell]

    @property
    def computed(self) -> bool:
        return self.refreshed_at is not None


@dataclasses.dataclass(frozen=True)
class ThinSpot:
    row: ProfileRow
    cell: Cell


@dataclasses.dataclass(frozen=True)
class Heatmap:
    days: list[dt.date]
    parts: list[str]
    want: int
    groups: list[tuple[str, list[ProfileRow]]]
    thin_spots: list[ThinSpot]

    @property
    def columns(self) -> int:
        return len(self.days) * len(self.parts)

    @property
    def rows(self) -> list[ProfileRow]:
        return [row for _, rows in self.groups for row in rows]


def profile_row(coverage: Mapping[str, Any], texts: CellTexts | None = None) -> ProfileRow:
    """One profile's coverage dict (see bench_coverage) as a row of heatmap cells."""
    want = coverage["thin_below"]
    texts = texts or CellTexts()
    cells = []
    for day, counts in zip(coverage["days"], coverage["counts"], strict=True):
        for part, count in enumerate(counts):
            level, thin = heat_level(count, want), count is not None and count < want
            label = coverage["parts"][part]
            cells.append(
                Cell(
                    day=day,
                    part=part,
                    part_label=label,
                    count=count,
                    level=level,
                    thin=thin,
                    css=texts.css(level=level, thin=thin, part=part),
                    title=texts.title(day=day, part_label=label, count=count),
                    shown=texts.count(count)[1],
                )
            )
    return ProfileRow(
        profile_id=coverage["profile_id"],
        profile=coverage["profile"],
        company=coverage["company"],
        site=coverage["site"],
        refreshed_at=coverage["refreshed_at"],
        ready=coverage["ready"],
        cells=cells,
    )


def coverage_heatmap(
    coverage: Sequence[Mapping[str, Any]],
    *,
    days: Sequence[dt.date],
    parts: Sequence[str],
    want: int,
    profile_ids: Iterable[int] | None = None,
) -> Heatmap:
    """The heatmap of `coverage` (ordered by client), keeping only `profile_ids` when given.

    Thin spots are the cells with fewer than `want` ready people, fewest first, then soonest;
    profiles whose bench was never built are shown as unknown, not as thin.
    """
    keep = None if profile_ids is None else set(profile_ids)
    texts = CellTexts()
    rows = [profile_row(c, texts) for c in coverage if keep is None or c["profile_id"] in keep]
    groups = [(company, list(members)) for company, members in groupby(rows, lambda r: r.company)]
    spots = [ThinSpot(row, cell) for row in rows for cell in row.cells if cell.thin]
    spots.sort(key=lambda s: (s.cell.count, s.cell.day, s.cell.part, s.row.company, s.row.profile))
    return Heatmap(days=list(days), parts=list(parts), want=want, groups=groups, thin_spots=spots)
