"""Inviting many people at once from a pasted list: each line invited or given its reason."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from candidates.models import Candidate, Invitation
from candidates.services.invitations import invitations_from_lines, invite_line_parse
from staffing.base.models import OutboundEmail
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_line_is_an_email_a_name_and_email_or_a_mail_header():
    assert invite_line_parse("Aino@Example.fi ") == ("aino@example.fi", "", "")
    assert invite_line_parse("Aino, Laine, aino@example.fi") == ("aino@example.fi", "Aino", "Laine")
    assert invite_line_parse('"Eero Salo" <eero@example.fi>') == ("eero@example.fi", "Eero", "Salo")
    assert invite_line_parse("Liisa Maria Koski;liisa@example.fi") == (
        "liisa@example.fi",
        "Liisa Maria",
        "Koski",
    )


def test_each_line_is_invited_or_gets_its_reason():
    recruiter = f.RecruiterFactory()
    f.CandidateUserFactory(email="has.login@example.fi")
    known = f.CandidateFactory(email="known@example.fi", status=Candidate.Status.INACTIVE)
    text = "\n".join(
        [
            "Aino Laine <aino@example.fi>",
            "not an email",
            "",
            "aino@example.fi",
            "has.login@example.fi",
            "known@example.fi",
        ]
    )
    results = invitations_from_lines(
        text=text, by=recruiter, base_url="http://testserver", language="fi"
    )
    outcome = {r.number: (r.invitation is not None, r.error) for r in results}
    assert outcome == {
        1: (True, ""),
        2: (False, "Not an email address."),
        4: (False, "This email is on an earlier line."),
        5: (False, "Someone with this email address already has an account."),
        6: (True, ""),
    }
    aino = Candidate.objects.get(email="aino@example.fi")
    assert aino.status == Candidate.Status.INACTIVE and not aino.matching_consent
    assert Invitation.objects.get(candidate=known).invited_by == recruiter
    assert OutboundEmail.objects.filter(to="aino@example.fi", language="fi").exists()
    again = invitations_from_lines(
        text="known@example.fi", by=recruiter, base_url="http://testserver", language="fi"
    )
    assert again[0].error == "Already invited: the invitation is waiting for an answer."


def test_line_errors_are_in_the_readers_language():
    recruiter = f.RecruiterFactory()
    for language, expected in (("fi", "Ei ole sähköpostiosoite."), ("sv", "Inte en e-postadress.")):
        with translation.override(language):
            (line,) = invitations_from_lines(
                text="nope", by=recruiter, base_url="http://x", language=language
            )
        assert line.error == expected


def test_the_page_lists_the_lines_not_invited(client):
    client.force_login(f.RecruiterFactory())
    response = client.post(
        reverse("recruiter_invite_many"),
        {"lines": "a@example.fi\nbroken", "language": "sv"},
    )
    page = response.content.decode()
    assert "Invitations sent: 1." in page
    assert "Line 2 (broken): Not an email address." in page
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("role", ["manager", "candidate"])
def test_others_cannot_invite_many(client, role):
    user = f.ClientManagerFactory() if role == "manager" else f.CandidateUserFactory()
    client.force_login(user)
    response = client.post(reverse("recruiter_invite_many"), {"lines": "a@example.fi"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
