"""The in-memory candidate pool: one numpy column per feature, updated in place.

Why columns: ranking 1,000,000 people means running each rule over every person, and numpy does
that in C at memory speed (a few milliseconds), where a Python loop takes seconds. The pool is
pure data: `staffing.services.pool` fills it from PostgreSQL and keeps it caught up.

Per-person lists of varying length (dates off, bookings, client marks, experience per client)
live in `SideTable`s: flat arrays of (candidate index, a, b) rows with tombstones, so that one
person's change costs a few microseconds instead of a rebuild.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from staffing.matching.features import FEATURE_FIELDS, CandidateFeatures
from staffing.matching.rules import EARTH_RADIUS_KM

# The languages the engine knows, in the order of its language columns and verified bits: the
# codes of `candidates.languages.Language` (a test keeps them equal), as plain data so that the
# engine imports no app.
LANGUAGES: tuple[str, ...] = (
    "fi", "sv", "en", "ru", "et", "de", "fr", "es", "ar", "so", "uk", "zh", "no", "ja",
)  # fmt: skip
LANG_INDEX = {code: i for i, code in enumerate(LANGUAGES)}
ROLE_BITS = {"retail": 1, "office": 2}
MARK_KINDS = {"favourite": 1, "do_not_return": 2}
MARK_NAMES = {v: k for k, v in MARK_KINDS.items()}
# The per-person lists kept as side tables (a FeatureBatch field and a Pool attribute each).
SIDE_TABLES = ("dates_off", "blocked", "marks", "client_experience", "talent_pools")

# Squared chord on the unit sphere for a great-circle distance of k km, for k = 0..1000.
# Comparing squared chords is exactly the haversine test without any trigonometry per request;
# the table is computed with `math` once so that every process gets bit-identical thresholds.
_TRAVEL_TABLE = np.array(
    [(2 * math.sin(k / (2 * EARTH_RADIUS_KM))) ** 2 for k in range(1001)], dtype=np.float64
)


def unit_vector(latitude: float | None, longitude: float | None) -> tuple[float, float, float]:
    """A home on the unit sphere; NaN for an unknown home, which then fails every travel test."""
    if latitude is None or longitude is None or math.isnan(latitude) or math.isnan(longitude):
        return (math.nan, math.nan, math.nan)
    lat, lon = math.radians(latitude), math.radians(longitude)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def travel_threshold(max_travel_km: np.ndarray) -> np.ndarray:
    return _TRAVEL_TABLE[np.clip(max_travel_km, 0, 1000).astype(np.int64)]


Rows = tuple[np.ndarray, np.ndarray, np.ndarray]
# Computes derived columns for the people at some pool indices, or for everyone when given
# None (no index to gather through; see Pool.derived).
Derive = Callable[["Pool", np.ndarray | None], tuple[np.ndarray, ...]]


def _views(columns: tuple[np.ndarray, ...], size: int) -> tuple[np.ndarray, ...]:
    """Read-only views of kept columns' first `size` values."""
    out = []
    for column in columns:
        view = column[:size]
        view.flags.writeable = False
        out.append(view)
    return tuple(out)


def _capacity_column(values: np.ndarray, capacity: int) -> np.ndarray:
    column = np.zeros(capacity, dtype=values.dtype)
    column[: len(values)] = values
    return column


def _rows(pos: Sequence[float] = (), a: Sequence[float] = (), b: Sequence[float] = ()) -> Rows:
    return (
        np.asarray(pos, dtype=np.int64),
        np.asarray(a, dtype=np.float64),
        np.asarray(b, dtype=np.float64),
    )


