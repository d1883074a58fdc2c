"""A new person reaches a matching bench through the real worker within seconds, and leaves it
as soon as they withdraw their matching consent (Celery worker process and Redis, not eager)."""

from __future__ import annotations

import pytest

from candidates.availability import DayPart
from candidates.models import Candidate, ConsentPurpose
from candidates.services.availability import availability_set
from candidates.services.consent import consent_withdraw
from candidates.services.profile import language_set, profile_update
from candidates.services.signup import candidate_email_verified, candidate_signup
from staffing.models import BenchEntry
from staffing.services.bench import bench_refresh
from tests import factories as f
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def profile():
    """A Tampere store's profile whose typical Saturday shift falls twice in the next 14 days,
    with a bench that does not have the new person yet.

    Tampere, because the worker outlives each test's data: people other worker tests left in
    its pool (in Helsinki and Oulu) are out of this store's reach.
    """
    site = f.SiteFactory(postal_code="33100", city="Tampere", latitude=61.4978, longitude=23.761)
    profile = f.ServiceProfileFactory(site=site, role_type="retail")
    f.ProfileLanguageFactory(profile=profile, language="fi", level=4)
    f.TypicalShiftFactory(profile=profile)
    bench_refresh(profile_id=profile.pk)
    return profile


def _join() -> Candidate:
    """Sign up, verify, and fill the profile through the candidates services, as the pages do."""
    user = f.UserFactory(email="new.person@example.fi")
    candidate = candidate_signup(
        user=user,
        first_name="Uusi",
        last_name="Ihminen",
        purposes=[ConsentPurpose.MATCHING, ConsentPurpose.PRESENTATION],
    )
    candidate_email_verified(user=user)
    candidate.refresh_from_db()
    profile_update(
        candidate=candidate,
        by=user,
        data={"postal_code": "33100", "max_travel_km": 15, "works_retail": True},
    )
    language_set(candidate=candidate, by=user, language="fi", level=5)
    availability_set(
        candidate=candidate, by=user, cells=[(day, part) for day in range(7) for part in DayPart]
    )
    return candidate


def _on_bench(profile, candidate) -> bool:
    return BenchEntry.objects.filter(bench__profile=profile, candidate=candidate).exists()


@pytest.fixture
def joined(celery_worker_process, profile):
    """The new person; afterwards out of matching again, and the worker has seen it (the test
    database forgets them without telling the worker's pool)."""
    candidate = _join()
    yield candidate
    consent_withdraw(candidate=candidate, by=candidate.user, purpose=ConsentPurpose.MATCHING)
    wait_for(lambda: not _on_bench(profile, candidate), timeout=30)


def test_a_new_person_shows_up_on_the_bench(profile, joined):
    wait_for(lambda: _on_bench(profile, joined), timeout=30)
    entry = BenchEntry.objects.get(bench__profile=profile, candidate=joined)
    assert entry.shifts_available >= 2  # both Saturdays of the next 14 days


def test_withdrawing_matching_consent_takes_them_off_the_bench(profile, joined):
    wait_for(lambda: _on_bench(profile, joined), timeout=30)
    consent_withdraw(candidate=joined, by=joined.user, purpose=ConsentPurpose.MATCHING)
    wait_for(lambda: not _on_bench(profile, joined), timeout=30)
    assert not profile.bench.entries.exists()
