"""The recruiters' pool search against a small hand-checked pool, and its page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from candidates.availability import DayPart, bit
from candidates.models import Candidate, WorkExperience
from candidates.services.search import (
    SearchFilters,
    candidate_search_count,
    candidate_search_queryset,
    candidate_search_results,
    empty_culprit,
)
from staffing.base.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 12, 7)


@pytest.fixture
def pool():
    till = f.SkillFactory(code="till-work", name_en="Till work", name_fi="Kassatyö")
    phone = f.SkillFactory(code="phone-service", name_en="Phone service", name_fi="Puhelinpalvelu")
    # Aino: Helsinki centre, Swedish C1, till expert, Monday evenings, assessed.
    aino = f.CandidateFactory(
        first_name="Aino",
        last_name="Virtanen",
        email="aino@example.fi",
        works_office=False,
        availability=bit(0, DayPart.EVENING),
    )
    f.CandidateLanguageFactory(candidate=aino, language="sv", level=5)
    f.CandidateSkillFactory(candidate=aino, skill=till, level=3)
    f.AssessmentFactory(candidate=aino)
    # Mikko: Tampere, Swedish B1, phone service, mornings, no consent, stale availability.
    mikko = f.CandidateFactory(
        first_name="Mikko",
        last_name="Korhonen",
        email="mikko@example.fi",
        postal_code="33100",
        latitude=61.4981,
        longitude=23.7610,
        works_retail=False,
        matching_consent=False,
        availability=bit(0, DayPart.MORNING),
        availability_confirmed_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        introduction="Olen työskennellyt asiakaspalvelussa puhelimessa.",
    )
    f.CandidateLanguageFactory(candidate=mikko, language="sv", level=3)
    f.CandidateSkillFactory(candidate=mikko, skill=phone, level=1)
    WorkExperience.objects.create(
        candidate=mikko,
        employer="S-market",
        title="Kassamyyjä",
        started=dt.date(2020, 1, 1),
        description="Kassalla ja hyllytyksessä",
    )
    # Liisa: Helsinki, inactive, every day, a date off on MONDAY.
    liisa = f.CandidateFactory(
        first_name="Liisa", last_name="Nieminen", email="liisa@example.fi", status="inactive"
    )
    f.DateOffFactory(candidate=liisa, date=MONDAY)
    # Erased people are never listed.
    f.CandidateFactory(first_name="Aino", last_name="Poistettu", status="erased")
    return {"aino": aino, "mikko": mikko, "liisa": liisa}


def names(params: dict[str, str]) -> set[str]:
    filters = SearchFilters.from_params(params)
    assert filters.errors == []
    return {c.first_name for c in candidate_search_queryset(filters)}


def test_no_filters_lists_everyone_but_the_erased(pool):
    assert names({}) == {"Aino", "Mikko", "Liisa"}


def test_free_text_name_email_typo_skill_and_experience(pool):
    assert names({"q": "Virtanen"}) == {"Aino"}
    assert names({"q": "mikko@example.fi"}) == {"Mikko"}
    assert names({"q": "Virtasen"}) == {"Aino"}  # a typo: trigram similarity
    # "kassa" finds the till skill (Kassatyö) and the experience (Kassamyyjä).
    assert names({"q": "kassa"}) == {"Aino", "Mikko"}
    assert names({"q": "puhelimessa"}) == {"Mikko"}  # the introduction


def test_role_skill_language_filters(pool):
    assert names({"role": "retail"}) == {"Aino", "Liisa"}
    assert names({"role": "office"}) == {"Mikko", "Liisa"}
    assert names({"skill": "till-work", "skill_level": "3"}) == {"Aino"}
    assert names({"skill": "phone-service", "skill_level": "2"}) == set()
    assert names({"language": "sv", "language_level": "5"}) == {"Aino"}
    assert names({"language": "sv", "language_level": "3"}) == {"Aino", "Mikko"}


def test_availability_filters(pool):
    assert names({"date": MONDAY.isoformat(), "part": "2"}) == {"Aino"}  # Liisa has it off
    assert names({"part": "0"}) == {"Mikko", "Liisa"}
    assert names({"date": (MONDAY + dt.timedelta(days=1)).isoformat()}) == {"Liisa"}
    assert names({"fresh": "1"}) == {"Aino", "Liisa"}


def test_distance_and_sort(pool):
    assert names({"postal_code": "00100", "km": "15"}) == {"Aino", "Liisa"}
    filters = SearchFilters.from_params({"postal_code": "00100", "sort": "distance"})
    ordered = [c.first_name for c in candidate_search_queryset(filters)]
    assert ordered[-1] == "Mikko"
    assert ordered[0] in {"Aino", "Liisa"}


def test_assessed_consent_status(pool):
    assert names({"assessed": "yes"}) == {"Aino"}
    assert names({"assessed": "no"}) == {"Mikko", "Liisa"}
    assert names({"consent": "no"}) == {"Mikko"}
    assert names({"status": "inactive"}) == {"Liisa"}
    assert names({"status": "erased"}) == {"Aino", "Mikko", "Liisa"}  # ignored


def test_combined_filters_and_empty_culprit(pool):
    params = {"language": "sv", "language_level": "5", "part": "2", "postal_code": "00100"}
    assert names(params | {"km": "15"}) == {"Aino"}
    filters = SearchFilters.from_params(params | {"km": "15", "assessed": "no"})
    assert not candidate_search_queryset(filters).exists()
    assert empty_culprit(filters) == "Language"


@pytest.mark.parametrize(
    "params",
    [
        {"date": "2026-13-40"},
        {"km": "²"},
        {"km": "99999999999999999999999"},
        {"postal_code": "00000", "km": "5"},
        {"skill": "nope"},
        {"language": "xx"},
        {"language_level": "9"},
        {"part": "7"},
    ],
)
def test_bad_input_gives_a_message(pool, params):
    assert SearchFilters.from_params(params).errors


def test_page_for_recruiters_only(client, pool):
    url = reverse("recruiter_candidates")
    for user in (f.ClientManagerFactory(), f.CandidateUserFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 403  # role_required refuses other roles
        assert client.get(reverse("recruiter_candidates_export")).status_code == 403
    recruiter = f.RecruiterFactory()
    client.force_login(recruiter)
    response = client.get(url, {"q": "kassa", "sort": "last_active"})
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("recruiter_candidate_detail", args=[pool["aino"].pk]) in body
    assert "Liisa" not in body
    seen = AuditEvent.objects.filter(actor=recruiter, action="candidate.viewed")
    assert set(seen.values_list("candidate_id", flat=True)) == {
        pool["aino"].pk,
        pool["mikko"].pk,
    }


def test_page_bad_input_and_empty_state(client, pool):
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_candidates")
    response = client.get(url, {"km": "abc", "date": "x", "page": "zz", "q": "\x01"})
    assert response.status_code == 200
    assert b"search-errors" in response.content
    response = client.get(url, {"q": "Virtanen", "status": "inactive"})
    assert response.status_code == 200
    assert b"empty-state" in response.content


def test_export_csv_is_logged(client, pool):
    recruiter = f.RecruiterFactory()
    client.force_login(recruiter)
    response = client.get(reverse("recruiter_candidates_export"), {"language": "sv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "aino@example.fi" in text and "mikko@example.fi" in text
    assert "liisa@example.fi" not in text
    assert AuditEvent.objects.filter(actor=recruiter, candidate_id=pool["mikko"].pk).exists()
    assert Candidate.objects.count() == 4


def test_the_count_stops_at_the_cap_and_the_page_says_more_than(client, pool, monkeypatch):
    everyone = candidate_search_queryset(SearchFilters.from_params({}))
    assert candidate_search_count(everyone, cap=5) == 3  # under the cap: the exact count
    assert candidate_search_count(everyone, cap=2) == 3  # over it: the cap + 1, no more
    assert candidate_search_count(everyone, cap=1) == 2
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_candidates")
    assert "3 people" in client.get(url).content.decode()
    monkeypatch.setattr("candidates.views.agency.COUNT_CAP", 2)
    response = client.get(url)
    assert "More than 2 people" in response.content.decode()
    assert response.context["page"].paginator.count == 2
    assert len(response.context["people"]) == 2  # the pages go up to the cap


def test_the_page_reads_the_ranked_people_first_in_exactly_the_querysets_order(pool):
    """Pages of `candidate_search_results` (the ranked people alone, then the rest) are the
    same people in the same order as slices of the queryset, across the boundary too."""
    for n in range(3):
        f.CandidateFactory(first_name=f"Kassa{n}", introduction="Kassatyö on tuttua " * (n + 1))
        f.CandidateSkillFactory(
            candidate=f.CandidateFactory(), skill=pool["aino"].skills.get().skill
        )
    filters = SearchFilters.from_params({"q": "kassa"})
    results = candidate_search_results(filters)
    everyone = [c.pk for c in candidate_search_queryset(filters)]
    assert results.ranked is not None and len(everyone) == 8
    assert 0 < results.ranked.count() < len(everyone)
    for start in range(len(everyone)):
        for stop in range(start + 1, len(everyone) + 2):
            assert [c.pk for c in results[start:stop]] == everyone[start:stop], (start, stop)
    assert (
        candidate_search_results(SearchFilters.from_params({"q": "kassa", "sort": "name"})).ranked
        is None
    )
