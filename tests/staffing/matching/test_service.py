"""shortlist_build against the database: storage, idempotency, replay, fairness, catch-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import Assessment, Candidate
from staffing.matching.replay import RulesVersionMismatch, shortlist_replay
from staffing.models import AuditEvent, StaffingRequest, User
from staffing.services.matching import MANUAL_RULES_VERSION, shortlist_build
from staffing.services.shortlists import shortlist_entry_add
from tests.factories import (
    AssessmentFactory,
    CandidateFactory,
    CandidateLanguageFactory,
    CandidateMarkFactory,
    PlacementFactory,
    RequestLanguageFactory,
    ServiceProfileFactory,
    ShiftFactory,
    StaffingRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_request(**kwargs):
    profile = ServiceProfileFactory(focus="service")
    request = StaffingRequestFactory(service_profile=profile, **kwargs)
    ShiftFactory(request=request)
    RequestLanguageFactory(request=request, language="fi", level=4)
    return request


def speaker(**kwargs):
    candidate = CandidateFactory(**kwargs)
    CandidateLanguageFactory(candidate=candidate, language="fi", level=6)
    return candidate


def test_shortlist_is_stored_with_explanations_and_status():
    request = make_request()
    best = speaker()
    AssessmentFactory(candidate=best, service_attitude=5, communication=5)
    other = speaker()
    speaker(matching_consent=False)
    short = speaker()
    short.languages.update(level=3)

    shortlist = shortlist_build(request_id=request.pk)

    assert shortlist is not None
    assert [e.candidate_id for e in shortlist.ranked] == [best.pk, other.pk]
    assert [e.candidate_id for e in shortlist.near_misses] == [short.pk]
    near = shortlist.near_misses.get()
    assert near.explanation["failed"] == [
        {
            "code": "language",
            "languages": [{"language": "fi", "have": 3, "need": 4, "verified": False}],
        }
    ]
    top = shortlist.ranked.first()
    assert sum(round(f["points"] * 100) for f in top.explanation["factors"]) == round(
        top.score * 100
    )
    assert shortlist.eligible_count == 2
    assert shortlist.pool_size == 3
    request.refresh_from_db()
    assert request.status == StaffingRequest.Status.SHORTLISTED
    assert request.shortlisted_at is not None
    assert AuditEvent.objects.filter(action="shortlist.created", staffing_request=request).exists()


def test_building_twice_does_nothing_the_second_time():
    request = make_request()
    speaker()
    assert shortlist_build(request_id=request.pk) is not None
    assert shortlist_build(request_id=request.pk) is None
    assert shortlist_build(request_id=999_999) is None
    assert request.shortlists.count() == 1


def test_stored_shortlist_replays_to_the_same_scores_and_order():
    request = make_request()
    for level in (6, 5, 4, 3):
        person = speaker()
        person.languages.update(level=level)
        AssessmentFactory(candidate=person, service_attitude=level - 1)
    shortlist = shortlist_build(request_id=request.pk)

    replayed = shortlist_replay(rules_version=shortlist.rules_version, inputs=shortlist.inputs)

    stored = [(e.candidate_id, e.score, e.explanation) for e in shortlist.ranked]
    assert [(e.candidate_id, e.score, e.explanation) for e in replayed.ranked] == stored
    near = [(e.candidate_id, e.score) for e in shortlist.near_misses]
    assert [(e.candidate_id, e.score) for e in replayed.near_misses] == near
    with pytest.raises(RulesVersionMismatch):
        shortlist_replay(rules_version="old", inputs=shortlist.inputs)
    # Inputs stored before the table form (a list of objects) replay the same way.
    older = dict(shortlist.inputs)
    fields, rows = older.pop("people_fields"), older.pop("people_rows")
    older["people"] = [dict(zip(fields, row, strict=True)) for row in rows]
    replayed_older = shortlist_replay(rules_version=shortlist.rules_version, inputs=older)
    assert [(e.candidate_id, e.score) for e in replayed_older.ranked] == [
        (e.candidate_id, e.score) for e in shortlist.ranked
    ]


def test_names_contacts_and_free_text_never_change_a_score():
    request = make_request(notes="Prefers Matti")
    a = speaker(
        first_name="Matti",
        last_name="Virtanen",
        email="m@example.fi",
        phone="+358401111111",
        introduction="Loves sales",
    )
    b = speaker(
        first_name="Aisha",
        last_name="Mohamed",
        email="a@example.fi",
        phone="+358402222222",
        introduction="",
    )
    for person, notes in ((a, "great"), (b, "quiet")):
        AssessmentFactory(candidate=person, notes=notes, summary=notes)

    shortlist = shortlist_build(request_id=request.pk)

    first, second = shortlist.ranked
    assert first.score == second.score
    assert [first.candidate_id, second.candidate_id] == sorted([a.pk, b.pk])
    assert first.explanation == second.explanation


def test_a_change_is_seen_by_the_next_match():
    speaker()
    shortlist_build(request_id=make_request().pk)  # loads the pool
    newcomer = speaker()
    booked = speaker()
    request = make_request()
    shift = request.shifts.get()
    PlacementFactory(
        candidate=booked,
        shift__starts_at=shift.starts_at - dt.timedelta(hours=2),
        shift__ends_at=shift.starts_at - dt.timedelta(hours=1),
    )
    Candidate.objects.filter(pk__in=[booked.pk]).touch()
    barred = speaker()
    CandidateMarkFactory(candidate=barred, company=request.company, kind="do_not_return")
    Candidate.objects.filter(pk__in=[barred.pk]).touch()

    shortlist = shortlist_build(request_id=request.pk)

    ids = [e.candidate_id for e in shortlist.ranked]
    assert newcomer.pk in ids
    assert booked.pk not in ids
    assert barred.pk not in ids


def test_the_final_check_catches_an_untouched_change():
    """A change whose touch came too late for catch-up is still caught before storing."""
    person = speaker()
    shortlist_build(request_id=make_request().pk)
    Assessment.objects.create(candidate=person, service_attitude=5, communication=5, sales=5)

    Candidate.objects.filter(pk=person.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=1), matching_consent=False
    )
    shortlist = shortlist_build(request_id=make_request().pk)
    assert list(shortlist.ranked) == []


def test_without_automatic_matching_recruiters_get_an_empty_shortlist_to_fill(settings):
    settings.AUTOMATIC_MATCHING = False
    request = make_request()
    person = speaker()

    shortlist = shortlist_build(request_id=request.pk)

    assert shortlist is not None
    assert shortlist.rules_version == MANUAL_RULES_VERSION
    assert shortlist.inputs == {"manual": True}
    assert not shortlist.entries.exists()
    request.refresh_from_db()
    assert request.status == StaffingRequest.Status.SHORTLISTED
    event = AuditEvent.objects.get(action="shortlist.created", staffing_request=request)
    assert event.data["rules_version"] == MANUAL_RULES_VERSION
    assert shortlist_build(request_id=request.pk) is None

    recruiter = UserFactory(role=User.Role.RECRUITER)
    entry = shortlist_entry_add(shortlist=shortlist, candidate=person, by=recruiter, reason="Asked")
    assert entry.rank == 1
    assert [e.candidate_id for e in shortlist.ranked] == [person.pk]
