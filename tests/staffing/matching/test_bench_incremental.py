"""Incremental bench refreshes: after a person's change, a refresh re-screens only the people the
pool changed and rewrites only the entries that moved, with the same result as a rebuild."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import Candidate
from staffing.models import Bench, BenchEntry
from staffing.services import bench as bench_service
from staffing.services.bench import (
    bench_eligibility_forget,
    bench_profiles_for_candidate,
    bench_refresh,
)
from tests.factories import (
    AssessmentFactory,
    CandidateFactory,
    CandidateLanguageFactory,
    ProfileLanguageFactory,
    ServiceProfileFactory,
    TypicalShiftFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def profile():
    profile = ServiceProfileFactory()
    ProfileLanguageFactory(profile=profile, language="fi", level=4)
    tomorrow = timezone.localdate(NOW) + dt.timedelta(days=1)
    for offset in (1, 3):
        TypicalShiftFactory(
            profile=profile,
            weekday=(tomorrow + dt.timedelta(days=offset)).weekday(),
            start_time=dt.time(10),
            end_time=dt.time(16),
        )
    return profile


@pytest.fixture
def screened(monkeypatch):
    """The sizes of the pools each refresh screened (the whole pool, or just the changed)."""
    sizes: list[int] = []
    screen_all = bench_service._screen_all

    def counting(pool, *args):
        sizes.append(pool.size)
        return screen_all(pool, *args)

    monkeypatch.setattr(bench_service, "_screen_all", counting)
    return sizes


def near(i: int, **kwargs) -> Candidate:
    """A Finnish speaker about i km north of the site (farther people score less)."""
    return speaker(latitude=60.1699 + 0.009 * i, longitude=24.9384, **kwargs)


def speaker(level=6, **kwargs) -> Candidate:
    candidate = CandidateFactory(**kwargs)
    CandidateLanguageFactory(candidate=candidate, language="fi", level=level)
    return candidate


def stored(profile_id: int) -> tuple:
    bench = Bench.objects.get(profile_id=profile_id)
    rows = BenchEntry.objects.filter(bench=bench).order_by("rank")
    return (
        bench.ready_count,
        bench.coverage,
        [(e.candidate_id, e.rank, e.score, e.shifts_available, e.explanation) for e in rows],
    )


def rebuilt(profile_id: int) -> tuple:
    """The bench as a rebuild from scratch stores it (nothing kept)."""
    bench_eligibility_forget()
    bench_refresh(profile_id=profile_id, now=NOW)
    return stored(profile_id)


def change(candidate: Candidate, **fields) -> None:
    Candidate.objects.filter(pk=candidate.pk).update(**fields)
    Candidate.objects.filter(pk=candidate.pk).touch()


def test_a_change_rescreens_only_the_changed_person_with_the_rebuilds_result(
    profile, screened, monkeypatch
):
    monkeypatch.setattr(bench_service, "BENCH_SIZE", 3)
    people = [near(i) for i in range(1, 6)]
    bench_refresh(profile_id=profile.pk, now=NOW)
    assert screened[-1] >= len(people)

    steps = [
        # the closest person stops travelling far enough: off the top and off the bench
        lambda: change(people[0], max_travel_km=0),
        # someone off the top (counted as ready) is never free any more: leaves the count
        lambda: change(people[4], availability=0),
        # a new person enters the top
        lambda: near(0),
        # an assessment moves one up
        lambda: (
            AssessmentFactory(candidate=people[3], service_attitude=5, communication=5),
            Candidate.objects.filter(pk=people[3].pk).touch(),
        ),
        # the person who left comes back
        lambda: change(people[0], max_travel_km=30),
    ]
    for step in steps:
        before = stored(profile.pk)
        step()
        bench_refresh(profile_id=profile.pk, now=NOW)
        assert screened[-1] == 1, "only the changed person is screened again"
        incremental = stored(profile.pk)
        assert incremental != before
        assert incremental == rebuilt(profile.pk)


def test_only_moved_entries_are_rewritten(profile, monkeypatch):
    monkeypatch.setattr(bench_service, "BENCH_SIZE", 4)
    people = [near(i) for i in range(1, 7)]
    bench_refresh(profile_id=profile.pk, now=NOW)
    ids = dict(BenchEntry.objects.values_list("candidate_id", "pk"))

    change(people[5], availability=0)  # off the top: no entry moves
    bench_refresh(profile_id=profile.pk, now=NOW)
    assert dict(BenchEntry.objects.values_list("candidate_id", "pk")) == ids
    assert Bench.objects.get(profile=profile).ready_count == 5

    change(people[3], max_travel_km=0)  # rank 4 leaves; rank 5 comes in: ranks 1-3 stay
    bench_refresh(profile_id=profile.pk, now=NOW)
    after = dict(BenchEntry.objects.values_list("candidate_id", "pk"))
    assert {c: after[c] for c in (p.pk for p in people[:3])} == {
        c: ids[c] for c in (p.pk for p in people[:3])
    }
    assert people[3].pk not in after and people[4].pk in after


def test_leaving_a_bench_off_its_top_is_found_for_the_refresh(profile, monkeypatch):
    """The person was counted as ready but not on the top: the task still refreshes the bench."""
    monkeypatch.setattr(bench_service, "BENCH_SIZE", 1)
    near(1)
    second = near(5)
    bench_refresh(profile_id=profile.pk, now=NOW)
    assert not BenchEntry.objects.filter(candidate=second).exists()

    change(second, max_travel_km=0)  # out of reach: fits the profile no more

    assert bench_profiles_for_candidate(candidate_id=second.pk) == [profile.pk]


def test_many_changes_or_a_changed_profile_screen_everyone(profile, screened, monkeypatch):
    people = [speaker() for _ in range(3)]
    bench_refresh(profile_id=profile.pk, now=NOW)
    monkeypatch.setattr(bench_service, "INCREMENTAL_PEOPLE", 1)
    for person in people[:2]:
        change(person, max_travel_km=40)
    bench_refresh(profile_id=profile.pk, now=NOW)
    assert screened[-1] == 3

    ProfileLanguageFactory(profile=profile, language="en", level=3)
    bench_refresh(profile_id=profile.pk, now=NOW)
    assert screened[-1] == 3
    assert stored(profile.pk)[0] == 0  # nobody speaks English


def test_a_change_of_someone_who_never_fits_leaves_the_bench_as_stored(profile, screened):
    speaker()
    stranger = speaker(level=1)  # never fits: speaks too little Finnish
    bench_refresh(profile_id=profile.pk, now=NOW)
    before = stored(profile.pk)
    entry_ids = list(BenchEntry.objects.values_list("pk", flat=True))

    change(stranger, max_travel_km=40)
    later = NOW + dt.timedelta(minutes=1)
    bench = bench_refresh(profile_id=profile.pk, now=later)

    assert screened[-1] == 1
    assert bench.refreshed_at == later
    assert stored(profile.pk) == before == rebuilt(profile.pk)
    assert list(BenchEntry.objects.values_list("pk", flat=True)) == entry_ids
