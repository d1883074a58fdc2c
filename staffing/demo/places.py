"""Where demo people live and demo sites stand: real postal codes from the project's data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import numpy as np

from candidates.geo import PostalPlace, postal_code_lookup, postal_places
from clients.models import ServiceProfile

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


@dataclass(frozen=True)
class OfferDetails:
    """What a person offered work at a demo site reads: who meets them and what to bring."""

    contact_name: str
    contact_phone: str
    instructions: str


# By site name (staffing/demo/seed.py's COMPANIES). The names and numbers are invented.
DEMO_OFFER_DETAILS: dict[str, OfferDetails] = {
    "Kotimarket Kamppi": OfferDetails(
        "Sanna Lehtinen",
        "+358501234501",
        "Ilmoittaudu henkilökunnan ovelta (Urho Kekkosen kadun puolella) kymmenen minuuttia "
        "ennen vuoron alkua. Tuo mustat housut ja turvakengät; työpaita annetaan.",
    ),
    "Kotimarket Leppävaara": OfferDetails(
        "Pekka Virtanen",
        "+358501234502",
        "Ilmoittaudu infotiskille. Tuo mustat housut; työpaita ja nimikyltti annetaan.",
    ),
    "Kotimarket Tikkurila": OfferDetails(
        "Laura Mäkinen",
        "+358501234503",
        "Henkilökunnan sisäänkäynti lastauslaiturin vierestä. Tuo mustat housut.",
    ),
    "Kotimarket Hervanta": OfferDetails(
        "Jussi Heikkinen",
        "+358501234504",
        "Ilmoittaudu kassavastaavalle infotiskillä. Tuo mustat housut ja omat sisäkengät.",
    ),
    "Kotimarket Turku keskusta": OfferDetails(
        "Anna Salminen",
        "+358501234505",
        "Ilmoittaudu infotiskille. Tuo mustat housut; työpaita annetaan.",
    ),
    "Kotimarket Oulu keskusta": OfferDetails(
        "Mikael Koivisto",
        "+358501234506",
        "Henkilökunnan ovi Kirkkokadun puolella; soita ovikelloa. Tuo mustat housut.",
    ),
    "Linkki Pasila": OfferDetails(
        "Mikko Rantanen",
        "+358501234511",
        "Ilmoittaudu aulan vastaanottoon 3. kerroksessa ja kysy tiimiesimiestä. Kuulokkeet "
        "ja tunnukset annetaan; tuo henkilöllisyystodistus.",
    ),
    "Linkki Tampere": OfferDetails(
        "Riikka Laine",
        "+358501234512",
        "Vastaanotto 2. kerroksessa. Tuo henkilöllisyystodistus; kuulokkeet annetaan.",
    ),
    "Linkki Oulu": OfferDetails(
        "Teemu Hiltunen",
        "+358501234513",
        "Vastaanotto pääovella. Tuo henkilöllisyystodistus; kuulokkeet annetaan.",
    ),
    "Aurora Helsinki": OfferDetails(
        "Johanna Nieminen",
        "+358501234521",
        "Henkilökunnan sisäänkäynti Mikonkadun puolella. Tyylikäs musta asu; "
        "ilmoittaudu osastopäällikölle 3. kerroksessa.",
    ),
    "Aurora Turku": OfferDetails(
        "Ella Lindqvist",
        "+358501234522",
        "Ilmoittaudu asiakaspalvelupisteeseen 1. kerroksessa. Tyylikäs musta asu.",
    ),
    "Aurora Tampere": OfferDetails(
        "Oskari Lehto",
        "+358501234523",
        "Henkilökunnan ovi Hämeenkadun sisäpihalla. Tyylikäs musta asu.",
    ),
    "Elektra Vantaanportti": OfferDetails(
        "Jari Koskinen",
        "+358501234531",
        "Ilmoittaudu huoltotiskille. Työpaita annetaan; tuo mustat housut.",
    ),
    "Elektra Iso Omena": OfferDetails(
        "Sari Karjalainen",
        "+358501234532",
        "Henkilökunnan ovi pysäköintihallin P2-tasolla. Työpaita annetaan.",
    ),
    "Elektra Oulu": OfferDetails(
        "Antti Pesonen",
        "+358501234533",
        "Ilmoittaudu huoltotiskille. Työpaita annetaan; tuo mustat housut.",
    ),
    "Handelsboden Vasa": OfferDetails(
        "Linnea Holmström",
        "+358501234541",
        "Anmäl dig vid personalingången på gårdssidan tio minuter före passet. Ta med svarta "
        "byxor; arbetsskjorta och namnskylt får du av oss.",
    ),
    "Handelsboden Borgå": OfferDetails(
        "Johan Sundqvist",
        "+358501234542",
        "Anmäl dig vid infodisken. Ta med svarta byxor och egna inneskor.",
    ),
}
# Hourly pay (€) by kind of workplace: shops and contact centres pay differently.
DEMO_PAY: dict[str, tuple[Decimal, Decimal]] = {
    "retail": (Decimal("12.50"), Decimal("14.00")),
    "office": (Decimal("13.50"), Decimal("15.50")),
}


def demo_offer_details_fill() -> int:
    """Give the demo's service profiles their pay range, contact person and instructions where
    they have none yet (what an admin changed stays); returns the profiles changed."""
    fields = ("pay_min", "pay_max", "contact_name", "contact_phone", "instructions")
    changed = 0
    for profile in ServiceProfile.objects.select_related("site"):
        details = DEMO_OFFER_DETAILS.get(profile.site.name)
        pay = DEMO_PAY.get(profile.role_type)
        if details is None or pay is None:
            continue
        before = [getattr(profile, name) for name in fields]
        if profile.pay_min is None and profile.pay_max is None:
            profile.pay_min, profile.pay_max = pay
        profile.contact_name = profile.contact_name or details.contact_name
        profile.contact_phone = profile.contact_phone or details.contact_phone
        profile.instructions = profile.instructions or details.instructions
        if [getattr(profile, name) for name in fields] != before:
            profile.save(update_fields=[*fields, "updated_at"])
            changed += 1
    return changed
