"""Saved searches: the Candidates page's query saved under a name; the periodic check emails
the owner about people who start to match it, each person once."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.urls import reverse

from candidates.models import Candidate, SavedSearch
from candidates.services.saved_searches import (
    SavedSearchError,
    saved_search_create,
    saved_searches_check,
)
from staffing.models import AuditEvent, OutboundEmail
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _emails() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(key__startswith="saved-search:").order_by("id"))


def _swedish_speaker(**kwargs) -> Candidate:
    person = f.CandidateFactory(**kwargs)
    f.CandidateLanguageFactory(candidate=person, language="sv", level=5)
    return person


def test_only_new_matches_are_announced_and_each_once(queued_tasks):
    owner = f.RecruiterFactory(email="rekry@agency.fi", language="en")
    already = _swedish_speaker(first_name="Alma", last_name="Ahlström")
    f.CandidateFactory(first_name="Bo")  # speaks no Swedish: never matches
    search = saved_search_create(
        owner=owner, name="Swedish C1", params=QueryDict("language=sv&language_level=5&page=3")
    )
    assert search.query == "language=sv&language_level=5"  # the page is not a filter

    # Nobody new: no email (Alma was there when the search was saved).
    assert saved_searches_check() == 0
    assert _emails() == []

    newcomer = _swedish_speaker(first_name="Cecilia", last_name="Cederberg")
    assert saved_searches_check() == 1
    (email,) = _emails()
    assert email.to == "rekry@agency.fi"
    assert "Cecilia Cederberg" in email.body and "Alma" not in email.body
    assert "1 new person matches “Swedish C1”" in email.subject
    assert "language=sv" in email.body  # the link opens the search
    seen = AuditEvent.objects.filter(candidate=newcomer, data__seen="search")
    assert seen.exists()

    # Checked again: nothing new, no second email.
    assert saved_searches_check() == 0
    # Cecilia stops matching, then matches again: still announced only once.
    newcomer.languages.all().delete()
    assert saved_searches_check() == 0
    f.CandidateLanguageFactory(candidate=newcomer, language="sv", level=6)
    assert saved_searches_check() == 0
    assert len(_emails()) == 1
    assert already.pk in set(search.matches.values_list("candidate_id", flat=True))


def test_inactive_owners_get_nothing_and_erased_people_are_never_announced():
    owner = f.RecruiterFactory()
    search = saved_search_create(owner=owner, name="S", params=QueryDict("language=sv"))
    erased = _swedish_speaker()
    Candidate.objects.filter(pk=erased.pk).update(status=Candidate.Status.ERASED)
    assert saved_searches_check() == 0
    _swedish_speaker()
    owner.is_active = False
    owner.save()
    assert saved_searches_check() == 0
    assert search.matches.count() == 0


def test_a_search_needs_a_name_filters_and_no_errors():
    owner = f.RecruiterFactory()
    for name, query in (("", "language=sv"), ("All", ""), ("Bad", "language=xx")):
        with pytest.raises(SavedSearchError):
            saved_search_create(owner=owner, name=name, params=QueryDict(query))
    saved_search_create(owner=owner, name="S", params=QueryDict("language=sv"))
    with pytest.raises(SavedSearchError):
        saved_search_create(owner=owner, name="S", params=QueryDict("role=retail"))


def test_recruiter_saves_and_deletes_a_search_on_the_candidates_page(client):
    owner = f.RecruiterFactory(language="en")
    client.force_login(owner)
    page = client.get(reverse("recruiter_candidates"), {"language": "sv", "page": "2"})
    html = page.content.decode()
    assert 'id="save-search"' in html and 'value="language=sv"' in html
    response = client.post(
        reverse("recruiter_saved_search_save"), {"name": "Swedish", "query": "language=sv"}
    )
    assert response.status_code == 302 and "language=sv" in response.url
    search = SavedSearch.objects.get()
    assert (search.owner, search.name) == (owner, "Swedish")
    assert "Swedish" in client.get(reverse("recruiter_candidates")).content.decode()
    # Someone else's saved search is not found; a GET deletes nothing.
    other = f.RecruiterFactory()
    client.force_login(other)
    delete = reverse("recruiter_saved_search_delete", args=[search.pk])
    assert client.post(delete).status_code == 404
    assert client.get(delete).status_code == 405
    client.force_login(owner)
    assert client.post(delete).status_code == 302
    assert not SavedSearch.objects.exists()


def test_bad_saves_get_a_message(client):
    client.force_login(f.RecruiterFactory(language="en"))
    response = client.post(
        reverse("recruiter_saved_search_save"), {"name": "", "query": "language=sv"}, follow=True
    )
    assert response.status_code == 200 and "Give the search a name." in response.content.decode()
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize("role", ["candidate", "manager"])
def test_clients_and_candidates_get_403(client, role):
    search = saved_search_create(owner=f.RecruiterFactory(), name="S", params=QueryDict("q=x"))
    client.force_login(
        f.CandidateUserFactory() if role == "candidate" else f.ClientManagerFactory()
    )
    assert (
        client.post(
            reverse("recruiter_saved_search_save"), {"name": "n", "query": "q=x"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("recruiter_saved_search_delete", args=[search.pk])).status_code == 403
    )
    assert SavedSearch.objects.count() == 1


def test_the_check_is_scheduled_by_name_and_its_period_is_a_setting(settings, queued_tasks):
    from tests.conftest import run_queued

    schedule = settings.CELERY_BEAT_SCHEDULE["check-saved-searches"]
    assert schedule["task"] == "candidates.tasks.check_saved_searches"
    assert schedule["schedule"] == settings.SAVED_SEARCH_CHECK_SECONDS
    saved_search_create(owner=f.RecruiterFactory(), name="S", params=QueryDict("language=sv"))
    _swedish_speaker()
    queued_tasks.append((schedule["task"], ()))
    run_queued(queued_tasks)
    assert len(_emails()) == 1
