"""The worker-side pool and the database agree after any sequence of changes."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import numpy as np
import pytest
from django.utils import timezone

from candidates.models import Candidate, CandidateLanguage, CandidateSkill, DateOff
from clients.models import CandidateMark
from staffing.matching.engine import rank
from staffing.matching.features import RequestSpec
from staffing.matching.kept import SITE_CACHE_SIZE
from staffing.matching.pool import Pool
from staffing.matching.rules import DEFAULT_WEIGHTS
from staffing.models import Placement, ReliabilityRecord, ServiceRating
from staffing.services.matching import request_spec
from staffing.services.pool import (
    features_load,
    pool_current,
    pool_keeper,
    pool_reset,
)
from tests.factories import (
    AssessmentFactory,
    CandidateFactory,
    ClientCompanyFactory,
    PlacementFactory,
    ShiftFactory,
    ShortlistEntryFactory,
    SkillFactory,
    StaffingRequestFactory,
)
from tests.staffing.matching.plain_data import person, request

pytestmark = pytest.mark.django_db


def assert_pool_matches_database(pool: Pool) -> None:
    fresh = Pool.from_features([])
    fresh.upsert(features_load())
    expected = {int(pk): fresh.features(i) for i, pk in enumerate(fresh.col("ids"))}
    live = pool.col("live")
    actual = {int(pk): pool.features(i) for i, pk in enumerate(pool.col("ids")) if live[i]}
    assert actual == expected
    assert_derived_columns_current(pool, fresh)


def assert_derived_columns_current(pool: Pool, fresh: Pool) -> None:
    """Every per-site and per-profile column the pool keeps (see Pool.derived) holds, for
    everyone live, what computing it afresh from the database gives."""
    live = np.flatnonzero(pool.col("live"))
    at = fresh.index_of(pool.col("ids")[live])
    for compute, columns in pool._derived.values():
        # A column is first computed for everyone at once (index None), then for the people
        # each change touches: both ways must give the same values.
        for index in (np.arange(fresh.size), None):
            for column, want in zip(columns, compute(fresh, index), strict=True):
                np.testing.assert_array_equal(column[live], want[at])


def _specs(companies) -> list[RequestSpec]:
    """Requests of both companies at two sites, with other weights for one."""
    return [
        request(company_id=companies[0].pk),
        request(company_id=companies[1].pk, site_latitude=60.5, site_longitude=25.2),
        request(
            company_id=companies[0].pk,
            focus="sales",
            weights={**DEFAULT_WEIGHTS, "distance": 3.0, "experience_client": 2.0},
        ),
    ]


_days_back = itertools.count(2, 2)


def _placement(someone, status):
    """A placement on a day of its own, so that no two of one person's overlap."""
    start = timezone.now() - dt.timedelta(days=next(_days_back))
    return PlacementFactory(
        candidate=someone,
        status=status,
        shift__starts_at=start,
        shift__ends_at=start + dt.timedelta(hours=6),
    )


