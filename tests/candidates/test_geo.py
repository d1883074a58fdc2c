"""Postal-code lookup and distances: the data is there, is Finnish, and distances are sane."""

from __future__ import annotations

import pytest

from candidates.geo import postal_code_lookup, postal_places
from staffing.matching.geometry import great_circle_km as distance_km


@pytest.mark.parametrize(
    ("code", "municipality", "lat", "lon"),
    [
        ("00100", "Helsinki", 60.17, 24.94),
        ("02100", "Espoo", 60.21, 24.65),
        ("01300", "Vantaa", 60.29, 25.04),
        ("33100", "Tampere", 61.50, 23.79),
        ("20100", "Turku", 60.45, 22.27),
        ("90100", "Oulu", 65.01, 25.47),
    ],
)
def test_big_city_codes_have_coordinates(code, municipality, lat, lon):
    place = postal_code_lookup(code)
    assert place is not None
    assert place.municipality == municipality
    assert distance_km(place.latitude, place.longitude, lat, lon) < 3


def test_unknown_and_malformed_codes_give_none():
    assert postal_code_lookup("00000") is None
    assert postal_code_lookup("abc") is None
    assert postal_code_lookup("") is None
    assert postal_code_lookup(None) is None


def test_surrounding_whitespace_is_ignored():
    assert postal_code_lookup(" 00100 ") == postal_code_lookup("00100")


def test_data_covers_finland_and_only_finland():
    places = postal_places()
    assert len(places) > 4800
    for place in places.values():
        assert len(place.postal_code) == 5 and place.postal_code.isdigit()
        assert 59.5 < place.latitude < 70.2
        assert 19.0 < place.longitude < 31.7


def test_lookups_are_loaded_once():
    assert postal_places() is postal_places()


def test_distance_helsinki_tampere_is_about_160_km():
    assert distance_km(60.1699, 24.9384, 61.4978, 23.7610) == pytest.approx(161, abs=3)


def test_distance_to_self_is_zero_and_symmetric():
    assert distance_km(60.0, 25.0, 60.0, 25.0) == 0
    assert distance_km(60.0, 25.0, 65.0, 25.5) == pytest.approx(distance_km(65.0, 25.5, 60.0, 25.0))
