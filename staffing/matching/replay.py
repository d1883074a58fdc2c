"""Recompute a stored shortlist from its stored inputs, to show that a ranking can be replayed.

A stored shortlist keeps the request spec and the feature rows of everyone it ranked or listed
as a near miss. Because every rule is elementwise, ranking just those people gives them the
same scores and the same order as ranking the whole pool did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from staffing.matching.engine import MatchResult, rank
from staffing.matching.features import FEATURE_FIELDS, CandidateFeatures, RequestSpec
from staffing.matching.pool import Pool
from staffing.matching.rules import RULES_VERSION, engine_version


class RulesVersionMismatch(ValueError):
    """The shortlist was computed under other rules; replaying it under these would mislead."""


@dataclass(frozen=True)
class StoredInputs:
    spec: RequestSpec
    people: list[CandidateFeatures]
    size: int
    near_miss_size: int

    def to_json(self) -> dict[str, Any]:
        return inputs_json(
            spec=self.spec,
            people_rows=[_row(p.to_json()) for p in self.people],
            size=self.size,
            near_miss_size=self.near_miss_size,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredInputs:
        if "people_rows" in data:
            fields = data["people_fields"]
            people = [dict(zip(fields, row, strict=True)) for row in data["people_rows"]]
        else:  # stored before the table form
            people = data["people"]
        return cls(
            spec=RequestSpec.from_json(data["spec"]),
            people=[CandidateFeatures.from_json(p) for p in people],
            size=data["size"],
            near_miss_size=data["near_miss_size"],
        )


def inputs_json(
    *, spec: RequestSpec, people_rows: list[list[Any]], size: int, near_miss_size: int
) -> dict[str, Any]:
    """Stored inputs as JSON: the people as a table (field names once, then one row each in
    FEATURE_FIELDS order, see `Pool.feature_rows`), half the size of a list of objects, which
    every match writes."""
    return {
        "spec": spec.to_json(),
        "people_fields": list(FEATURE_FIELDS),
        "people_rows": people_rows,
        "size": size,
        "near_miss_size": near_miss_size,
    }


def _row(person: dict[str, Any]) -> list[Any]:
    return [person[name] for name in FEATURE_FIELDS]


def shortlist_replay(*, rules_version: str, inputs: dict[str, Any]) -> MatchResult:
    """Rank the stored people again under the stored spec; same scores and order as stored.

    The spec carries the weights it was ranked with, so a profile's later weights (a newer
    rules version of the same engine) do not change the replay."""
    if engine_version(rules_version) != RULES_VERSION:
        raise RulesVersionMismatch(f"stored {rules_version}, running {RULES_VERSION}")
    stored = StoredInputs.from_json(inputs)
    pool = Pool.from_features(sorted(stored.people, key=lambda p: p.id))
    return rank(pool, stored.spec, size=stored.size, near_miss_size=stored.near_miss_size)