def _mutate(rnd: random.Random, companies, skills) -> None:
    people = list(Candidate.objects.order_by("pk"))
    someone = rnd.choice(people)
    action = rnd.randrange(12)
    if action == 0:
        CandidateFactory(latitude=60 + rnd.random(), availability=rnd.randrange(1 << 21))
        return
    if action == 1:
        someone.availability = rnd.randrange(1 << 21)
        someone.max_travel_km = rnd.randint(1, 80)
        someone.save()
    elif action == 2:
        CandidateLanguage.objects.update_or_create(
            candidate=someone,
            language=rnd.choice(["fi", "sv", "en"]),
            defaults={"level": rnd.randint(1, 6)},
        )
    elif action == 3:
        CandidateSkill.objects.update_or_create(
            candidate=someone, skill=rnd.choice(skills), defaults={"level": rnd.randint(1, 3)}
        )
    elif action == 4:
        DateOff.objects.get_or_create(
            candidate=someone, date=timezone.localdate() + dt.timedelta(days=rnd.randint(0, 9))
        )
    elif action == 5:
        AssessmentFactory(
            candidate=someone,
            sales=rnd.randint(1, 5),
            language_checked="fi",
            language_level_verified=rnd.randint(1, 6),
        )
    elif action == 6:
        placement = PlacementFactory(
            candidate=someone,
            status=rnd.choice([Placement.Status.COMPLETED, Placement.Status.NO_SHOW]),
        )
        placement.request.company = rnd.choice(companies)
        placement.request.save()
    elif action == 7:
        CandidateMark.objects.update_or_create(
            candidate=someone,
            company=rnd.choice(companies),
            defaults={"kind": rnd.choice(["favourite", "do_not_return"])},
        )
    elif action == 8:
        someone.matching_consent = not someone.matching_consent
        someone.save()
    elif action in (10, 11):
        placement = _placement(someone, Placement.Status.COMPLETED)
        if action == 10:
            ServiceRating.objects.create(
                placement=placement,
                candidate=someone,
                company=placement.request.company,
                score=rnd.randint(1, 5),
            )
        else:
            ReliabilityRecord.objects.create(
                placement=placement,
                candidate=someone,
                kind=rnd.choice(["no_show", "late_cancellation"]),
            )
    else:
        ShortlistEntryFactory(candidate=someone)
        return  # shortlist appearances are counted without a touch
    Candidate.objects.filter(pk__in=[someone.pk]).touch()


@pytest.mark.parametrize("seed", range(4))
def test_pool_agrees_with_the_database_after_random_changes(seed):
    rnd = random.Random(seed)
    companies = ClientCompanyFactory.create_batch(2)
    skills = SkillFactory.create_batch(3)
    CandidateFactory.create_batch(5)
    specs = _specs(companies)
    for spec in specs:
        rank(pool_current(), spec)  # the columns kept per site and profile, to keep current
    for _ in range(25):
        _mutate(rnd, companies, skills)
        if rnd.random() < 0.4:
            rank(pool_current(), rnd.choice(specs))  # checks its totals against the factors
            assert_pool_matches_database(pool_current())
    assert_pool_matches_database(pool_current())
    kinds = [key[0] for key in pool_current()._derived]
    assert (kinds.count("site"), kinds.count("base")) == (2, 3)  # two sites, three profiles


def test_the_periodic_recount_agrees_and_is_not_counted_again():
    people = CandidateFactory.create_batch(3)
    pool_current()
    for someone in (people[0], people[0], people[1]):
        ShortlistEntryFactory(candidate=someone)
    assert_pool_matches_database(pool_current())
    pool_keeper().recounted_at = -1e9  # the recount is due
    assert_pool_matches_database(pool_current())
    ShortlistEntryFactory(candidate=people[2])
    assert_pool_matches_database(pool_current())  # recounted shortlists are not added twice


def test_the_pool_keeps_the_sites_used_last_and_counts_their_memory():
    pool = Pool.from_features([person(id=i, latitude=60 + i / 100) for i in range(1, 30)])
    before = pool.nbytes()
    sites = [(60 + i / 10, 25.0) for i in range(SITE_CACHE_SIZE + 3)]
    for lat, lon in sites:
        rank(pool, request(site_latitude=lat, site_longitude=lon))
    rank(pool, request(site_latitude=sites[0][0], site_longitude=sites[0][1]))
    kept = [key[1:] for key in pool._derived if key[0] == "site"]
    assert len(kept) == SITE_CACHE_SIZE
    assert kept[-1] == sites[0]  # used last, kept though the first used
    assert sites[1] not in kept and sites[-1] in kept
    assert pool.nbytes() > before


def test_a_worker_prepares_the_profiles_of_the_last_requests_when_it_loads():
    CandidateFactory.create_batch(3)
    request_ = StaffingRequestFactory(
        service_profile__site__latitude=61.5, service_profile__site__longitude=23.8
    )
    ShiftFactory(request=request_)
    pool_reset()
    pool = pool_current()
    prepared = set(pool._derived)
    assert ("site", 61.5, 23.8) in prepared
    rank(pool, request_spec(request=request_))
    assert set(pool._derived) == prepared  # nothing left to compute for its first match
