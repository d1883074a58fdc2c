"""Where demo people live and demo sites stand: real postal codes from the project's data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from candidates.geo import PostalPlace, postal_code_lookup, postal_places

# Share of the demo pool per municipality; the rest live anywhere in Finland. Roughly where
# customer-service work is, not the population census.
CITY_SHARES: dict[str, float] = {
    "Helsinki": 0.34,
    "Espoo": 0.13,
    "Vantaa": 0.11,
    "Tampere": 0.12,
    "Turku": 0.09,
    "Oulu": 0.08,
}
# Posti's coordinates are per locality, so every code in a city sits on one point; people are
# spread around it (standard deviation in km) so that distances look like a real city.
CITY_SPREAD_KM: dict[str, float] = {"Helsinki": 4.0, "Espoo": 5.0, "Vantaa": 4.5}
DEFAULT_SPREAD_KM = 3.0
KM_PER_DEGREE_LAT = 111.2


@dataclass(frozen=True)
class PostalPool:
    """Arrays for vectorised sampling: postal codes with their coordinates and spread."""

    codes: np.ndarray
    latitudes: np.ndarray
    longitudes: np.ndarray
    spread_km: np.ndarray
    weights: np.ndarray


def is_home_code(code: str) -> bool:
    """Street-address codes end in 0; the others are PO boxes, reply mail and parcel lockers."""
    return code.endswith("0")


@cache
def home_postal_pool() -> PostalPool:
    """Every home postal code, weighted so that the big cities get their CITY_SHARES."""
    places = [p for p in postal_places().values() if is_home_code(p.postal_code)]
    by_city: dict[str, list[PostalPlace]] = {}
    for place in places:
        key = place.municipality if place.municipality in CITY_SHARES else ""
        by_city.setdefault(key, []).append(place)
    rest_share = 1.0 - sum(CITY_SHARES.values())
    weights: list[float] = []
    for place in places:
        key = place.municipality if place.municipality in CITY_SHARES else ""
        share = CITY_SHARES.get(key, rest_share)
        weights.append(share / len(by_city[key]))
    w = np.array(weights)
    return PostalPool(
        codes=np.array([p.postal_code for p in places]),
        latitudes=np.array([p.latitude for p in places]),
        longitudes=np.array([p.longitude for p in places]),
        spread_km=np.array([CITY_SPREAD_KM.get(p.municipality, DEFAULT_SPREAD_KM) for p in places]),
        weights=w / w.sum(),
    )


def sample_homes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n home postal codes with coordinates jittered around the code's locality."""
    pool = home_postal_pool()
    idx = rng.choice(len(pool.codes), size=n, p=pool.weights)
    spread = pool.spread_km[idx]
    lat = pool.latitudes[idx] + rng.normal(0, 1, n) * spread / KM_PER_DEGREE_LAT
    lon_scale = KM_PER_DEGREE_LAT * np.cos(np.radians(pool.latitudes[idx]))
    lon = pool.longitudes[idx] + rng.normal(0, 1, n) * spread / lon_scale
    return pool.codes[idx], np.round(lat, 5), np.round(lon, 5)


def place(code: str) -> PostalPlace:
    """A postal code the demo relies on; a missing one is a bug in the demo data."""
    found = postal_code_lookup(code)
    if found is None:
        raise LookupError(f"postal code {code} is not in candidates/data/postal_codes.csv")
    return found
