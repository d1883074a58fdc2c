"""Explained entries: each factor's value, points and the facts behind them, what a person
lacks, and why a near miss misses, gathered a column at a time for the few people picked."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from staffing.matching.factors import centi, factor_values, person_facts
from staffing.matching.features import RequestSpec
from staffing.matching.geometry import distance_km
from staffing.matching.pool import LANG_INDEX, Pool
from staffing.matching.rules import HARD_CONSTRAINTS, RULES_VERSION


class Entry(NamedTuple):
    """One ranked person or near miss (a named tuple: built 60 times a match, cheaply)."""

    candidate_id: int
    index: int  # type: ignore[assignment]  # position in the pool (shadows tuple.index)
    rank: int
    score: float
    explanation: dict[str, Any]
    near_miss: bool = False


@dataclass
class Points:
    """Soft-factor values and centipoints of the people at `index` (positions j = 0..k-1)."""

    pool: Pool
    spec: RequestSpec
    index: np.ndarray
    values: dict[str, np.ndarray]
    centi: dict[str, np.ndarray]
    total: np.ndarray
    facts: dict[str, np.ndarray]

    @classmethod
    def compute(
        cls, pool: Pool, spec: RequestSpec, index: np.ndarray, c2: np.ndarray | None = None
    ) -> Points:
        """Score the people at `index`; `c2` are everyone's chords from `screen` if at hand."""
        facts = person_facts(pool, spec, index, c2)
        values = factor_values(pool, spec, index, facts)
        points = {code: centi(spec.weights[code], v) for code, v in values.items()}
        total = np.zeros(len(index), dtype=np.int64)
        for column in points.values():
            total += column
        return cls(pool, spec, index, values, points, total, facts)

    def top(self, positions: np.ndarray, k: int) -> np.ndarray:
        """The k best of `positions` by (score desc, id asc), in that order; exact on ties."""
        ids = self.pool.col("ids")
        return positions[
            top_positions(self.total[positions], lambda at: ids[self.index[positions[at]]], k)
        ]

    def entries(
        self,
        positions: np.ndarray,
        failed: list[list[str]] | None,
        ranks: list[int] | None = None,
    ) -> list[Entry]:
        """Explained entries for `positions`; `failed` lists the hard constraints each fails
        (None: all pass); `ranks` their ranks (default 1.. in that order).

        Everything an explanation shows is gathered for all entries at once and turned into
        Python lists, which is many times faster than reading numpy scalars one by one.
        """
        if not len(positions):
            return []
        rows = EntryFacts(self, positions)
        factors = rows.factors()
        missing = rows.missing()
        out = []
        if ranks is None:
            ranks = list(range(1, len(positions) + 1))
        for r, (i, candidate_id, total, rank) in enumerate(
            zip(rows.index, rows.ids, rows.total, ranks, strict=True)
        ):
            fails = failed[r] if failed is not None else ()
            score = total / 100.0
            explanation = {
                "rules_version": RULES_VERSION,
                "score": score,
                "passed": [c for c in HARD_CONSTRAINTS if c not in fails]
                if fails
                else list(HARD_CONSTRAINTS),
                "failed": [failure_params(self.pool, self.spec, i, code) for code in fails],
                "factors": factors[r],
                "missing": missing[r],
            }
            out.append(Entry(candidate_id, i, rank, score, explanation, bool(fails)))
        return out


def top_positions(
    total: np.ndarray, ids_of: Callable[[np.ndarray], np.ndarray], k: int
) -> np.ndarray:
    """Positions in `total` of the k best by (score desc, id asc), in that order; exact on
    ties. `ids_of(positions)`: their candidate ids, asked only for the few it needs."""
    if not len(total) or k <= 0:
        return np.zeros(0, dtype=np.int64)
    if len(total) > k:
        kth = np.partition(total, len(total) - k)[len(total) - k]
        above = np.flatnonzero(total > kth)
        ties = np.flatnonzero(total == kth)
        ties = ties[np.argsort(ids_of(ties), kind="stable")[: k - len(above)]]
        pick = np.concatenate([above, ties])
    else:
        pick = np.arange(len(total))
    return pick[np.lexsort((ids_of(pick), -total[pick]))]


