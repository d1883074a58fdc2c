"""Where people live relative to a site: distances on the unit sphere, and who lives beyond
their own travel limit (exactly the haversine test, decided mostly in single precision)."""

from __future__ import annotations

import math

import numpy as np

from staffing.matching.features import RequestSpec
from staffing.matching.pool import Pool, unit_vector
from staffing.matching.rules import EARTH_RADIUS_KM


def chords32(pool: Pool, spec: RequestSpec, index: np.ndarray | None = None) -> np.ndarray:
    """Squared straight-line distance from the site on the unit sphere, in single precision,
    of everyone (or of the people at `index`); NaN when no home is known.

    One streaming pass over three float32 columns costs less than gathering the double-precision
    coordinates of the few hundred thousand people who could reach a capital-region site. Every
    score's distance comes from here, computed the same way for a whole pool or a few people, so
    a replay from stored features gets the same values bit for bit. Whether someone is within
    their travel limit is exact nonetheless (see `beyond_travel`).
    """
    sx, sy, sz = unit_vector(spec.site_latitude, spec.site_longitude)
    cols = [pool.col(name) for name in ("x32", "y32", "z32")]
    if index is not None:
        cols = [column[index] for column in cols]
    c2 = cols[0] - np.float32(sx)
    c2 *= c2
    for column, at in zip(cols[1:], (sy, sz), strict=True):
        d = column - np.float32(at)
        d *= d
        c2 += d
    return c2


# Bound on the single-precision error of a squared chord (coordinates within 2**-24 of the
# exact unit vector, differences below 0.2 for any travel limit up to 1000 km): people whose
# float32 chord lies this close to their threshold are decided in double precision.
CHORD32_MARGIN = np.float32(1e-7)


def beyond_travel(
    pool: Pool, spec: RequestSpec, c2: np.ndarray, index: np.ndarray | None = None
) -> np.ndarray:
    """Who of everyone (or of the people at `index`, whose chords `c2` are) lives beyond their
    own travel limit: exactly the haversine test (double precision chords against thresholds
    computed with `math`), decided in single precision for all but the few within
    CHORD32_MARGIN of their limit."""
    limit = pool.col("travel32")
    if index is not None:
        limit = limit[index]
    beyond = ~(c2 <= limit)
    close = np.flatnonzero(np.abs(c2 - limit) <= CHORD32_MARGIN)
    if len(close):
        people = close if index is None else index[close]
        beyond[close] = ~(squared_chords(pool, spec, people) <= pool.col("travel_d2")[people])
    return beyond


def squared_chords(pool: Pool, spec: RequestSpec, index: np.ndarray) -> np.ndarray:
    """Squared straight-line distance from the site on the unit sphere (NaN: no home known)."""
    sx, sy, sz = unit_vector(spec.site_latitude, spec.site_longitude)
    d2 = np.square(pool.col("x")[index] - sx)
    d2 += np.square(pool.col("y")[index] - sy)
    d2 += np.square(pool.col("z")[index] - sz)
    return d2


def distances(
    pool: Pool, spec: RequestSpec, index: np.ndarray, c2: np.ndarray | None
) -> np.ndarray:
    """Distance in km of the people at `index`, from everyone's chords `c2` if at hand."""
    return distance_km(pool, spec, index) if c2 is None else chord_km(c2[index])


def distance_km(pool: Pool, spec: RequestSpec, index: np.ndarray) -> np.ndarray:
    """Straight-line distance in km, from single-precision chords (`chords32`): within 0.01 % of
    the great-circle distance below 200 km, and a few metres."""
    return chord_km(chords32(pool, spec, index))


def chord_km(c2: np.ndarray) -> np.ndarray:
    return EARTH_RADIUS_KM * np.sqrt(c2.astype(np.float64))


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres, on the same earth the engine uses."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))
