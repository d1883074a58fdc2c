"""Unit tests of the pure engine: each hard constraint, each soft factor, ties, explanations."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from candidates.availability import FULL_WEEK
from staffing.matching.engine import rank
from staffing.matching.pool import Pool, travel_threshold, unit_vector
from staffing.matching.rules import HARD_CONSTRAINTS, weights_resolve
from tests.staffing.matching.plain_data import (
    COMPANY,
    NOW,
    SHIFT_DATE,
    SHIFT_END,
    SHIFT_MASK,
    SHIFT_START,
    SITE,
    person,
    request,
)


def ranked_ids(people, spec=None, **kwargs):
    result = rank(Pool.from_features(people), spec or request(), **kwargs)
    return [e.candidate_id for e in result.ranked]


def only_entry(candidate, spec=None):
    result = rank(Pool.from_features([candidate]), spec or request())
    return (result.ranked or result.near_misses)[0]


def test_a_fitting_person_is_ranked_with_every_constraint_passed():
    entry = only_entry(person())
    assert not entry.near_miss
    assert entry.explanation["passed"] == list(HARD_CONSTRAINTS)
    assert entry.explanation["failed"] == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"works_retail": False, "works_office": True}, "role_type"),
        ({"availability": 0}, "weekly_grid"),
        ({"dates_off": (SHIFT_DATE,)}, "date_off"),
        ({"blocked": ((SHIFT_START - 6 * 3600, SHIFT_START + 3600),)}, "booked"),
        ({"latitude": 61.5, "longitude": 23.8}, "travel"),
        ({"latitude": None, "longitude": None}, "travel"),
        ({"languages": {"fi": 2}}, "language"),
        ({"marks": {COMPANY: "do_not_return"}}, "barred"),
    ],
)
def test_each_hard_constraint_keeps_a_person_out(changes, code):
    result = rank(Pool.from_features([person(**changes)]), request())
    assert result.ranked == []
    assert result.eligible_count == 0


def test_rest_period_counts_as_booked():
    """A placement ending 10 hours before the shift leaves less than 11 hours of rest."""
    earlier = (SHIFT_START - 18 * 3600, SHIFT_START - 10 * 3600 + 11 * 3600)
    assert ranked_ids([person(blocked=(earlier,))]) == []
    rested = (SHIFT_START - 20 * 3600, SHIFT_START - 11 * 3600 + 11 * 3600)
    assert ranked_ids([person(blocked=(rested,))]) == [1]


def test_rest_after_the_shift_counts_too():
    later = (SHIFT_END + 10 * 3600, SHIFT_END + 18 * 3600 + 11 * 3600)
    assert ranked_ids([person(blocked=(later,))]) == []
    assert ranked_ids([person(blocked=((SHIFT_END + 11 * 3600, SHIFT_END + 20 * 3600),))]) == [1]


def test_barred_by_another_company_does_not_matter():
    assert ranked_ids([person(marks={COMPANY + 1: "do_not_return"})]) == [1]


def test_other_language_levels():
    spec = request(languages=(("fi", 4), ("sv", 4)))
    assert ranked_ids([person(languages={"fi": 6, "sv": 4})], spec) == [1]
    assert ranked_ids([person(languages={"fi": 6, "sv": 3})], spec) == []


@pytest.mark.parametrize(
    ("changes", "code", "params"),
    [
        (
            {"languages": {"fi": 3}},
            "language",
            {"languages": [{"language": "fi", "have": 3, "need": 4, "verified": False}]},
        ),
        ({"dates_off": (SHIFT_DATE,)}, "date_off", {"dates": ["2026-03-03"]}),
        ({"availability": (1 << 21) - 1 - (1 << 5)}, "weekly_grid", {"cells": [[1, 2]]}),
        ({"max_travel_km": 1}, "travel", {"km": 1.3, "max_km": 1}),
    ],
)
def test_near_misses_keep_their_one_reason(changes, code, params):
    result = rank(Pool.from_features([person(**changes)]), request())
    (entry,) = result.near_misses
    assert entry.near_miss
    assert entry.explanation["failed"] == [{"code": code, **params}]
    assert code not in entry.explanation["passed"]


def test_wide_misses_and_two_failures_are_not_near_misses():
    far = person(1, latitude=61.5, longitude=23.8)
    two = person(2, languages={"fi": 3}, dates_off=(SHIFT_DATE,))
    other_role = person(3, works_retail=False, works_office=True)
    barred = person(4, marks={COMPANY: "do_not_return"})
    result = rank(Pool.from_features([far, two, other_role, barred]), request())
    assert result.near_misses == []


def factor(entry, code):
    return next(f for f in entry.explanation["factors"] if f["code"] == code)


@pytest.mark.parametrize(
    ("better", "worse", "code"),
    [
        ({"skills": {3: 3}}, {"skills": {3: 1}}, "skills_required"),
        ({"skills": {5: 2}}, {}, "skills_preferred"),
        ({"assessment": (5, 5, 1)}, {"assessment": (3, 3, 5)}, "assessment"),
        ({"verified_languages": ("fi",)}, {}, "language_verified"),
        (
            {"client_experience": {COMPANY: 2}},
            {"client_experience": {COMPANY + 1: 9}},
            "experience_client",
        ),
        ({"completed_retail": 4}, {"completed_office": 9}, "experience_kind"),
        (
            {"rating_average": 4.8, "rating_count": 3},
            {"rating_average": 2.0, "rating_count": 3},
            "rating",
        ),
        ({}, {"no_shows": 1}, "reliability"),
        (
            {"latitude": 60.17, "longitude": 24.94},
            {"latitude": 60.25, "longitude": 25.0},
            "distance",
        ),
        ({}, {"availability_confirmed_at": NOW - 40 * 86400}, "freshness"),
        ({}, {"recent_shortlists": 4}, "fair_spread"),
        ({"marks": {COMPANY: "favourite"}}, {}, "favourite"),
        ({"talent_pools": (COMPANY,)}, {"talent_pools": (COMPANY + 1,)}, "talent_pool"),
    ],
)
def test_each_soft_factor_ranks_the_better_person_first(better, worse, code):
    spec = request(required_skills=(3,), preferred_skills=(5,))
    good, bad = person(2, **better), person(1, **worse)
    result = rank(Pool.from_features([bad, good]), spec)
    assert [e.candidate_id for e in result.ranked] == [2, 1]
    first, second = result.ranked
    assert factor(first, code)["points"] > factor(second, code)["points"]


def test_unassessed_people_are_told_what_is_missing():
    entry = only_entry(person(assessment=None, availability_confirmed_at=None))
    codes = [m["code"] for m in entry.explanation["missing"]]
    assert "not_assessed" in codes
    assert "availability_unconfirmed" in codes
    assert factor(entry, "assessment")["points"] == 0


def test_contributions_add_up_to_the_score():
    entry = only_entry(person(skills={3: 2}), request(required_skills=(3, 4)))
    total = sum(round(f["points"] * 100) for f in entry.explanation["factors"])
    assert total == round(entry.score * 100)
    assert entry.explanation["score"] == entry.score


def test_ties_are_broken_by_candidate_id():
    people = [person(i) for i in (9, 3, 5, 1)]
    assert ranked_ids(people) == [1, 3, 5, 9]
    assert ranked_ids(people, size=2) == [1, 3]


def test_profile_weights_override_the_defaults():
    near = person(1, latitude=60.17, longitude=24.94, assessment=(2, 2, 2))
    assessed = person(2, latitude=60.25, longitude=25.05, assessment=(5, 5, 5))
    assert ranked_ids([near, assessed]) == [2, 1]
    spec = request(weights=weights_resolve({"distance": 60, "assessment": 1}))
    assert ranked_ids([near, assessed], spec) == [1, 2]


def test_bad_weights_are_ignored():
    weights = weights_resolve({"distance": "lots", "height": 3, "favourite": -2})
    assert weights == weights_resolve({})


def test_removed_people_are_not_ranked():
    pool = Pool.from_features([person(1), person(2)])
    pool.remove([1])
    assert [e.candidate_id for e in rank(pool, request()).ranked] == [2]
    assert rank(pool, request()).pool_size == 1


def test_pool_round_trips_features():
    someone = person(
        4,
        skills={3: 2},
        dates_off=(SHIFT_DATE,),
        blocked=((1.0, 2.0),),
        marks={COMPANY: "favourite"},
        client_experience={COMPANY: 2},
        verified_languages=("fi",),
        rating_average=4.5,
        rating_count=2,
        recent_shortlists=1,
        no_shows=1,
    )
    assert Pool.from_features([someone]).features(0) == someone


def _farthest_reach_home() -> tuple[float, float]:
    """A home just within 1000 km of the site that single precision puts just beyond it."""
    threshold = float(travel_threshold(np.array([1000]))[0])
    site = unit_vector(*SITE)

    def chord2(lat: float, lon: float, dtype=np.float64) -> float:
        home = unit_vector(lat, lon)
        return float(sum((dtype(h) - dtype(s)) ** 2 for h, s in zip(home, site, strict=True)))

    for lon in np.linspace(10, 40, 3000).tolist():
        south, north = 40.0, 60.0  # farther when further south
        if not chord2(south, lon) > threshold > chord2(north, lon):
            continue
        for _ in range(80):
            middle = (south + north) / 2
            south, north = (middle, north) if chord2(middle, lon) > threshold else (south, middle)
        if chord2(north, lon, np.float32) > threshold:
            return north, lon
    raise AssertionError("no such home on this meridian range")


def test_someone_travelling_the_longest_way_is_still_a_near_miss_on_another_constraint():
    latitude, longitude = _farthest_reach_home()
    one_part_short = FULL_WEEK & ~(SHIFT_MASK & -SHIFT_MASK)
    far = person(latitude=latitude, longitude=longitude, max_travel_km=1000)
    result = rank(Pool.from_features([far]), request())
    assert [e.candidate_id for e in result.ranked] == [far.id]  # within 1000 km, exactly
    missing = dataclasses.replace(far, availability=one_part_short)
    result = rank(Pool.from_features([missing]), request())
    assert [e.explanation["failed"][0]["code"] for e in result.near_misses] == ["weekly_grid"]


def test_the_engine_knows_the_languages_people_can_declare():
    """The engine keeps the codes as plain data; they must be the model's, in its order."""
    from candidates.languages import Language
    from staffing.matching.pool import LANGUAGES

    assert tuple(Language.values) == LANGUAGES