@dataclass
class FeatureBatch:
    """Features of k people as columns; side rows name their person by position in the batch."""

    ids: np.ndarray
    versions: np.ndarray  # Candidate.updated_at in microseconds, for catch-up
    latitude: np.ndarray
    longitude: np.ndarray
    max_travel_km: np.ndarray
    roles: np.ndarray
    availability: np.ndarray
    confirmed: np.ndarray  # NaN when never confirmed
    languages: np.ndarray  # (len(LANGUAGES), k) CEFR level, 0 = none
    verified: np.ndarray  # bit per language verified by an assessment
    assessment: np.ndarray  # (3, k), 0 = not assessed
    completed_retail: np.ndarray
    completed_office: np.ndarray
    no_shows: np.ndarray
    late_cancellations: np.ndarray
    rating_average: np.ndarray
    rating_count: np.ndarray
    recent_shortlists: np.ndarray
    skills: Rows = field(default_factory=_rows)  # (pos, skill id, level)
    dates_off: Rows = field(default_factory=_rows)  # (pos, date ordinal, 0)
    blocked: Rows = field(default_factory=_rows)  # (pos, start, end)
    marks: Rows = field(default_factory=_rows)  # (pos, company id, kind)
    client_experience: Rows = field(default_factory=_rows)  # (pos, company id, completed)
    talent_pools: Rows = field(default_factory=_rows)  # (pos, company id, 1)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def empty(cls, k: int) -> FeatureBatch:
        def z(dtype: type = np.int64) -> np.ndarray:
            return np.zeros(k, dtype=dtype)

        return cls(
            ids=z(),
            versions=z(),
            latitude=np.full(k, np.nan),
            longitude=np.full(k, np.nan),
            max_travel_km=z(),
            roles=z(np.uint8),
            availability=z(),
            confirmed=np.full(k, np.nan),
            languages=np.zeros((len(LANGUAGES), k), np.uint8),
            verified=z(),
            assessment=np.zeros((3, k), np.uint8),
            completed_retail=z(),
            completed_office=z(),
            no_shows=z(),
            late_cancellations=z(),
            rating_average=np.full(k, np.nan),
            rating_count=z(),
            recent_shortlists=z(),
        )

    @classmethod
    def from_features(
        cls, people: Sequence[CandidateFeatures], versions: Sequence[int] | None = None
    ) -> FeatureBatch:
        batch = cls.empty(len(people))
        side: dict[str, list[list[float]]] = {n: [[], [], []] for n in ("skills", *SIDE_TABLES)}

        def add(name: str, pos: int, a: float, b: float = 0.0) -> None:
            rows = side[name]
            rows[0].append(pos)
            rows[1].append(a)
            rows[2].append(b)

        for i, p in enumerate(people):
            batch.ids[i] = p.id
            batch.versions[i] = versions[i] if versions is not None else 0
            batch.latitude[i] = math.nan if p.latitude is None else p.latitude
            batch.longitude[i] = math.nan if p.longitude is None else p.longitude
            batch.max_travel_km[i] = p.max_travel_km
            batch.roles[i] = (ROLE_BITS["retail"] if p.works_retail else 0) | (
                ROLE_BITS["office"] if p.works_office else 0
            )
            batch.availability[i] = p.availability
            if p.availability_confirmed_at is not None:
                batch.confirmed[i] = p.availability_confirmed_at
            for code, level in p.languages.items():
                batch.languages[LANG_INDEX[code], i] = level
            for code in p.verified_languages:
                batch.verified[i] |= 1 << LANG_INDEX[code]
            if p.assessment:
                batch.assessment[:, i] = p.assessment
            batch.completed_retail[i] = p.completed_retail
            batch.completed_office[i] = p.completed_office
            batch.no_shows[i] = p.no_shows
            batch.late_cancellations[i] = p.late_cancellations
            if p.rating_average is not None:
                batch.rating_average[i] = p.rating_average
            batch.rating_count[i] = p.rating_count
            batch.recent_shortlists[i] = p.recent_shortlists
            for skill, level in p.skills.items():
                add("skills", i, skill, level)
            for day in p.dates_off:
                add("dates_off", i, day)
            for start, end in p.blocked:
                add("blocked", i, start, end)
            for company, kind in p.marks.items():
                add("marks", i, company, MARK_KINDS[kind])
            for company, count in p.client_experience.items():
                add("client_experience", i, company, count)
            for company in p.talent_pools:
                add("talent_pools", i, company, 1)
        for name, (pos, a, b) in side.items():
            setattr(batch, name, _rows(pos, a, b))
        return batch


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


def _rows_by_person(table: SideTable, wanted: np.ndarray) -> dict[int, list[tuple[float, float]]]:
    cand, a, b = table.view()
    out: dict[int, list[tuple[float, float]]] = {}
    if not len(cand) or not len(wanted):
        return out
    hit = np.flatnonzero(np.isin(cand, wanted, kind="table"))
    for person, x, y in zip(cand[hit].tolist(), a[hit].tolist(), b[hit].tolist(), strict=True):
        out.setdefault(person, []).append((x, y))
    return out


# Values whose rows a side table keeps positions of (the dates of the requests coming in).
EQUAL_VALUES_KEPT = 64


