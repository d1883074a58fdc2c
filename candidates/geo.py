"""Finnish postal codes to places and coordinates, and distances between coordinates.

The data is a small CSV committed with the code (built by `scripts/build_postal_codes.py` from
Posti's code list and GeoNames), so looking up a code needs no network and no extra package.
Coordinates are those of the post office's locality, good enough for "within 20 km".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "postal_codes.csv"


@dataclass(frozen=True, slots=True)
class PostalPlace:
    postal_code: str
    place: str
    municipality: str
    latitude: float
    longitude: float


@cache
def postal_places() -> dict[str, PostalPlace]:
    """Every known code, read from the CSV once per process (about 5,000 rows, a few ms)."""
    with DATA_FILE.open(newline="", encoding="utf-8") as fh:
        return {
            row["postal_code"]: PostalPlace(
                row["postal_code"],
                row["place"],
                row["municipality"],
                float(row["latitude"]),
                float(row["longitude"]),
            )
            for row in csv.DictReader(fh)
        }


def postal_code_lookup(code: str | None) -> PostalPlace | None:
    """The place of a five-digit Finnish postal code; None when it is unknown or malformed."""
    if not code:
        return None
    return postal_places().get(code.strip())