class EntryFacts:
    """The explanation facts of a few entries, gathered column by column into Python lists."""

    SCALARS = (
        "ids",
        "verified",
        "rating_count",
        "no_shows",
        "late_cancellations",
        "recent_shortlists",
        "confirmed",
        "completed_retail",
        "completed_office",
    )

    def __init__(self, points: Points, positions: np.ndarray) -> None:
        pool, spec = points.pool, points.spec
        self.spec = spec
        idx = points.index[positions]
        self.index = idx.tolist()
        self.col = {name: pool.cols[name][idx].tolist() for name in self.SCALARS}
        self.ids = self.col["ids"]
        self.assessment = [column[idx].tolist() for column in pool.assessment]
        codes = list(points.values)
        if codes:
            values = rounded(np.stack(list(points.values.values()))[:, positions], 4)
            centi = np.stack(list(points.centi.values()))[:, positions] / 100.0
        else:
            values = centi = np.zeros((0, len(positions)))
        self.values = dict(zip(codes, values.tolist(), strict=True))
        self.points = dict(zip(codes, centi.tolist(), strict=True))
        self.total = points.total[positions].tolist()
        self.km = rounded(points.facts["km"][positions], 1).tolist()
        self.average = rounded(pool.cols["rating_average"][idx].astype(np.float64), 1).tolist()
        self.client = points.facts["client"][positions].tolist()
        self.ages = self._ages()
        zeros = [0] * len(idx)
        self.skills = {
            s: pool.skills[s][idx].tolist() if s in pool.skills else zeros
            for s in {*spec.required_skills, *spec.preferred_skills}
        }

    def _ages(self) -> list[int | None]:
        """Days since each entry's availability was confirmed (None: never)."""
        now = self.spec.now
        return [
            None if math.isnan(confirmed) else int((now - confirmed) // 86400)
            for confirmed in self.col["confirmed"]
        ]

    def factors(self) -> list[list[dict[str, Any]]]:
        """Each entry's factor contributions and the facts behind them, built a column at a time:
        per factor, one dict per entry holding its code, weight, value, points and facts."""
        n = len(self.index)
        columns = [self._factor(code, n) for code in self.values]
        return [list(row) for row in zip(*columns, strict=True)] if columns else [[]] * n

    def _factor(self, code: str, n: int) -> list[dict[str, Any]]:
        """One factor's dicts for every entry (one dict literal per entry and factor: building
        the facts separately and merging them cost twice as much)."""
        spec, col = self.spec, self.col
        w = spec.weights[code]
        rows = zip(self.values[code], self.points[code], strict=True)
        if code in ("skills_required", "skills_preferred"):
            skills = spec.required_skills if code == "skills_required" else spec.preferred_skills
            of = len(skills)
            return [
                {"code": code, "weight": w, "value": v, "points": p, "have": h, "of": of}
                for (v, p), h in zip(rows, [self._held(skills, r) for r in range(n)], strict=True)
            ]
        if code == "assessment":
            return [
                {"code": code, "weight": w, "value": v, "points": p}
                | ({"service_attitude": a, "communication": c, "sales": s} if a else {})
                for (v, p), a, c, s in zip(rows, *self.assessment, strict=True)
            ]
        if code == "language_verified":
            bits = [LANG_INDEX[c] for c, _ in spec.languages]
            of = len(bits)
            return [
                {
                    "code": code,
                    "weight": w,
                    "value": v,
                    "points": p,
                    "verified": sum(1 for b in bits if x >> b & 1),
                    "of": of,
                }
                for (v, p), x in zip(rows, col["verified"], strict=True)
            ]
        if code == "experience_client":
            return [
                {"code": code, "weight": w, "value": v, "points": p, "completed": int(c)}
                for (v, p), c in zip(rows, self.client, strict=True)
            ]
        if code == "experience_kind":
            role = spec.role_type
            return [
                {
                    "code": code,
                    "weight": w,
                    "value": v,
                    "points": p,
                    "completed": c,
                    "role_type": role,
                }
                for (v, p), c in zip(rows, col[f"completed_{role}"], strict=True)
            ]
        if code == "rating":
            return [
                {
                    "code": code,
                    "weight": w,
                    "value": v,
                    "points": p,
                    "average": avg if count else None,
                    "count": count,
                }
                for (v, p), avg, count in zip(rows, self.average, col["rating_count"], strict=True)
            ]
        if code == "reliability":
            return [
                {
                    "code": code,
                    "weight": w,
                    "value": v,
                    "points": p,
                    "no_shows": a,
                    "late_cancellations": b,
                }
                for (v, p), a, b in zip(
                    rows, col["no_shows"], col["late_cancellations"], strict=True
                )
            ]
        if code == "distance":
            return [
                {"code": code, "weight": w, "value": v, "points": p, "km": km}
                for (v, p), km in zip(rows, self.km, strict=True)
            ]
        if code == "freshness":
            return [
                {"code": code, "weight": w, "value": v, "points": p, "days": days}
                for (v, p), days in zip(rows, self.ages, strict=True)
            ]
        if code == "fair_spread":
            return [
                {"code": code, "weight": w, "value": v, "points": p, "recent": c}
                for (v, p), c in zip(rows, col["recent_shortlists"], strict=True)
            ]
        return [{"code": code, "weight": w, "value": v, "points": p} for v, p in rows]

    def _held(self, skills: tuple[int, ...], r: int) -> int:
        return sum(1 for skill in skills if self.skills[skill][r])

    def missing(self) -> list[list[dict[str, Any]]]:
        """What each entry lacks that the request would like; shown to recruiters. Built a
        want at a time: most entries lack little, so most wants touch few of them."""
        spec = self.spec
        out: list[list[dict[str, Any]]] = [[] for _ in self.index]
        for required, skills in ((True, spec.required_skills), (False, spec.preferred_skills)):
            for skill in skills:
                for r, level in enumerate(self.skills[skill]):
                    if not level:
                        out[r].append({"code": "skill", "skill": skill, "required": required})
        for r, attitude in enumerate(self.assessment[0]):
            if not attitude:
                out[r].append({"code": "not_assessed"})
        verified = self.col["verified"]
        for code, level in spec.languages:
            bit = LANG_INDEX[code]
            for r, held in enumerate(verified):
                if not held >> bit & 1:
                    out[r].append({"code": "language_unverified", "language": code, "need": level})
        for r, age in enumerate(self.ages):
            if age is None:
                out[r].append({"code": "availability_unconfirmed"})
            elif age > spec.stale_days:
                out[r].append({"code": "availability_stale", "days": age})
        return out


def rounded(values: np.ndarray, digits: int) -> np.ndarray:
    """Python's `round(v, digits)` of every value (as explanations show them), by numpy: a
    column in one call, where round() takes 0.4 µs a number. numpy scales, rounds and scales
    back, which picks the other side only where v·10^digits lies within its rounding error of
    a half (0.98125 → 0.9812 instead of 0.9813); those few are rounded by round() itself."""
    scale = 10.0**digits
    scaled = values * scale
    out = np.rint(scaled)
    out /= scale
    for j in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < HALF_TOLERANCE).tolist():
        out.flat[j] = round(float(values.flat[j]), digits)
    return out


