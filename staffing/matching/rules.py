"""The scoring rules: their version, the hard constraints and the soft factors' default weights.

Bump RULES_VERSION whenever a rule, a weight or a scale below changes: stored shortlists carry
the version they were computed with, and replay refuses to recompute under another version.
"""

from __future__ import annotations

from collections.abc import Mapping

RULES_VERSION = "engine-2"  # engine-2: the client's talent pool factor

# Hard constraints, in the order they are checked and explained. "matchable" (active and
# consenting) is a gate, not a near-miss reason: people who withdrew consent are never shown.
HARD_CONSTRAINTS = (
    "matchable",
    "role_type",
    "weekly_grid",
    "date_off",
    "booked",
    "travel",
    "language",
    "barred",
)

# Soft factors: each has a value in [0, 1] (penalties in [-1, 0]); its contribution is
# weight × value, in points. The defaults give a well-assessed, nearby, experienced person who
# has every skill about 100 points. See docs/matching.md for why each weight is what it is.
DEFAULT_WEIGHTS: dict[str, float] = {
    "skills_required": 20.0,
    "skills_preferred": 8.0,
    "assessment": 20.0,
    "language_verified": 4.0,
    "experience_client": 10.0,
    "experience_kind": 6.0,
    "rating": 8.0,
    "reliability": 10.0,
    "distance": 12.0,
    "freshness": 6.0,
    "fair_spread": 5.0,
    "favourite": 10.0,
    "talent_pool": 6.0,
}
SOFT_FACTORS = tuple(DEFAULT_WEIGHTS)

# Scales of the factors.
DISTANCE_SCALE_KM = 30.0  # beyond this, nearness adds nothing
CLIENT_EXPERIENCE_CAP = 5  # completed placements with this client that count
KIND_EXPERIENCE_CAP = 10  # completed placements of this role type that count
RELIABILITY_CAP = 3.0  # no-shows + half the late cancellations that make the full penalty
LATE_CANCELLATION_WEIGHT = 0.5
FAIR_SPREAD_CAP = (
    10  # shortlist appearances (later: offers) in FAIR_SPREAD_DAYS for the full penalty
)
FAIR_SPREAD_DAYS = 7
NEUTRAL_RATING = 0.5  # value for someone not yet rated: neither rewarded nor punished
EARTH_RADIUS_KM = 6371.0
DAILY_REST_SECONDS = 11 * 3600
NEAR_TRAVEL_KM = 10  # how far beyond their own travel limit a near miss may live

# How the assessment areas (service attitude, communication, sales) weigh per service focus.
FOCUS_AREAS: dict[str, tuple[float, float, float]] = {
    "service": (0.5, 0.5, 0.0),
    "sales": (0.25, 0.25, 0.5),
    "both": (1 / 3, 1 / 3, 1 / 3),
}


def weights_resolve(overrides: Mapping[str, object] | None) -> dict[str, float]:
    """The default weights with a profile's overrides; unknown keys and bad values are ignored.

    A profile's weights are edited by people, so a typo must not break matching; it simply has
    no effect (the admin form validates them for the user).
    """
    weights = dict(DEFAULT_WEIGHTS)
    for key, value in (overrides or {}).items():
        if key in weights and isinstance(value, int | float) and 0 <= value <= 100:
            weights[key] = float(value)
    return weights


def rules_version_of(*, profile_id: int | None, weights_version: int) -> str:
    """The rules a ranking for a profile ran under: the engine's, and the number of the
    profile's saved weights (clients.ProfileRulesVersion) when it has any, so that a stored
    shortlist says which saved weights it was ranked with ("engine-1/p12w3")."""
    if not weights_version or profile_id is None:
        return RULES_VERSION
    return f"{RULES_VERSION}/p{profile_id}w{weights_version}"


def engine_version(rules_version: str) -> str:
    """The engine's part of a stored rules version (what replay must run under)."""
    return rules_version.split("/", 1)[0]
