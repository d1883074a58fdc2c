"""The worker-side pool and the database agree after any sequence of changes."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from django.utils import timezone

from candidates.models import Candidate, CandidateLanguage, CandidateSkill, DateOff
from clients.models import CandidateMark
from staffing.matching.pool import Pool
from staffing.models import Placement, ReliabilityRecord, ServiceRating
from staffing.services.pool import candidate_touch, features_load, pool_current, pool_keeper
from tests.factories import (
    AssessmentFactory,
    CandidateFactory,
    ClientCompanyFactory,
    PlacementFactory,
    ShortlistEntryFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


def assert_pool_matches_database(pool: Pool) -> None:
    fresh = Pool.from_features([])
    fresh.upsert(features_load())
    expected = {int(pk): fresh.features(i) for i, pk in enumerate(fresh.col("ids"))}
    live = pool.col("live")
    actual = {int(pk): pool.features(i) for i, pk in enumerate(pool.col("ids")) if live[i]}
    assert actual == expected


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
    candidate_touch(candidate_ids=[someone.pk])


@pytest.mark.parametrize("seed", range(4))
def test_pool_agrees_with_the_database_after_random_changes(seed):
    rnd = random.Random(seed)
    companies = ClientCompanyFactory.create_batch(2)
    skills = SkillFactory.create_batch(3)
    CandidateFactory.create_batch(5)
    pool_current()
    for _ in range(25):
        _mutate(rnd, companies, skills)
        if rnd.random() < 0.4:
            assert_pool_matches_database(pool_current())
    assert_pool_matches_database(pool_current())


def test_the_periodic_recount_agrees_and_is_not_counted_again():
    people = CandidateFactory.create_batch(3)
    pool_current()
    for person in (people[0], people[0], people[1]):
        ShortlistEntryFactory(candidate=person)
    assert_pool_matches_database(pool_current())
    pool_keeper().recounted_at = -1e9  # the recount is due
    assert_pool_matches_database(pool_current())
    ShortlistEntryFactory(candidate=people[2])
    assert_pool_matches_database(pool_current())  # recounted shortlists are not added twice
