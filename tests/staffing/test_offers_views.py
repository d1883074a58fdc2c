"""The candidate's offer and assignment pages, the one-tap email link, the recruiter's panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from psycopg2.extras import DateTimeTZRange

from staffing.models import (
    Offer,
    Placement,
    ReliabilityRecord,
    Shift,
    ShortlistEntry,
    StaffingRequest,
)
from staffing.services.offers import (
    OFFER_LINK_SALT,
    offer_accept,
    offer_link_path,
    offer_wave_send,
)
from tests import factories as f
from tests.conftest import run_queued
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The messages below are checked in English; the site's default language is Finnish."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def offered():
    world = approved_request(headcount=1, people=3)
    offers = offer_wave_send(staffing_request=world.request, by=None)
    return world, offers


def test_offers_page_lists_where_when_why_and_the_deadline(client, offered):
    world, [offer, _] = offered
    client.force_login(world.people[0])
    response = client.get(reverse("candidate_offers"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.request.site.name in html
    assert "You have every skill the work needs" in html
    assert f'data-offer="{offer.pk}"' in html
    assert "Answer within 30 minutes" in html


def test_offers_page_admits_candidates_only(client, offered):
    assert client.get(reverse("candidate_offers")).status_code == 302
    client.force_login(f.RecruiterFactory())
    assert client.get(reverse("candidate_offers")).status_code == 403


def test_one_tap_accept_and_another_persons_offer_is_404(client, offered):
    world, [offer, other] = offered
    client.force_login(world.people[0])
    assert (
        client.post(reverse("offer_answer", args=[other.pk]), {"answer": "accept"}).status_code
        == 404
    )
    response = client.post(reverse("offer_answer", args=[offer.pk]), {"answer": "accept"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED


def test_decline_with_a_reason(client, offered):
    world, [offer, _] = offered
    client.force_login(world.people[0])
    client.post(reverse("offer_answer", args=[offer.pk]), {"answer": "decline", "reason": "Ill"})
    offer.refresh_from_db()
    assert offer.status == Offer.Status.DECLINED and offer.decline_reason == "Ill"


def test_answering_get_is_not_allowed(client, offered):
    world, [offer, _] = offered
    client.force_login(world.people[0])
    assert client.get(reverse("offer_answer", args=[offer.pk])).status_code == 405


def test_link_shows_a_confirm_page_and_get_changes_nothing(client, offered):
    world, [offer, _] = offered
    client.force_login(world.people[0])
    response = client.get(offer_link_path(offer=offer))
    assert response.status_code == 200
    assert 'value="accept"' in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING


def test_link_accepts_on_post(client, offered):
    world, [offer, _] = offered
    client.force_login(world.people[0])
    path = offer_link_path(offer=offer)
    response = client.post(path, {"answer": "accept"}, follow=True)
    html = response.content.decode()
    # Said once, in the page's box, not again in a banner above it.
    assert "You have accepted this offer" in html and "You are booked" not in html
    assert Placement.objects.filter(candidate=offer.candidate).count() == 1


def test_link_sends_an_anonymous_person_to_log_in_and_back(client, offered):
    _world, [offer, _] = offered
    path = offer_link_path(offer=offer)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login")) and "next=" in response.url


def test_link_for_another_candidate_is_404_and_for_another_role_403(client, offered):
    world, [offer, _] = offered
    client.force_login(world.people[1])
    assert client.get(offer_link_path(offer=offer)).status_code == 404
    client.force_login(f.RecruiterFactory())
    assert client.get(offer_link_path(offer=offer)).status_code == 403


def test_tampered_link_is_404(client, offered):
    world, [offer, _] = offered
    client.force_login(world.people[0])
    path = offer_link_path(offer=offer)
    assert client.get(path[:-3] + "abc/").status_code == 404
    # Signed for another purpose (salt): not an offer link.
    other = signing.dumps({"o": offer.pk, "u": world.people[0].pk}, salt="something-else")
    assert client.get(reverse("offer_link", args=[other])).status_code == 404
    forged = signing.dumps({"o": offer.pk, "u": world.people[0].pk}, salt=OFFER_LINK_SALT + "x")
    assert client.get(reverse("offer_link", args=[forged])).status_code == 404


def test_expired_link_answers_a_clear_message(client, offered):
    world, [offer, _] = offered
    Offer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(world.people[0])
    path = offer_link_path(offer=offer)
    response = client.get(path)
    assert response.status_code == 200
    assert "The time to answer this offer has passed." in response.content.decode()
    response = client.post(path, {"answer": "accept"}, follow=True)
    assert "The time to answer this offer has passed." in response.content.decode()
    assert not Placement.objects.exists()


def test_a_filled_offer_is_told_kindly(client, offered):
    world, [first, second] = offered
    offer_accept(offer=first, by=world.people[0])
    client.force_login(world.people[1])
    response = client.post(offer_link_path(offer=second), {"answer": "accept"}, follow=True)
    assert response.content.decode().count("Every place was taken") == 1


def test_overlap_is_a_message_not_an_error_page(client, offered):
    world, [offer, _] = offered
    shift = world.request.first_shift
    f.PlacementFactory(
        candidate=offer.candidate,
        shift=f.ShiftFactory(starts_at=shift.starts_at, ends_at=shift.ends_at),
    )
    client.force_login(world.people[0])
    response = client.post(
        reverse("offer_answer", args=[offer.pk]), {"answer": "accept"}, follow=True
    )
    assert response.status_code == 200
    assert "You already have a shift at that time" in response.content.decode()


def test_assignments_cancel_late_is_recorded_and_contestable(client):
    world = approved_request(headcount=1, people=3, starts_in=dt.timedelta(hours=5))
    [offer, *_] = offer_wave_send(staffing_request=world.request, by=None)
    [placement] = offer_accept(offer=offer, by=world.people[0])
    client.force_login(world.people[0])
    page = client.get(reverse("candidate_assignments")).content.decode()
    assert f'data-placement="{placement.pk}"' in page and "late cancellation" in page

    client.post(reverse("assignment_cancel", args=[placement.pk]), {"reason": "Flu"})

    placement.refresh_from_db()
    assert placement.status == Placement.Status.CANCELLED and placement.cancel_reason == "Flu"
    record = ReliabilityRecord.objects.get(placement=placement)
    assert record.kind == ReliabilityRecord.Kind.LATE_CANCELLATION
    world.request.refresh_from_db()
    assert world.request.status == StaffingRequest.Status.OFFERING
    assert world.request.offers.filter(status=Offer.Status.PENDING).count() >= 1
    page = client.get(reverse("candidate_assignments")).content.decode()
    assert 'data-kind="late_cancellation"' in page

    client.post(reverse("record_contest", args=[record.pk]), {"reason": "I called at 8"})
    record.refresh_from_db()
    assert record.contest_reason == "I called at 8" and record.contested_at is not None


def test_another_persons_assignment_cannot_be_cancelled(client):
    placement = f.PlacementFactory()
    client.force_login(f.CandidateUserFactory())
    response = client.post(reverse("assignment_cancel", args=[placement.pk]), {"reason": "x"})
    assert response.status_code == 404


def test_recruiter_offers_panel(client, offered):
    world, [offer, _] = offered
    url = reverse("recruiter_request_offers", args=[world.request.pk])
    client.force_login(f.RecruiterFactory())
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'data-offer="{offer.pk}"' in response.content.decode()
    client.force_login(world.manager)
    assert client.get(url).status_code == 403
    client.force_login(world.people[0])
    assert client.get(url).status_code == 403


@pytest.fixture
def started():
    """A request whose only place went to the first person, whose shift began an hour ago."""
    world = approved_request(headcount=1, people=3)
    [offer, _] = offer_wave_send(staffing_request=world.request, by=None)
    [placement] = offer_accept(offer=offer, by=world.people[0])
    # Time passes: the shift is now under way.
    begin = timezone.now() - dt.timedelta(hours=1)
    end = begin + dt.timedelta(hours=5)
    Shift.objects.filter(pk=placement.shift_id).update(starts_at=begin, ends_at=end)
    Placement.objects.filter(pk=placement.pk).update(
        period=DateTimeTZRange(begin, end),
        blocked=DateTimeTZRange(*Placement.blocked_range(begin, end)),
    )
    world.request.refresh_from_db()
    assert world.request.status == StaffingRequest.Status.FILLED
    return world, placement


def test_offers_panel_offers_a_no_show_button_once_the_shift_has_started(client, started):
    world, placement = started
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_request_offers", args=[world.request.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content
    assert f'data-no-show="{placement.pk}"'.encode() in html
    assert reverse("recruiter_placement_no_show", args=[placement.pk]).encode() in html


def test_request_page_records_no_shows_only_in_the_live_offers_panel(client, started):
    """One no-show form per placement: the live panel's (rendered with the page and polled), not
    a second one in another list of the same people."""
    world, placement = started
    # The helper's explanations are offer-sized; the shortlist table wants the engine's full ones.
    ShortlistEntry.objects.filter(shortlist__request=world.request).update(explanation={})
    client.force_login(f.RecruiterFactory())
    page = client.get(reverse("recruiter_request_detail", args=[world.request.pk])).content
    assert page.count(f'data-placement="{placement.pk}"'.encode()) == 1
    assert page.count(reverse("recruiter_placement_no_show", args=[placement.pk]).encode()) == 1
    assert reverse("recruiter_request_offers", args=[world.request.pk]).encode() in page


def test_offers_panel_has_no_no_show_button_before_the_shift(client, offered):
    world, [offer, _] = offered
    offer_accept(offer=offer, by=world.people[0])
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_request_offers", args=[world.request.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content
    assert b"data-no-show=" not in html


def test_recruiter_no_show_reopens_the_place_and_offers_it_to_the_next_people(
    client, started, django_capture_on_commit_callbacks, queued_tasks
):
    world, placement = started
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_placement_no_show", args=[placement.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Did not answer the phone"})
    assert ("staffing.tasks.backfill_request", (world.request.pk,)) in [
        (name, args[:1]) for name, args in queued_tasks
    ]
    run_queued(queued_tasks)
    assert response.status_code == 302
    assert response.url == reverse("recruiter_request_detail", args=[world.request.pk])
    placement.refresh_from_db()
    assert placement.status == Placement.Status.NO_SHOW
    record = ReliabilityRecord.objects.get(placement=placement)
    assert record.kind == ReliabilityRecord.Kind.NO_SHOW
    assert record.reason == "Did not answer the phone"
    world.request.refresh_from_db()
    assert world.request.status == StaffingRequest.Status.OFFERING
    offered_to = set(world.request.offers.pending().values_list("candidate__user", flat=True))
    assert offered_to == {world.people[1].pk, world.people[2].pk}


def test_no_show_is_recruiters_only_post_only_and_scoped(client, started):
    world, placement = started
    url = reverse("recruiter_placement_no_show", args=[placement.pk])
    client.force_login(f.RecruiterFactory())
    assert client.get(url).status_code == 405
    for user in (world.people[0], f.ClientManagerFactory()):
        client.force_login(user)
        assert client.post(url).status_code == 403
    client.force_login(f.RecruiterFactory())
    missing = reverse("recruiter_placement_no_show", args=[placement.pk + 1000])
    assert client.post(missing).status_code == 404
    placement.refresh_from_db()
    assert placement.status == Placement.Status.CONFIRMED


def test_an_answer_the_link_page_cannot_show_in_its_box_is_said_in_a_banner(client, offered):
    """A clash with another booking leaves the offer open: the page has no box for that, so the
    message is shown above the offer, once."""
    world, [offer, _] = offered
    shift = world.request.first_shift
    f.PlacementFactory(
        candidate=offer.candidate,
        shift=f.ShiftFactory(starts_at=shift.starts_at, ends_at=shift.ends_at),
    )
    client.force_login(world.people[0])
    response = client.post(offer_link_path(offer=offer), {"answer": "accept"}, follow=True)
    html = response.content.decode()
    assert html.count("You already have a shift at that time") == 1
    assert 'id="offer-closed"' not in html
