"""The pool search's stored tsvector columns: kept by PostgreSQL from the row itself, in the
`simple` and `finnish` configurations, and what the free-text search reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from candidates.models import Candidate, WorkExperience
from candidates.services.profile import profile_update
from candidates.services.search import SearchFilters, candidate_search_queryset
from tests import factories as f

pytestmark = pytest.mark.django_db


def _found(text: str) -> set[int]:
    filters = SearchFilters.from_params({"q": text})
    return set(candidate_search_queryset(filters).values_list("pk", flat=True))


def test_the_columns_follow_every_change_of_the_row():
    person = f.CandidateFactory(first_name="Aino", last_name="Laine", introduction="")
    profile_update(candidate=person, by=None, data={"introduction": "Olen työskennellyt kassalla"})
    finnish = SearchQuery("kassaan", config="finnish")
    assert Candidate.objects.filter(pk=person.pk, search_finnish=finnish).exists()
    assert person.pk in _found("kassaan")  # another inflected form finds the stem
    profile_update(candidate=person, by=None, data={"introduction": "Puhelinmyynti"})
    assert person.pk not in _found("kassaan")
    assert person.pk in _found("puhelinmyy")  # a prefix, as typed so far


def test_names_email_and_phone_are_in_the_simple_column():
    person = f.CandidateFactory(first_name="Eero", last_name="Salo", email="eero@example.fi")
    assert person.pk in _found("salo")
    assert person.pk in _found("eero@example.fi")
    assert person.pk in _found("Sallo")  # a typo in the name: trigram similarity


def test_work_experience_is_searched_through_its_own_columns():
    person = f.CandidateFactory(first_name="Liisa", last_name="Koski")
    WorkExperience.objects.create(
        candidate=person,
        employer="Elisa",
        title="Asiakaspalvelija",
        description="Reklamaatioiden käsittely",
        started=dt.date(2021, 1, 1),
    )
    assert person.pk in _found("reklamaatio")
    assert person.pk in _found("elisa")


def test_the_columns_are_generated_and_indexed():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, is_generated FROM information_schema.columns "
            "WHERE table_name = 'candidates_candidate' AND column_name LIKE 'search_%%'"
        )
        assert dict(cursor.fetchall()) == {"search_simple": "ALWAYS", "search_finnish": "ALWAYS"}
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%%USING gin (search_%%'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert {"candidate_search_simple", "candidate_search_finnish"} <= names
    assert {"experience_search_simple", "experience_search_finnish"} <= names