# Far above the error of v·10^digits (at most a few units in its last place for |v| < 1e6)
# and far below the gap to the next half: which values round() decides.
HALF_TOLERANCE = 1e-6


# --- explanations -------------------------------------------------------------------------
def failure_params(pool: Pool, spec: RequestSpec, i: int, code: str) -> dict[str, Any]:
    params: dict[str, Any] = {"code": code}
    if code == "role_type":
        params["need"] = spec.role_type
    elif code == "weekly_grid":
        missing = spec.grid_mask & ~int(pool.col("availability")[i])
        params["cells"] = [[b // 3, b % 3] for b in range(21) if missing & (1 << b)]
    elif code == "date_off":
        hits = [d for d in spec.dates if (pool.dates_off.people_with(float(d)) == i).any()]
        params["dates"] = [dt.date.fromordinal(d).isoformat() for d in hits]
    elif code == "travel":
        km = float(distance_km(pool, spec, np.array([i]))[0])
        params["km"] = None if np.isnan(km) else round(km, 1)
        params["max_km"] = int(pool.col("max_travel_km")[i])
    elif code == "language":
        params["languages"] = [
            {
                "language": c,
                "have": int(pool.languages[LANG_INDEX[c]][i]),
                "need": level,
                "verified": bool(int(pool.col("verified")[i]) >> LANG_INDEX[c] & 1),
            }
            for c, level in spec.languages
            if pool.languages[LANG_INDEX[c]][i] < level
        ]
    return params
