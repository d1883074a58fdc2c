"""The recruiter's request page with a full shortlist stays small: fifty short rows, and each
entry's full account fetched only when it is opened."""

from __future__ import annotations

import pytest
from django.urls import reverse

from staffing.services.matching import shortlist_build
from staffing.services.pool import pool_reset
from tests import factories as f

pytestmark = pytest.mark.django_db

PAGE_BUDGET_BYTES = 60_000


@pytest.fixture
def full_request():
    req = f.StaffingRequestFactory(headcount=2)
    f.ShiftFactory(request=req)
    f.RequestLanguageFactory(request=req, language="fi", level=4, reason="Customers")
    till = f.SkillFactory(code="till")
    req.required_skills.add(till)
    for i in range(60):
        person = f.CandidateFactory(latitude=60.17 + i * 0.002, longitude=24.94 + i * 0.003)
        f.CandidateLanguageFactory(candidate=person, language="fi", level=5)
        f.CandidateLanguageFactory(candidate=person, language="en", level=4)
        f.AssessmentFactory(candidate=person)
        f.CandidateSkillFactory(candidate=person, skill=till, level=2)
    pool_reset()
    shortlist = shortlist_build(request_id=req.pk)
    pool_reset()
    assert shortlist.ranked.count() == 50
    return req


def test_fifty_entries_fit_the_page_budget(client, full_request):
    client.force_login(f.RecruiterFactory())
    response = client.get(reverse("recruiter_request_detail", args=[full_request.pk]))
    assert response.status_code == 200
    assert len(response.content) <= PAGE_BUDGET_BYTES, len(response.content)
    html = response.content.decode()
    assert html.count('data-candidate="') == 20
    assert "Show 30 more" in html or "Näytä 30 lisää" in html
    assert "sl-passed" not in html  # no full account is sent with the page


def test_the_other_rows_come_when_asked_for(client, full_request):
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_shortlist_rows", args=[full_request.pk])
    html = client.get(f"{url}?start=20", headers={"HX-Request": "true"}).content.decode()
    assert html.count('data-candidate="') == 30
    assert 'data-entry="' in html and "sl-detail" in html
    assert client.get(f"{url}?start=x").status_code == 200  # bad input: from the start


def test_an_entry_s_account_is_sent_when_opened(client, full_request):
    entry = full_request.current_shortlist.ranked.first()
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_shortlist_entry_explanation", args=[full_request.pk, entry.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "sl-passed" in html and "sl-factors" in html
    assert 'name="reason"' in html and 'value="up"' in html  # curation beside the account


def test_an_entry_of_another_request_or_for_another_role_is_not_found(client, full_request):
    entry = full_request.current_shortlist.ranked.first()
    other = f.StaffingRequestFactory()
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_shortlist_entry_explanation", args=[other.pk, entry.pk])
    assert client.get(url).status_code == 404
    own = reverse("recruiter_shortlist_entry_explanation", args=[full_request.pk, entry.pk])
    client.force_login(f.ClientManagerFactory(company=full_request.company))
    assert client.get(own).status_code == 403
    client.force_login(f.CandidateUserFactory())
    assert client.get(own).status_code == 403