class SideTable:
    """Rows (candidate index, a, b); a person's rows are replaced by tombstoning and appending."""

    def __init__(self, capacity: int = 1024) -> None:
        self.cand = np.full(capacity, -1, dtype=np.int64)
        self.a = np.zeros(capacity, dtype=np.float64)
        self.b = np.zeros(capacity, dtype=np.float64)
        self.n = 0
        self.dead = 0
        # Row positions whose `a` equals a value, for the values asked (see `people_with`).
        self._equal: dict[float, np.ndarray] = {}

    def view(self) -> Rows:
        """(candidate index, a, b) of every row; dead rows have candidate index -1 and a NaN."""
        return self.cand[: self.n], self.a[: self.n], self.b[: self.n]

    def replace(self, indices: np.ndarray, rows: Rows) -> None:
        """Drop every row of `indices` and add `rows` (whose first column is pool indices)."""
        if self.n and len(indices):
            # A counting table, not a sort: one pass over the rows however many people change.
            stale = np.isin(self.cand[: self.n], np.asarray(indices, dtype=np.int64), kind="table")
            self.dead += int(stale.sum())
            self.cand[: self.n][stale] = -1
            self.a[: self.n][stale] = np.nan  # a dead row then never equals or overlaps anything
        cand, a, b = rows
        if len(cand):
            self._reserve(self.n + len(cand))
            end = self.n + len(cand)
            self.cand[self.n : end], self.a[self.n : end], self.b[self.n : end] = cand, a, b
            for value, positions in self._equal.items():
                added = np.flatnonzero(self.a[self.n : end] == value) + self.n
                if len(added):
                    self._equal[value] = np.concatenate([positions, added])
            self.n = end
        if self.dead > 1024 and self.dead * 2 > self.n:
            self._compact()

    def people_with(self, value: float) -> np.ndarray:
        """Candidate indices of the live rows whose `a` is `value` (who has a date off, say;
        someone may appear twice). The rows' positions are found once per value, then kept up
        to date by `replace`, so asking again costs nothing like a pass over every row."""
        positions = self._equal.get(value)
        if positions is None:
            if len(self._equal) >= EQUAL_VALUES_KEPT:
                self._equal.clear()
            positions = self._equal[value] = np.flatnonzero(self.a[: self.n] == value)
        people = self.cand[positions]
        return people[people >= 0]  # rows replaced since are dead (-1)

    def nbytes(self) -> int:
        return self.cand.nbytes + self.a.nbytes + self.b.nbytes

    def _reserve(self, needed: int) -> None:
        if needed <= len(self.cand):
            return
        capacity = max(needed, len(self.cand) * 3 // 2)
        for name in ("cand", "a", "b"):
            old = getattr(self, name)
            new = (
                np.full(capacity, -1, dtype=old.dtype)
                if name == "cand"
                else np.zeros(capacity, dtype=old.dtype)
            )
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def _compact(self) -> None:
        self._equal.clear()  # rows move
        keep = self.cand[: self.n] >= 0
        count = int(keep.sum())
        for name in ("cand", "a", "b"):
            column = getattr(self, name)
            column[:count] = column[: self.n][keep]
        self.cand[count : self.n] = -1
        self.n, self.dead = count, 0


_SCALARS = {  # pool column → dtype; kept small because 1M people × every byte counts
    "ids": np.int64,
    "versions": np.int64,
    "live": np.bool_,
    "latitude": np.float64,
    "longitude": np.float64,
    "x": np.float64,
    "y": np.float64,
    "z": np.float64,
    "travel_d2": np.float64,
    # Single-precision copies of the above: the screen's and the scores' geometry
    # (geometry.chords32), half the bytes to stream per request.
    "x32": np.float32,
    "y32": np.float32,
    "z32": np.float32,
    "travel32": np.float32,
    "max_travel_km": np.uint16,
    "roles": np.uint8,
    "availability": np.uint32,
    "confirmed": np.float64,
    "verified": np.uint16,
    "completed_retail": np.uint16,
    "completed_office": np.uint16,
    "no_shows": np.uint16,
    "late_cancellations": np.uint16,
    "rating_average": np.float32,
    "rating_count": np.uint16,
    "recent_shortlists": np.uint16,
    # The pool's change counter when the person was last upserted or removed (`generation`):
    # what someone keeping results per person (a bench's eligibility) re-screens.
    "touched": np.uint32,
}
_COPIED = (
    "ids",
    "versions",
    "latitude",
    "longitude",
    "max_travel_km",
    "roles",
    "availability",
    "confirmed",
    "verified",
    "completed_retail",
    "completed_office",
    "no_shows",
    "late_cancellations",
    "rating_average",
    "rating_count",
    "recent_shortlists",
)
# The scalar columns a person's features are read back from (Pool.feature_rows).
_ROW_COLUMNS = tuple(name for name in _COPIED if name != "versions")


class Pool:
    """Every matchable person as numpy columns; row i of each column is the same person."""

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        self.capacity = capacity
        self.cols: dict[str, np.ndarray] = {
            name: np.zeros(capacity, dtype=dtype) for name, dtype in _SCALARS.items()
        }
        self.languages = [np.zeros(capacity, dtype=np.uint8) for _ in LANGUAGES]
        self.assessment = [np.zeros(capacity, dtype=np.uint8) for _ in range(3)]
        self.skills: dict[int, np.ndarray] = {}
        self.dates_off = SideTable()
        self.blocked = SideTable()
        self.marks = SideTable()
        self.client_experience = SideTable()
        self.talent_pools = SideTable()
        self._order: np.ndarray | None = None  # argsort of ids when they are not ascending
        self._sorted = True
        self._live_count: int | None = None
        self.generation = 0  # counts upserts and removals (see the "touched" column)
        # Columns the engine derives from these for one key (a scoring key, a site; see
        # `derived`): key -> (function of (pool, indices), its columns), refreshed on upsert.
        self._derived: dict[tuple, tuple[Derive, tuple[np.ndarray, ...]]] = {}

    # --- lookups --------------------------------------------------------------------------
    def col(self, name: str) -> np.ndarray:
        return self.cols[name][: self.size]

    @property
    def live_count(self) -> int:
        """How many people are matchable (counted again only after a change)."""
        if self._live_count is None:
            self._live_count = int(self.col("live").sum())
        return self._live_count

    def index_of(self, ids: np.ndarray | Sequence[int]) -> np.ndarray:
        """Pool index of each id, or -1 for people not in the pool."""
        ids = np.asarray(ids, dtype=np.int64)
        known = self.col("ids")
        if not self._sorted and self._order is None:
            self._order = np.argsort(known, kind="stable")
        ordered = known if self._sorted else known[self._order]
        pos = np.searchsorted(ordered, ids)
        pos_ok = np.minimum(pos, max(self.size - 1, 0))
        found = (pos < self.size) & (ordered[pos_ok] == ids) if self.size else pos < 0
        index = pos_ok if self._sorted else self._order[pos_ok]  # type: ignore[index]
        return np.where(found, index, -1)

    def derived(
        self, key: tuple, compute: Derive, keep: int, *, store: bool = True
    ) -> tuple[np.ndarray, ...]:
        """Columns derived from the pool's for `key`, `size` long and read-only: computed for
        everyone on first use, then kept current by `upsert`, which recomputes them for the
        people it changes. `compute(pool, indices)` gives the columns at `indices` (everyone's,
        without gathering through an index, for None) and must be elementwise (the same value
        for a person however many are computed at once). At most
        `keep` keys of the same kind (key[0]) are kept, the least recently used dropped first.
        `store=False`: use what is kept, but neither keep a new key nor count this use.
        """
        if not store:
            kept = self._derived.get(key)
            return compute(self, None) if kept is None else _views(kept[1], self.size)
        cached = self._derived.pop(key, None)
        if cached is None:
            same = [k for k in self._derived if k[0] == key[0]]
            for old in same[: max(len(same) - keep + 1, 0)]:
                del self._derived[old]
            values = compute(self, None)
            columns = tuple(_capacity_column(v, self.capacity) for v in values)
            cached = (compute, columns)
        self._derived[key] = cached  # most recently used last
        return _views(cached[1], self.size)

    # --- changes ----------------------------------------------------------------------------
    def upsert(self, batch: FeatureBatch) -> np.ndarray:
        """Insert or overwrite the batch's people; returns their pool indices."""
        index = self._place(batch.ids)
        cols = self.cols
        for name in _COPIED:
            cols[name][index] = getattr(batch, name)
        cols["live"][index] = True
        self._live_count = None
        self.generation += 1
        cols["touched"][index] = self.generation
        xyz = np.array(
            [
                unit_vector(la, lo)
                for la, lo in zip(batch.latitude.tolist(), batch.longitude.tolist(), strict=True)
            ]
        ).reshape(-1, 3)
        cols["x"][index], cols["y"][index], cols["z"][index] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
        cols["x32"][index], cols["y32"][index], cols["z32"][index] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
        cols["travel_d2"][index] = travel_threshold(batch.max_travel_km)
        cols["travel32"][index] = cols["travel_d2"][index]
        for j, column in enumerate(self.languages):
            column[index] = batch.languages[j]
        for j, column in enumerate(self.assessment):
            column[index] = batch.assessment[j]
        self._set_skills(index, batch.skills)
        for name in SIDE_TABLES:
            pos, a, b = getattr(batch, name)
            getattr(self, name).replace(index, (index[pos], a, b))
        for compute, columns in self._derived.values():
            for column, values in zip(columns, compute(self, index), strict=True):
                column[index] = values
        return index

    def remove(self, ids: Sequence[int] | np.ndarray) -> None:
        """Take people out of matching (inactive, consent withdrawn, erased)."""
        index = self.index_of(ids)
        index = index[index >= 0]
        self.cols["live"][index] = False
        self._live_count = None
        self.generation += 1
        self.cols["touched"][index] = self.generation
        for name in SIDE_TABLES:
            getattr(self, name).replace(index, _rows())

    def _place(self, ids: np.ndarray) -> np.ndarray:
        index = self.index_of(ids)
        new = index < 0
        if new.any():
            new_ids = ids[new]
            start = self.size
            self._reserve(start + len(new_ids))
            index[new] = np.arange(start, start + len(new_ids))
            self.cols["ids"][start : start + len(new_ids)] = new_ids
            previous = self.cols["ids"][start - 1] if start else np.iinfo(np.int64).min
            ascending = bool(np.all(np.diff(new_ids) > 0)) and (new_ids[0] > previous)
            self.size += len(new_ids)
            if self._sorted and not ascending:
                self._sorted = False
            self._order = None
        return index

    def _set_skills(self, index: np.ndarray, rows: Rows) -> None:
        for column in self.skills.values():
            column[index] = 0
        pos, skill, level = rows
        for skill_id in np.unique(skill).astype(np.int64).tolist():
            if skill_id not in self.skills:
                self.skills[skill_id] = np.zeros(self.capacity, dtype=np.uint8)
            hit = skill == skill_id
            self.skills[skill_id][index[pos[hit]]] = level[hit]

    def _reserve(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        capacity = max(needed, self.capacity * 3 // 2)

        def grow(old: np.ndarray) -> np.ndarray:
            new = np.zeros(capacity, dtype=old.dtype)
            new[: self.size] = old[: self.size]
            return new

        self.cols = {name: grow(column) for name, column in self.cols.items()}
        self.languages = [grow(column) for column in self.languages]
        self.assessment = [grow(column) for column in self.assessment]
        self.skills = {k: grow(column) for k, column in self.skills.items()}
        self._derived = {}
        self.capacity = capacity

    # --- reading people back ------------------------------------------------------------
    def features(self, index: int) -> CandidateFeatures:
        """One person's features as the engine saw them (stored with a shortlist for replay)."""
        return self.features_many([index])[0]

    def features_many(self, indices: Sequence[int]) -> list[CandidateFeatures]:
        """Several people's features (see `feature_rows`)."""
        return [
            CandidateFeatures.from_json(dict(zip(FEATURE_FIELDS, row, strict=True)))
            for row in self.feature_rows(indices)
        ]

    def feature_rows(self, indices: Sequence[int]) -> list[list[Any]]:
        """Several people's features as JSON-ready rows in FEATURE_FIELDS order: exactly
        `CandidateFeatures.to_json()` of each, which is what a stored shortlist keeps for
        replay. One pass over each side table, whatever their number.

        Every column is gathered for all of them at once and read as Python lists: reading numpy
        scalars one person and one column at a time cost ~45 µs a person, and building the
        dataclasses first and turning them into JSON cost three times what this does.
        """
        wanted = np.asarray(indices, dtype=np.int64)
        side = {name: _rows_by_person(getattr(self, name), wanted) for name in SIDE_TABLES}
        c = {name: self.cols[name][wanted].tolist() for name in _ROW_COLUMNS}
        languages = [
            (code, levels)
            for code, column in zip(LANGUAGES, self.languages, strict=True)
            if any(levels := column[wanted].tolist())
        ]
        verified_bits = [(code, 1 << j) for j, code in enumerate(LANGUAGES)]
        assessment = list(
            zip(*(column[wanted].tolist() for column in self.assessment), strict=True)
        )
        skills = [
            (str(skill), levels)
            for skill, column in sorted(self.skills.items())
            if (levels := column[wanted].tolist()) and any(levels)
        ]
        retail, office = ROLE_BITS["retail"], ROLE_BITS["office"]
        rows = []
        for r, i in enumerate(wanted.tolist()):
            roles, verified, scores = c["roles"][r], c["verified"][r], assessment[r]
            rows.append(
                [
                    c["ids"][r],
                    _number(c["latitude"][r]),
                    _number(c["longitude"][r]),
                    c["max_travel_km"][r],
                    bool(roles & retail),
                    bool(roles & office),
                    c["availability"][r],
                    _number(c["confirmed"][r]),
                    {code: levels[r] for code, levels in languages if levels[r]},
                    [code for code, bit in verified_bits if verified & bit],
                    {skill: levels[r] for skill, levels in skills if levels[r]},
                    list(scores) if scores[0] else None,
                    c["completed_retail"][r],
                    c["completed_office"][r],
                    c["no_shows"][r],
                    c["late_cancellations"][r],
                    _number(c["rating_average"][r]),
                    c["rating_count"][r],
                    c["recent_shortlists"][r],
                    sorted(int(a) for a, _ in side["dates_off"].get(i, ())),
                    [list(b) for b in sorted(side["blocked"].get(i, ()))],
                    {str(int(a)): MARK_NAMES[int(b)] for a, b in side["marks"].get(i, ())},
                    {str(int(a)): int(b) for a, b in side["client_experience"].get(i, ())},
                    sorted(int(a) for a, _ in side["talent_pools"].get(i, ())),
                ]
            )
        return rows

    @classmethod
    def from_features(cls, people: Sequence[CandidateFeatures]) -> Pool:
        pool = cls(capacity=max(16, len(people)))
        if people:
            pool.upsert(FeatureBatch.from_features(people))
        return pool

    # --- snapshots ----------------------------------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        """The pool as named arrays (`from_arrays` rebuilds it): the columns' first `size`
        values and the side tables' rows, compacted. Derived columns are not included."""
        n = self.size
        out = {f"col.{name}": column[:n] for name, column in self.cols.items()}
        out |= {f"language.{j}": column[:n] for j, column in enumerate(self.languages)}
        out |= {f"assessment.{j}": column[:n] for j, column in enumerate(self.assessment)}
        out |= {f"skill.{k}": column[:n] for k, column in self.skills.items()}
        for name in SIDE_TABLES:
            cand, a, b = getattr(self, name).view()
            live = cand >= 0
            out |= {f"{name}.cand": cand[live], f"{name}.a": a[live], f"{name}.b": b[live]}
        out["meta"] = np.array([n, int(self._sorted), self.generation], dtype=np.int64)
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> Pool:
        """The pool `to_arrays` wrote (with room for 10 % more people)."""
        size, is_sorted, generation = (int(v) for v in arrays["meta"])
        pool = cls(capacity=max(1024, int(size * 1.1)))
        pool.size, pool._sorted, pool.generation = size, bool(is_sorted), generation
        for name in pool.cols:
            pool.cols[name][:size] = arrays[f"col.{name}"]
        for j, column in enumerate(pool.languages):
            column[:size] = arrays[f"language.{j}"]
        for j, column in enumerate(pool.assessment):
            column[:size] = arrays[f"assessment.{j}"]
        for key in arrays:
            if key.startswith("skill."):
                column = np.zeros(pool.capacity, dtype=np.uint8)
                column[:size] = arrays[key]
                pool.skills[int(key.removeprefix("skill."))] = column
        for name in SIDE_TABLES:
            rows = tuple(arrays[f"{name}.{part}"] for part in ("cand", "a", "b"))
            table = SideTable(max(1024, len(rows[0])))
            table.replace(np.zeros(0, dtype=np.int64), rows)  # type: ignore[arg-type]
            setattr(pool, name, table)
        return pool

    def nbytes(self) -> int:
        """Bytes held by the pool's arrays (its memory footprint, give or take Python headers)."""
        arrays = [*self.cols.values(), *self.languages, *self.assessment, *self.skills.values()]
        arrays += [column for _, columns in self._derived.values() for column in columns]
        tables = [getattr(self, name) for name in SIDE_TABLES]
        return sum(a.nbytes for a in arrays) + sum(t.nbytes() for t in tables)
