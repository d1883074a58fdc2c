"""Candidate pages: own data only; profile rules; availability; others' pages 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from candidates.availability import bit
from candidates.models import Candidate
from staffing.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = f.CandidateUserFactory()
    client.force_login(user)
    return user.candidate


def _profile(**extra):
    data = {
        "first_name": "Aino",
        "last_name": "A",
        "phone": "+358401111111",
        "postal_code": "00100",
        "max_travel_km": 15,
        "works_retail": "on",
    }
    return data | extra


def test_profile_postal_code_becomes_coordinates(client, me):
    before = me.updated_at
    assert (
        client.post(reverse("candidate_profile"), _profile(postal_code="33100")).status_code == 302
    )
    me.refresh_from_db()
    assert me.postal_code == "33100" and 61 < me.latitude < 62
    assert me.updated_at > before


def test_unknown_postal_code_gets_a_clear_message(client, me):
    response = client.post(reverse("candidate_profile"), _profile(postal_code="12345"))
    assert response.status_code == 200
    assert "We do not know the postal code 12345" in response.content.decode()


def test_availability_grid_saves_and_confirms(client, me):
    data = {"cell_0_0": "on", "cell_5_2": "on"}
    assert client.post(reverse("candidate_availability"), data).status_code == 302
    me.refresh_from_db()
    assert me.availability == bit(0, 0) | bit(5, 2)
    response = client.post(reverse("candidate_availability"), data, HTTP_HX_REQUEST="true")
    assert "Saved" in response.content.decode()


def test_languages_skills_experience_and_dates_off(client, me):
    skill = f.SkillFactory()
    client.post(reverse("candidate_languages"), {"language": "sv", "level": 4})
    client.post(reverse("candidate_skills"), {"skill": skill.pk, "level": 3})
    client.post(
        reverse("candidate_experience"),
        {"employer": "Shop Oy", "title": "Cashier", "started": "2020-01-01"},
    )
    client.post(reverse("candidate_date_off_add"), {"date": "2030-05-01"})
    assert me.languages.get(language="sv").level == 4
    assert me.skills.get().level == 3
    assert me.experiences.get().employer == "Shop Oy"
    assert me.dates_off.get().date.isoformat() == "2030-05-01"
    page = client.get(reverse("candidate_languages")).content.decode()
    assert "Serves customers fluently" in page  # CEFR descriptions shown


def test_completeness_says_what_is_missing(client):
    user = f.UserFactory()
    f.CandidateFactory(user=user, phone="", matching_consent=False)
    client.force_login(user)
    page = client.get(reverse("candidate_home")).content.decode()
    assert 'data-item="phone"' in page and 'data-item="consent"' in page
    assert "Recruiters call you about urgent shifts." in page


def test_recruiter_view_is_logged_and_shown_to_the_person(client, me):
    recruiter = f.RecruiterFactory()
    client.force_login(recruiter)
    assert client.get(reverse("recruiter_candidate_detail", args=[me.pk])).status_code == 200
    assert AuditEvent.objects.filter(candidate=me, action="candidate.viewed").count() == 1
    client.force_login(me.user)
    page = client.get(reverse("candidate_visibility")).content.decode()
    assert f"A recruiter, {recruiter.email}" in page and "your profile" in page


def test_visibility_shows_summary_but_never_internal_notes(client, me):
    f.AssessmentFactory(candidate=me, summary="Calm with upset customers", notes="SECRET-NOTE")
    page = client.get(reverse("candidate_visibility")).content.decode()
    assert "Calm with upset customers" in page and "SECRET-NOTE" not in page


def test_others_cannot_reach_a_candidate(client, me):
    client.force_login(f.ClientManagerFactory())
    assert client.get(reverse("recruiter_candidate_detail", args=[me.pk])).status_code == 403
    assert client.get(reverse("candidate_cv_for_viewer", args=[me.pk])).status_code == 404
    client.force_login(f.RecruiterFactory())
    erased = f.CandidateFactory(status=Candidate.Status.ERASED)
    assert client.get(reverse("recruiter_candidate_detail", args=[erased.pk])).status_code == 404
    # A candidate's own pages take no id: another person's rows cannot be named.
    other = f.CandidateUserFactory().candidate
    f.DateOffFactory(candidate=other)
    client.force_login(me.user)
    client.post(reverse("candidate_date_off_remove", args=[other.dates_off.get().pk]))
    assert other.dates_off.count() == 1


def test_availability_confirm_returns_only_to_our_own_pages(client, me):
    url = reverse("candidate_availability_confirm")
    own = reverse("candidate_availability")
    assert client.post(url, {"next": own}).url == own
    for elsewhere in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        assert client.post(url, {"next": elsewhere}).url == reverse("candidate_home")
