"""A written statement of an assessment, on the person's request, written by a recruiter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from candidates.models import StatementRequest
from staffing.models import AuditEvent, OutboundEmail
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = f.CandidateUserFactory()
    client.force_login(user)
    return user.candidate


def test_the_person_asks_and_a_recruiter_writes_the_statement(client, me):
    recruiters = [f.RecruiterFactory(), f.RecruiterFactory()]
    assessment = f.AssessmentFactory(candidate=me)
    url = reverse("candidate_statement_request", args=[assessment.pk])
    assert url in client.get(reverse("candidate_visibility")).content.decode()

    assert client.post(url).status_code == 302
    client.post(url)  # asking twice while one is open changes nothing
    request = StatementRequest.objects.get()
    assert request.candidate == me and request.answered_at is None
    assert AuditEvent.objects.filter(action="assessment.statement_requested").count() == 1
    emails = OutboundEmail.objects.filter(key__startswith="statement-requested:")
    assert sorted(emails.values_list("to", flat=True)) == sorted(r.email for r in recruiters)
    page = client.get(reverse("candidate_visibility")).content.decode()
    assert "A recruiter will write it here." in page and url not in page

    client.force_login(recruiters[0])
    detail = reverse("recruiter_candidate_detail", args=[me.pk])
    write = reverse("recruiter_statement_write", args=[request.pk])
    assert write in client.get(detail).content.decode()
    client.post(write, {"statement": "Warm, patient and clear with customers."})
    client.post(write, {"statement": "Overwritten?"})
    request.refresh_from_db()
    assert request.statement == "Warm, patient and clear with customers."
    assert request.answered_by == recruiters[0] and request.answered_at is not None
    assert write not in client.get(detail).content.decode()

    client.force_login(me.user)
    page = client.get(reverse("candidate_visibility")).content.decode()
    assert "Warm, patient and clear with customers." in page
    assert url in page  # a new statement may be asked for later


def test_an_empty_statement_is_refused(client, me):
    request = StatementRequest.objects.create(
        assessment=f.AssessmentFactory(candidate=me), candidate=me
    )
    client.force_login(f.RecruiterFactory())
    client.post(reverse("recruiter_statement_write", args=[request.pk]), {"statement": "  "})
    request.refresh_from_db()
    assert request.answered_at is None


def test_only_the_person_may_ask_and_only_recruiters_may_write(client, me):
    other = f.CandidateUserFactory().candidate
    others_assessment = f.AssessmentFactory(candidate=other)
    ask = reverse("candidate_statement_request", args=[others_assessment.pk])
    request = StatementRequest.objects.create(
        assessment=f.AssessmentFactory(candidate=me), candidate=me
    )
    write = reverse("recruiter_statement_write", args=[request.pk])
    answer = reverse("recruiter_record_answer", args=[request.pk])

    assert client.post(ask).status_code == 404  # another person's assessment
    assert (
        client.get(reverse("candidate_statement_request", args=[request.assessment_id])).status_code
        == 405
    )
    assert client.post(write).status_code == 403
    client.force_login(f.ClientManagerFactory())
    assert client.post(ask).status_code == 403
    assert client.post(write).status_code == 403
    assert client.post(answer).status_code == 403
    client.force_login(f.RecruiterFactory())
    assert client.post(ask).status_code == 403
    assert client.get(write).status_code == 405
    assert client.post(reverse("recruiter_statement_write", args=[0])).status_code == 404
    assert client.post(reverse("recruiter_record_answer", args=[0])).status_code == 404
    client.logout()
    for url in (ask, write, answer):
        assert client.post(url).url.startswith(reverse("account_login"))
    assert StatementRequest.objects.count() == 1
    assert StatementRequest.objects.get().answered_at is None
