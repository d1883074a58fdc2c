"""Talent pools: a client's pool is offered first after its favourites, ranks higher on its
benches (the explained `talent_pool` factor, seen at once), and is filled from search, a
shortlist, a bench or the candidate's page by recruiters only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from candidates.models import Candidate
from staffing.explanations import explanation_lines
from staffing.models import AuditEvent, Bench, TalentPool, TalentPoolMember
from staffing.services.bench import bench_refresh
from staffing.services.offers import offer_wave_send
from staffing.services.pool import pool_reset
from staffing.services.talent_pools import (
    TalentPoolError,
    talent_pool_add,
    talent_pool_create,
    talent_pool_remove,
)
from tests import factories as f
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def _fresh_pool():
    pool_reset()
    yield
    pool_reset()


@pytest.fixture
def profile():
    profile = f.ServiceProfileFactory()
    f.ProfileLanguageFactory(profile=profile, language="fi", level=4)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    f.TypicalShiftFactory(
        profile=profile, weekday=tomorrow.weekday(), start_time=dt.time(10), end_time=dt.time(16)
    )
    return profile


def _speaker(**kwargs) -> Candidate:
    candidate = f.CandidateFactory(**kwargs)
    f.CandidateLanguageFactory(candidate=candidate, language="fi", level=6)
    return candidate


def _ranks(bench: Bench) -> list[int]:
    return list(bench.entries.order_by("rank").values_list("candidate_id", flat=True))


def test_a_pool_member_ranks_higher_on_that_clients_bench_at_once(
    profile, queued_tasks, django_capture_on_commit_callbacks
):
    recruiter = f.RecruiterFactory()
    first, second = _speaker(), _speaker()  # identical: the lower id ranks first
    other_client = f.ServiceProfileFactory()
    assert _ranks(bench_refresh(profile_id=profile.pk)) == [first.pk, second.pk]
    bench = Bench.objects.get(profile=profile)
    pool = talent_pool_create(company=profile.company, name="Kamppi regulars", by=recruiter)
    elsewhere = talent_pool_create(company=other_client.company, name="Others", by=recruiter)
    talent_pool_add(pool=elsewhere, candidates=[first], by=recruiter, source="search")
    before = Candidate.objects.get(pk=second.pk).updated_at

    with django_capture_on_commit_callbacks(execute=True):
        assert talent_pool_add(pool=pool, candidates=[second], by=recruiter, source="bench") == 1

    # The person's matching data moved (workers reload them) and the client's bench is asked
    # for, kept on the bench for the sweep and queued now.
    assert Candidate.objects.get(pk=second.pk).updated_at > before
    bench.refresh_from_db()
    assert bench.refresh_requested_at is not None
    assert ("staffing.tasks.refresh_bench", (profile.pk,)) in queued_tasks
    # The same pool of this worker, caught up: the pool member now ranks first, explained.
    rebuilt = bench_refresh(profile_id=profile.pk)
    assert _ranks(rebuilt) == [second.pk, first.pk]
    top = rebuilt.entries.get(rank=1)
    factor = next(x for x in top.explanation["factors"] if x["code"] == "talent_pool")
    assert factor["value"] == 1 and factor["points"] > 0
    with translation.override("en"):
        lines = explanation_lines(top.explanation)
    assert any("In the client's talent pool" in line for line in lines)
    # Another client's pool counts nothing here.
    lower = rebuilt.entries.get(rank=2)
    assert next(x for x in lower.explanation["factors"] if x["code"] == "talent_pool")["value"] == 0

    talent_pool_remove(pool=pool, candidate=second, by=recruiter)
    assert _ranks(bench_refresh(profile_id=profile.pk)) == [first.pk, second.pk]


def test_first_wave_offers_favourites_then_the_clients_pool_then_the_best_ranked(settings):
    settings.OFFER_WAVE_SIZE_FACTOR = 3
    world = approved_request(headcount=1, people=5)
    favourite, pooled = world.people[4].candidate, world.people[3].candidate
    f.CandidateMarkFactory(company=world.request.company, candidate=favourite)
    recruiter = f.RecruiterFactory()
    pool = talent_pool_create(company=world.request.company, name="Regulars", by=recruiter)
    talent_pool_add(pool=pool, candidates=[pooled], by=recruiter, source="shortlist")
    other = talent_pool_create(company=f.ClientCompanyFactory(), name="Elsewhere", by=recruiter)
    talent_pool_add(pool=other, candidates=[world.people[2].candidate], by=recruiter, source="x")

    offers = offer_wave_send(staffing_request=world.request, by=recruiter)

    assert [o.candidate_id for o in offers] == [
        favourite.pk,
        pooled.pk,
        world.people[0].candidate.pk,
    ]


def test_pool_names_are_unique_per_client_and_profiles_must_be_the_clients():
    recruiter = f.RecruiterFactory()
    company = f.ClientCompanyFactory()
    talent_pool_create(company=company, name="Regulars", by=recruiter)
    with pytest.raises(TalentPoolError):
        talent_pool_create(company=company, name="Regulars", by=recruiter)
    with pytest.raises(TalentPoolError):
        talent_pool_create(company=company, name="  ", by=recruiter)
    with pytest.raises(TalentPoolError):
        talent_pool_create(
            company=company,
            name="X",
            by=recruiter,
            service_profile=f.ServiceProfileFactory(),
        )


def test_recruiter_creates_a_pool_and_fills_it_from_search_and_the_candidate_page(client):
    recruiter = f.RecruiterFactory(language="en")
    client.force_login(recruiter)
    profile = f.ServiceProfileFactory()
    aino, ville = f.CandidateFactory(first_name="Aino"), f.CandidateFactory(first_name="Ville")
    response = client.post(
        reverse("talent_pools"),
        {"name": "Kamppi regulars", "company": profile.company_id, "service_profile": profile.pk},
    )
    pool = TalentPool.objects.get()
    assert response.url == reverse("talent_pool_detail", args=[pool.pk])
    assert pool.service_profile == profile

    search = reverse("recruiter_candidates")
    page = client.get(search).content.decode()
    assert 'form="pool-add-search"' in page and "Kamppi regulars" in page
    response = client.post(
        reverse("talent_pool_add"),
        {"pool": pool.pk, "candidate": [aino.pk, ville.pk], "source": "search", "next": search},
    )
    assert response.url == search
    assert set(pool.members.values_list("candidate_id", "source")) == {
        (aino.pk, "search"),
        (ville.pk, "search"),
    }
    detail = client.get(reverse("recruiter_candidate_detail", args=[aino.pk])).content.decode()
    assert 'id="talent-pools"' in detail and "Kamppi regulars" in detail
    page = client.get(reverse("talent_pools")).content.decode()
    assert "2 people" in page
    client.post(reverse("talent_pool_remove", args=[pool.pk]), {"candidate": ville.pk})
    assert list(pool.members.values_list("candidate_id", flat=True)) == [aino.pk]
    actions = AuditEvent.objects.values_list("action", flat=True)
    assert {"talent_pool.created", "talent_pool.added", "talent_pool.removed"} <= set(actions)


def test_bad_input_gets_a_message_or_404_never_an_error(client):
    client.force_login(f.RecruiterFactory(language="en"))
    assert client.post(reverse("talent_pools"), {"name": "X"}, follow=True).status_code == 200
    assert not TalentPool.objects.exists()
    assert client.post(reverse("talent_pool_add"), {"pool": "abc"}).status_code == 404
    assert client.post(reverse("talent_pool_add"), {"pool": 99999}).status_code == 404
    pool = f.TalentPoolFactory()
    response = client.post(
        reverse("talent_pool_add"), {"pool": pool.pk, "candidate": "x"}, follow=True
    )
    assert "Tick the people to add first." in response.content.decode()
    offsite = client.post(
        reverse("talent_pool_add"),
        {"pool": pool.pk, "candidate": f.CandidateFactory().pk, "next": "https://evil.example/"},
    )
    assert offsite.url == reverse("talent_pool_detail", args=[pool.pk])


@pytest.mark.parametrize("role", ["candidate", "manager"])
def test_clients_and_candidates_get_403_on_every_pool_page(client, role):
    pool = f.TalentPoolFactory()
    person = f.CandidateFactory()
    user = (
        f.CandidateUserFactory()
        if role == "candidate"
        else f.ClientManagerFactory(company=pool.company)
    )
    client.force_login(user)
    assert client.get(reverse("talent_pools")).status_code == 403
    assert client.get(reverse("talent_pool_detail", args=[pool.pk])).status_code == 403
    for url in (
        reverse("talent_pools"),
        reverse("talent_pool_add"),
        reverse("talent_pool_remove", args=[pool.pk]),
    ):
        response = client.post(url, {"pool": pool.pk, "candidate": person.pk, "name": "x"})
        assert response.status_code == 403
    assert not TalentPoolMember.objects.exists() and TalentPool.objects.count() == 1


def test_bench_and_shortlist_offer_the_clients_pools(client, profile):
    recruiter = f.RecruiterFactory(language="en")
    client.force_login(recruiter)
    person = _speaker()
    bench_refresh(profile_id=profile.pk)
    pool = f.TalentPoolFactory(company=profile.company, name="Bench pool")
    f.TalentPoolFactory(name="Not this client's")
    page = client.get(reverse("bench_detail", args=[profile.pk])).content.decode()
    assert "Bench pool" in page and "Not this client&#x27;s" not in page
    assert f'value="{person.pk}" form="pool-add-bench"' in page
    world = approved_request(people=1)
    shortlist_pool = f.TalentPoolFactory(company=world.request.company, name="Shortlist pool")
    entry = world.request.current_shortlist.ranked.get()
    url = reverse("recruiter_shortlist_entry_explanation", args=[world.request.pk, entry.pk])
    fragment = client.get(url).content.decode()
    assert "Shortlist pool" in fragment and "Bench pool" not in fragment
    assert pool.pk != shortlist_pool.pk
