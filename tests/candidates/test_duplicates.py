"""Duplicates (email, phone in E.164, similar name with the same postal code) and merging:
all history moves to the person kept, the merge is recorded, the other is never matched."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import (
    Assessment,
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    Consent,
    DateOff,
    Invitation,
)
from candidates.services.duplicates import (
    MergeError,
    candidate_merge,
    duplicate_pairs,
    pool_matches,
    relations_to_candidate,
)
from staffing.base.models import AuditEvent
from staffing.models import Offer, Placement, ReliabilityRecord
from tests import factories as f

pytestmark = pytest.mark.django_db


def _person(**kwargs) -> Candidate:
    defaults = {"phone": "", "email": "", "postal_code": "00100"}
    return f.CandidateFactory(**(defaults | kwargs))


def test_pool_matches_email_any_case_phone_in_any_spelling_and_similar_names():
    _person(first_name="Aino", last_name="Laine", email="Aino.Laine@Example.fi")
    _person(first_name="Eero", last_name="Salo", phone="050 765 4321", postal_code="02100")
    _person(first_name="Mikko", last_name="Virtanen", postal_code="00100")
    found = pool_matches(
        emails=["aino.laine@example.fi", "x@example.fi", "y@example.fi", "z@example.fi"],
        phones=["", "+358507654321", "", ""],
        names=["Aino Laine", "Eero Salo", "Mikko Virtane", "Mikko Virtanen"],
        postal_codes=["00100", "02100", "00100", "33100"],
    )
    assert found == {0: {"email", "name"}, 1: {"phone", "name"}, 2: {"name"}}


def test_duplicate_pairs_on_demand_and_for_an_import():
    a = _person(first_name="Aino", last_name="Laine", email="aino@example.fi")
    b = _person(first_name="Aino", last_name="Lainé", email="AINO@example.fi")
    c = _person(first_name="Eero", last_name="Salo", phone="+358 40 123 4567")
    d = _person(first_name="Eetu", last_name="Koski", phone="0401234567", postal_code="33100")
    _person(first_name="Liisa", last_name="Virta")
    pairs = {(p.first.pk, p.second.pk): p.reasons for p in duplicate_pairs()}
    assert pairs == {(a.pk, b.pk): {"email", "name"}, (c.pk, d.pk): {"phone"}}
    only = duplicate_pairs(candidate_ids=[d.pk])
    assert [(p.first.pk, p.second.pk) for p in only] == [(c.pk, d.pk)]


def test_merge_moves_every_related_row_and_is_recorded():
    recruiter = f.RecruiterFactory()
    keep = _person(first_name="Aino", last_name="Laine", email="aino@example.fi", phone="")
    other = _person(first_name="Aino", last_name="Laine", email="", phone="+358401112222")
    f.CandidateLanguageFactory(candidate=keep, language="sv", level=3)
    f.CandidateLanguageFactory(candidate=other, language="sv", level=5)
    f.CandidateLanguageFactory(candidate=other, language="en", level=4)
    skill = f.SkillFactory()
    CandidateSkill.objects.create(candidate=other, skill=skill, level=3)
    DateOff.objects.create(candidate=other, date=timezone.localdate())
    assessment = f.AssessmentFactory(candidate=other)
    Consent.objects.create(candidate=keep, purpose="matching", version="v")
    Consent.objects.create(candidate=other, purpose="matching", version="v")
    Consent.objects.create(candidate=other, purpose="presentation", version="v")
    Invitation.objects.create(candidate=other, email="old@example.fi", invited_by=recruiter)
    mark = f.CandidateMarkFactory(candidate=other)
    placement = f.PlacementFactory(candidate=other)
    record = ReliabilityRecord.objects.create(placement=placement, candidate=other, kind="no_show")
    offer = Offer.objects.create(
        request=placement.request, candidate=other, wave=1, deadline=timezone.now()
    )
    AuditEvent.objects.create(action="candidate.viewed", target_type="x", candidate=other)

    kept = candidate_merge(keep=keep, other=other, by=recruiter)

    assert kept.pk == keep.pk and kept.phone == "+358401112222"  # filled from the other
    assert kept.email == "aino@example.fi"
    assert {(row.language, row.level) for row in kept.languages.all()} == {("sv", 5), ("en", 4)}
    assert CandidateSkill.objects.get(skill=skill).candidate_id == keep.pk
    assert DateOff.objects.get().candidate_id == keep.pk
    for row in (assessment, mark, placement, record, offer):
        row.refresh_from_db()
        assert row.candidate_id == keep.pk, type(row)
    assert Invitation.objects.get().candidate_id == keep.pk
    active = Consent.objects.filter(candidate=keep, withdrawn_at__isnull=True)
    assert sorted(active.values_list("purpose", flat=True)) == ["matching", "presentation"]
    assert Consent.objects.filter(candidate=keep).count() == 3  # the superseded one is kept
    assert kept.matching_consent and kept.presentation_consent
    assert AuditEvent.objects.filter(candidate=keep, action="candidate.viewed").exists()
    event = AuditEvent.objects.get(action="candidate.merged")
    assert event.actor == recruiter and event.data["merged_id"] == other.pk
    assert event.data["moved"]["staffing.placement"] == 1

    other.refresh_from_db()
    assert other.status == Candidate.Status.MERGED and other.merged_into_id == keep.pk
    assert other.first_name == "–" and other.email == "" and not other.matching_consent
    assert not Candidate.objects.matchable().filter(pk=other.pk).exists()
    assert not Candidate.objects.listed().filter(pk=other.pk).exists()
    assert not CandidateLanguage.objects.filter(candidate=other).exists()
    assert not Assessment.objects.filter(candidate=other).exists()


def test_the_walk_finds_every_model_pointing_at_a_person():
    labels = {model._meta.label for model, _field in relations_to_candidate()}
    assert {
        "candidates.CandidateLanguage",
        "candidates.Assessment",
        "candidates.Consent",
        "staffing.Placement",
        "staffing.Offer",
        "clients.CandidateMark",
        "staffing.AuditEvent",
    } <= labels
    assert ("candidates.Candidate", "merged_into") not in {
        (m._meta.label, fk.name) for m, fk in relations_to_candidate()
    }


def test_a_login_moves_to_the_person_kept():
    user = f.CandidateUserFactory()
    signed_up = user.candidate
    imported = _person(first_name=signed_up.first_name, status=Candidate.Status.INACTIVE)
    kept = candidate_merge(keep=imported, other=signed_up, by=None)
    assert kept.user == user and kept.status == Candidate.Status.ACTIVE


def test_merge_refuses_what_cannot_be_merged():
    a = f.CandidateUserFactory().candidate
    b = f.CandidateUserFactory().candidate
    with pytest.raises(MergeError, match="own login"):
        candidate_merge(keep=a, other=b, by=None)
    with pytest.raises(MergeError):
        candidate_merge(keep=a, other=a, by=None)
    c = _person()
    candidate_merge(keep=a, other=c, by=None)
    with pytest.raises(MergeError, match="already"):
        candidate_merge(keep=b, other=c, by=None)


def test_overlapping_placements_stay_on_the_merged_row_rather_than_go():
    keep, other = _person(), _person()
    shift = f.ShiftFactory()
    f.PlacementFactory(candidate=keep, shift=shift, status=Placement.Status.CONFIRMED)
    theirs = f.PlacementFactory(
        candidate=other, shift=shift, request=shift.request, status=Placement.Status.CONFIRMED
    )
    candidate_merge(keep=keep, other=other, by=None)
    theirs.refresh_from_db()
    assert theirs.candidate_id == other.pk  # kept, never deleted


def test_recruiter_merges_from_the_duplicates_page(client):
    recruiter = f.RecruiterFactory()
    a = _person(first_name="Aino", last_name="Laine", email="aino@example.fi")
    b = _person(first_name="Aino", last_name="Laine", email="aino@example.fi")
    client.force_login(recruiter)
    page = client.get(reverse("recruiter_duplicates")).content.decode()
    assert "same email" in page and f'name="other" value="{b.pk}"' in page
    response = client.post(reverse("recruiter_candidate_merge"), {"keep": a.pk, "other": b.pk})
    assert response.url == reverse("recruiter_candidate_detail", args=[a.pk])
    b.refresh_from_db()
    assert b.status == Candidate.Status.MERGED
    again = client.post(reverse("recruiter_candidate_merge"), {"keep": a.pk, "other": b.pk})
    assert again.status_code == 404  # the merged row is no longer reachable


@pytest.mark.parametrize("role", ["manager", "candidate"])
def test_others_cannot_merge_or_see_duplicates(client, role):
    a, b = _person(email="s@example.fi"), _person(email="s@example.fi")
    user = f.ClientManagerFactory() if role == "manager" else f.CandidateUserFactory()
    client.force_login(user)
    assert client.get(reverse("recruiter_duplicates")).status_code == 403
    response = client.post(reverse("recruiter_candidate_merge"), {"keep": a.pk, "other": b.pk})
    assert response.status_code == 403
    b.refresh_from_db()
    assert b.status == Candidate.Status.ACTIVE


def test_different_first_names_with_one_surname_are_not_offered_for_merging():
    _person(first_name="Aada", last_name="Hämäläinen", postal_code="01300")
    found = pool_matches(
        emails=["axel@example.fi", "aada.h@example.fi"],
        phones=["", ""],
        names=["Axel Hämäläinen", "Aada Hämäläinin"],
        postal_codes=["01300", "01300"],
    )
    assert found == {1: {"name"}}
