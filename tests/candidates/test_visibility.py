"""How others see me: ratings band and kudos, the reliability record with contest and answer,
why each offer was made, and the log of who was shown the person's data."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.services.cv import cv_open, cv_store
from staffing.models import AuditEvent, Offer, ReliabilityRecord, ServiceRating
from staffing.presenters import PresentedPerson
from staffing.services.disclosure import candidate_views_record
from staffing.services.personal_data.visibility import fit_card, profile_views
from tests import factories as f
from tests.candidates.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = f.CandidateUserFactory()
    client.force_login(user)
    return user.candidate


_days_ago = itertools.count(2)


def _placement(candidate):
    """A past placement, each on its own day (a person cannot be booked twice at once)."""
    start = timezone.now() - dt.timedelta(days=next(_days_ago))
    shift = f.ShiftFactory(starts_at=start, ends_at=start + dt.timedelta(hours=5))
    return f.PlacementFactory(candidate=candidate, shift=shift)


def _rate(candidate, score: int, comment: str = "") -> ServiceRating:
    placement = _placement(candidate)
    return ServiceRating.objects.create(
        placement=placement,
        candidate=candidate,
        company=placement.request.company,
        score=score,
        comment=comment,
    )


def test_rating_band_comes_from_the_clients_ratings(me):
    assert fit_card(candidate=me, placed=False)["rating_band"] == "New with us"
    _rate(me, 5)
    _rate(me, 4)
    assert fit_card(candidate=me, placed=False)["rating_band"] == "4–5 ★"
    _rate(me, 1)
    _rate(me, 1)
    assert ServiceRating.objects.band_for(me) == "under 3 ★"
    # The band clients see on their request pages is the same reading of the same numbers.
    summary = ServiceRating.objects.summary_by_candidate([me.pk])[me.pk]
    assert ServiceRating.band(summary) == ServiceRating.objects.band_for(me)


def test_the_person_sees_their_ratings_and_kudos(client, me):
    rating = _rate(me, 5, comment="Calmed a queue of forty with a smile")
    page = client.get(reverse("candidate_visibility")).content.decode()
    assert "Calmed a queue of forty with a smile" in page
    assert rating.company.name in page and "5/5" in page and "4–5 ★" in page


def test_reliability_record_links_to_contest_and_shows_the_answer(client, me):
    contested = ReliabilityRecord.objects.create(
        placement=_placement(me),
        candidate=me,
        kind=ReliabilityRecord.Kind.NO_SHOW,
        contest_reason="The bus broke down",
        contested_at=timezone.now(),
        answer="Thank you, we removed it from your ranking.",
        answered_at=timezone.now(),
    )
    open_record = ReliabilityRecord.objects.create(
        placement=_placement(me),
        candidate=me,
        kind=ReliabilityRecord.Kind.LATE_CANCELLATION,
    )
    page = client.get(reverse("candidate_visibility")).content.decode()
    assert f'data-record="{contested.pk}"' in page
    assert "The bus broke down" in page and "Thank you, we removed it" in page
    assert reverse("record_contest", args=[open_record.pk]) in page
    assert reverse("record_contest", args=[contested.pk]) not in page


def test_a_recruiter_answers_a_contested_record_once(client, me):
    record = ReliabilityRecord.objects.create(
        placement=_placement(me), candidate=me, kind="no_show"
    )
    client.post(reverse("record_contest", args=[record.pk]), {"reason": "I was there at 8"})
    recruiter = f.RecruiterFactory()
    client.force_login(recruiter)
    page = client.get(reverse("recruiter_candidate_detail", args=[me.pk])).content.decode()
    assert "I was there at 8" in page
    url = reverse("recruiter_record_answer", args=[record.pk])
    assert url in page
    client.post(url, {"answer": "The client confirmed it. Removed."})  # no decision: refused
    assert ReliabilityRecord.objects.get(pk=record.pk).answered_at is None
    client.post(url, {"answer": "The client confirmed it. Removed.", "decision": "withdrawn"})
    client.post(url, {"answer": "A second answer", "decision": "upheld"})
    record.refresh_from_db()
    assert record.answer == "The client confirmed it. Removed." and record.answered_by == recruiter
    assert AuditEvent.objects.filter(action="reliability.answered", candidate=me).count() == 1
    client.force_login(me.user)
    assert (
        "The client confirmed it. Removed."
        in client.get(reverse("candidate_assignments")).content.decode()
    )


def test_an_uncontested_record_cannot_be_answered(client, me):
    record = ReliabilityRecord.objects.create(
        placement=_placement(me), candidate=me, kind="no_show"
    )
    client.force_login(f.RecruiterFactory())
    client.post(
        reverse("recruiter_record_answer", args=[record.pk]), {"answer": "Hm", "decision": "upheld"}
    )
    record.refresh_from_db()
    assert record.answered_at is None


def test_each_offer_says_why_it_was_made(client, me):
    entry = f.ShortlistEntryFactory(
        candidate=me,
        explanation={"factors": [{"code": "favourite", "value": 1}], "failed": []},
    )
    offer = Offer.objects.create(
        request=entry.shortlist.request,
        candidate=me,
        shortlist_entry=entry,
        wave=1,
        deadline=timezone.now() - dt.timedelta(hours=1),
        status=Offer.Status.DECLINED,
    )
    reason = "The client has marked you as a favourite"
    page = client.get(reverse("candidate_visibility")).content.decode()
    assert f'data-offer="{offer.pk}"' in page and reason in page
    # Earlier offers on the offers page say why, too.
    assert reason in client.get(reverse("candidate_offers")).content.decode()


def test_recruiters_and_client_managers_views_are_in_the_persons_log(client, me):
    recruiter = f.RecruiterFactory(first_name="Rita", last_name="Recruiter")
    client.force_login(recruiter)
    client.get(reverse("recruiter_candidate_detail", args=[me.pk]))
    placement = _placement(me)
    manager = f.ClientManagerFactory(company=placement.request.company)
    person = PresentedPerson(me.pk, me.first_name, [], [], [], "New with us")
    candidate_views_record(
        viewer=manager, staffing_request=placement.request, people=[person], page_load=True
    )
    person.placed = True
    candidate_views_record(
        viewer=manager, staffing_request=placement.request, people=[person], page_load=False
    )

    views = profile_views(candidate=me)
    company = placement.request.company.name
    assert [(v.who, v.what) for v in views] == [
        (f"A client manager at {company}", "your name and phone number"),
        (f"A client manager at {company}", "your first name, languages, skills and ratings band"),
        ("A recruiter, Rita Recruiter", "your profile"),
    ]
    assert set(AuditEvent.objects.filter(candidate=me).values_list("action", flat=True)) <= set(
        AuditEvent.VIEW_ACTIONS
    )
    client.force_login(me.user)
    page = client.get(reverse("candidate_visibility")).content.decode()
    assert f"A client manager at {company}" in page and "A recruiter, Rita Recruiter" in page


def test_a_cv_download_is_logged_through_the_same_function(me):
    cv = cv_store(
        candidate=me, by=me.user, file=io.BytesIO(PDF_BYTES), name="cv.pdf", size=len(PDF_BYTES)
    )
    recruiter = f.RecruiterFactory()
    cv_open(cv=cv, by=recruiter).close()
    view = profile_views(candidate=me)[0]
    assert view.what == "your CV" and view.who == f"A recruiter, {recruiter.email}"


def test_the_preview_and_the_clients_page_share_one_rule_for_names_and_contact(me):
    """Before placement a client sees the first name only; after it, the full name and phone."""
    before, after = fit_card(candidate=me, placed=False), fit_card(candidate=me, placed=True)
    assert (before["first_name"], before["full_name"], before["phone"]) == (me.first_name, "", "")
    assert (after["full_name"], after["phone"]) == (me.full_name, me.phone)
    assert me.shown_to_client(placed=False) == {
        k: before[k] for k in me.shown_to_client(placed=False)
    }
