"""Erasure scrubs the person's values and nobody else's: a bare surname that is also a place
name stays in rows about other people, and a phone number goes however it was written."""

from __future__ import annotations

import pytest

from candidates.models import Candidate
from staffing.base.audit import audit_record
from staffing.models import AuditEvent, OutboundEmail, ShortlistEdit
from staffing.services.personal_data.erasure import candidate_erase, phone_pattern
from tests import factories as f

pytestmark = pytest.mark.django_db

SURNAME = "Kamppi"  # also a district of Helsinki and a shopping centre


@pytest.fixture
def person():
    user = f.CandidateUserFactory(email="erkki.kamppi@example.fi", first_name="Erkki")
    Candidate.objects.filter(pk=user.candidate.pk).update(
        first_name="Erkki", last_name=SURNAME, phone="+358 40 555 8523"
    )
    user.last_name = SURNAME
    user.save(update_fields=["last_name"])
    return Candidate.objects.get(pk=user.candidate.pk)


def test_a_place_named_like_the_surname_survives_in_unrelated_rows(person):
    other = f.CandidateFactory()
    entry = f.ShortlistEntryFactory(candidate=other)
    recruiter = f.RecruiterFactory()
    edit = ShortlistEdit.objects.create(
        shortlist=entry.shortlist,
        candidate=other,
        action="add",
        reason=f"Lives next to {SURNAME} metro station",
        by=recruiter,
    )
    email = OutboundEmail.objects.create(
        key="k:1", to=other.email, language="fi", subject=f"Työtarjous: {SURNAME} –", body="b"
    )
    about_other = audit_record(
        actor=recruiter, action="x.y", target=other, candidate_id=other.pk, data={"at": SURNAME}
    )
    about_person = audit_record(
        actor=None, action="x.y", target=person, data={"note": f"{SURNAME} called"}
    )
    mention = ShortlistEdit.objects.create(
        shortlist=entry.shortlist,
        candidate=other,
        action="add",
        reason="Knows Erkki Kamppi, erkki.KAMPPI@example.fi",
        by=recruiter,
    )

    candidate_erase(candidate=person, by=None)

    edit.refresh_from_db()
    email.refresh_from_db()
    mention.refresh_from_db()
    assert edit.reason == f"Lives next to {SURNAME} metro station"
    assert email.subject == f"Työtarjous: {SURNAME} –"
    assert AuditEvent.objects.get(pk=about_other.pk).data == {"at": SURNAME}
    # In a row about the person the surname alone is theirs, and goes.
    assert SURNAME not in str(AuditEvent.objects.get(pk=about_person.pk).data)
    # Their full name and email go everywhere.
    assert mention.reason == "Knows –, –"


SPELLINGS = [
    "040 555 8523",
    "0405558523",
    "040-555 8523",
    "040-5558523",
    "(040) 555-8523",
    "040.555.8523",
    "+358 40 555 8523",
    "+358405558523",
    "+358 (0)40 555 8523",
    "00358 40 5558523",
    "+358-40-555-8523",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_phone_goes_however_it_was_written(person, spelling):
    other = f.CandidateFactory()
    entry = f.ShortlistEntryFactory(candidate=other)
    recruiter = f.RecruiterFactory()
    edit = ShortlistEdit.objects.create(
        shortlist=entry.shortlist,
        candidate=other,
        action="add",
        reason=f"ask p. {spelling}, ok",
        by=recruiter,
    )
    event = audit_record(
        actor=recruiter,
        action="shortlist.edited",
        target=other,
        candidate_id=other.pk,
        data={"reason": f"p. {spelling}"},
    )

    candidate_erase(candidate=person, by=None)

    edit.refresh_from_db()
    assert edit.reason == "ask p. –, ok"
    assert AuditEvent.objects.get(pk=event.pk).data == {"reason": "p. –"}


def test_other_numbers_are_left_alone(person):
    other = f.CandidateFactory()
    entry = f.ShortlistEntryFactory(candidate=other)
    texts = ["p. 040 555 85230", "order 10405558523", "p. 040 555 8524", "+46 40 555 8523"]
    edits = [
        ShortlistEdit.objects.create(
            shortlist=entry.shortlist, candidate=other, action="add", reason=text
        )
        for text in texts
    ]

    candidate_erase(candidate=person, by=None)

    assert [ShortlistEdit.objects.get(pk=e.pk).reason for e in edits] == texts


@pytest.mark.parametrize(
    ("phone", "text"),
    [("0405558523", "+358 40 555 8523"), ("+358405558523", "040 555 85 23")],
)
def test_phone_pattern_matches_both_forms(phone, text):
    import re

    assert re.fullmatch(phone_pattern(phone) or "", text)
