"""What the engine may see: an explicit allow-list of candidate features, and the request spec.

Fairness by construction: the engine only ever receives `CandidateFeatures`, whose fields are
listed here. Names, contact details, birth year, the free-text introduction, assessment notes
and request notes have no field, so they cannot influence a ranking. Both types round-trip
through plain JSON, which is what a stored shortlist keeps for replay.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# Candidate model columns the loader may read; nothing else of the Candidate row is selected.
CANDIDATE_COLUMNS = (
    "id",
    "latitude",
    "longitude",
    "max_travel_km",
    "works_retail",
    "works_office",
    "availability",
    "availability_confirmed_at",
)


@dataclass(frozen=True)
class CandidateFeatures:
    """One person as the engine sees them. Times are POSIX seconds, dates proleptic ordinals."""

    id: int
    latitude: float | None
    longitude: float | None
    max_travel_km: int
    works_retail: bool
    works_office: bool
    availability: int
    availability_confirmed_at: float | None
    languages: dict[str, int] = field(default_factory=dict)
    verified_languages: tuple[str, ...] = ()
    skills: dict[int, int] = field(default_factory=dict)
    assessment: tuple[int, int, int] | None = None  # latest: attitude, communication, sales
    completed_retail: int = 0
    completed_office: int = 0
    no_shows: int = 0
    late_cancellations: int = 0  # fed by the feedback issue; 0 until then
    rating_average: float | None = None  # client ratings 1–5, fed by the feedback issue
    rating_count: int = 0
    recent_shortlists: int = 0
    dates_off: tuple[int, ...] = ()
    blocked: tuple[tuple[float, float], ...] = ()  # active placements' shift + daily rest
    marks: dict[int, str] = field(default_factory=dict)  # company id → favourite/do_not_return
    client_experience: dict[int, int] = field(default_factory=dict)  # company id → completed
    talent_pools: tuple[int, ...] = ()  # companies with a talent pool the person is in

    def to_json(self) -> dict[str, Any]:
        # By hand rather than dataclasses.asdict: this runs for every stored entry, and asdict's
        # deep copy is ten times slower.
        data = {name: getattr(self, name) for name in _SCALAR_FIELDS}
        data["languages"] = dict(self.languages)
        data["verified_languages"] = list(self.verified_languages)
        data["skills"] = {str(k): v for k, v in self.skills.items()}
        data["assessment"] = list(self.assessment) if self.assessment else None
        data["dates_off"] = list(self.dates_off)
        data["blocked"] = [list(b) for b in self.blocked]
        data["marks"] = {str(k): v for k, v in self.marks.items()}
        data["client_experience"] = {str(k): v for k, v in self.client_experience.items()}
        data["talent_pools"] = sorted(self.talent_pools)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CandidateFeatures:
        values = dict(data)
        values["verified_languages"] = tuple(data.get("verified_languages", ()))
        values["skills"] = {int(k): v for k, v in data.get("skills", {}).items()}
        values["assessment"] = tuple(data["assessment"]) if data.get("assessment") else None
        values["dates_off"] = tuple(data.get("dates_off", ()))
        values["blocked"] = tuple(tuple(b) for b in data.get("blocked", ()))
        values["marks"] = {int(k): v for k, v in data.get("marks", {}).items()}
        values["client_experience"] = {
            int(k): v for k, v in data.get("client_experience", {}).items()
        }
        # Features stored before talent pools existed have none.
        values["talent_pools"] = tuple(sorted(int(c) for c in data.get("talent_pools", ())))
        return cls(**values)


FEATURE_FIELDS = tuple(f.name for f in dataclasses.fields(CandidateFeatures))
_SCALAR_FIELDS = tuple(
    name
    for name in FEATURE_FIELDS
    if name
    not in {
        "languages",
        "verified_languages",
        "skills",
        "assessment",
        "dates_off",
        "blocked",
        "marks",
        "client_experience",
        "talent_pools",
    }
)


@dataclass(frozen=True)
class ShiftSpec:
    start: float
    end: float
    grid_mask: int  # weekly-grid bits the shift needs (candidates.availability.shift_requirements)
    dates: tuple[int, ...]  # local dates it touches, as ordinals


@dataclass(frozen=True)
class RequestSpec:
    """Everything about a request that ranking depends on (never its free-text notes)."""

    company_id: int
    role_type: str
    site_latitude: float
    site_longitude: float
    shifts: tuple[ShiftSpec, ...]
    now: float
    weights: dict[str, float]
    focus: str = "service"
    languages: tuple[tuple[str, int], ...] = ()
    required_skills: tuple[int, ...] = ()
    preferred_skills: tuple[int, ...] = ()
    stale_days: int = 14

    @property
    def grid_mask(self) -> int:
        mask = 0
        for shift in self.shifts:
            mask |= shift.grid_mask
        return mask

    @property
    def dates(self) -> tuple[int, ...]:
        return tuple(sorted({d for shift in self.shifts for d in shift.dates}))

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestSpec:
        values = dict(data)
        values["shifts"] = tuple(
            ShiftSpec(s["start"], s["end"], s["grid_mask"], tuple(s["dates"]))
            for s in data["shifts"]
        )
        values["languages"] = tuple((code, level) for code, level in data.get("languages", ()))
        values["required_skills"] = tuple(data.get("required_skills", ()))
        values["preferred_skills"] = tuple(data.get("preferred_skills", ()))
        return cls(**values)
