"""Benches: the best people ready for a profile's typical shifts, and their coverage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from staffing.matching.engine import rank
from staffing.matching.kept import SITE_CACHE_SIZE
from staffing.models import Bench
from staffing.services.bench import bench_coverage, bench_profiles_for_candidate, bench_refresh
from staffing.services.pool import pool_current
from staffing.tasks import refresh_all_benches, refresh_bench, refresh_benches_for_candidate
from tests.factories import (
    CandidateFactory,
    CandidateLanguageFactory,
    ProfileLanguageFactory,
    ServiceProfileFactory,
    TypicalShiftFactory,
)
from tests.staffing.matching.plain_data import request

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile():
    profile = ServiceProfileFactory()
    ProfileLanguageFactory(profile=profile, language="fi", level=4)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    TypicalShiftFactory(
        profile=profile, weekday=tomorrow.weekday(), start_time=dt.time(10), end_time=dt.time(16)
    )
    return profile


def speaker(level=6, **kwargs):
    candidate = CandidateFactory(**kwargs)
    CandidateLanguageFactory(candidate=candidate, language="fi", level=level)
    return candidate


def test_bench_keeps_fitting_people_ready_for_typical_shifts(profile):
    ready = speaker()
    speaker(level=2)  # language too weak
    speaker(availability=0)  # never free

    bench = bench_refresh(profile_id=profile.pk)

    assert [e.candidate_id for e in bench.entries.all()] == [ready.pk]
    entry = bench.entries.get()
    assert entry.shifts_available >= 1
    assert entry.explanation["factors"]
    assert bench.ready_count == 1


def test_coverage_counts_ready_people_per_day_part(profile):
    speaker()
    speaker(availability=0b111)  # Mondays only
    bench_refresh(profile_id=profile.pk)

    (row,) = bench_coverage(days=7, thin_below=2)

    assert row["profile_id"] == profile.pk
    assert len(row["days"]) == 7 and len(row["counts"]) == 7
    assert len(row["parts"]) == 3
    for day, counts, thin in zip(row["days"], row["counts"], row["thin"], strict=True):
        expected = 2 if day.weekday() == 0 else 1
        assert counts == [expected] * 3
        assert thin == [expected < 2] * 3


def test_profiles_without_a_bench_show_as_thin(profile):
    (row,) = bench_coverage()
    assert row["refreshed_at"] is None
    assert all(all(t) for t in row["thin"])


def test_inactive_profiles_lose_their_bench(profile):
    speaker()
    bench_refresh(profile_id=profile.pk)
    profile.is_active = False
    profile.save()
    assert bench_refresh(profile_id=profile.pk) is None
    assert not Bench.objects.exists()


def test_tasks_refresh_benches(profile):
    person = speaker()
    assert refresh_all_benches() == 1
    assert refresh_bench(profile.pk) is True
    assert bench_profiles_for_candidate(candidate_id=person.pk) == [profile.pk]
    assert refresh_benches_for_candidate(person.pk) == 1
    assert Bench.objects.get().entries.count() == 1


def test_a_bench_refresh_leaves_the_sites_kept_for_urgent_requests_alone(profile):
    speaker()
    pool = pool_current()
    for i in range(SITE_CACHE_SIZE):
        rank(pool, request(site_latitude=61 + i / 10, site_longitude=25.0))
    kept = [key for key in pool._derived if key[0] == "site"]

    bench = bench_refresh(profile_id=profile.pk)

    assert bench.ready_count == 1
    assert [key for key in pool_current()._derived if key[0] == "site"] == kept


def test_a_person_deleted_from_the_database_leaves_the_pool_and_the_bench(profile):
    """The catch-up reads changes by `updated_at`, so a deleted row is invisible to it: the store
    checks its few ids, drops the missing person from the pool and stores the rest (no foreign
    key error, nobody named who is gone)."""
    kept, gone = speaker(), speaker()
    bench_refresh(profile_id=profile.pk)
    assert pool_current().index_of([gone.pk])[0] >= 0
    gone_id = gone.pk
    gone.delete()

    bench = bench_refresh(profile_id=profile.pk, now=timezone.now() + dt.timedelta(hours=2))

    assert [e.candidate_id for e in bench.entries.all()] == [kept.pk]
    pool = pool_current()
    index = pool.index_of([gone_id])[0]
    assert index < 0 or not pool.col("live")[index]
