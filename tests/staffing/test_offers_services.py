"""Offer waves, answers and fills: one test per transition of a request and of an offer."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from candidates.models import Candidate
from clients.models import CandidateMark
from staffing.base.outbox import email_send, emails_send
from staffing.models import AuditEvent, Offer, OutboundEmail, Placement, StaffingRequest
from staffing.services.offers import (
    OfferConflict,
    OfferNotOpen,
    offer_accept,
    offer_decline,
    offer_wave_send,
    offer_waves_advance,
    offers_withdraw,
    request_backfill,
)
from tests import factories as f
from tests.conftest import run_queued
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db

Status = StaffingRequest.Status


@pytest.fixture(autouse=True)
def _english():
    """The messages below are checked in the English source language."""
    with translation.override("en"):
        yield


def _actions(req: StaffingRequest) -> list[str]:
    return list(
        AuditEvent.objects.filter(staffing_request=req)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_first_wave_offers_favourites_first_then_the_best_ranked(settings):
    settings.OFFER_WAVE_SIZE_FACTOR = 2
    world = approved_request(headcount=1, people=5)
    favourite = world.people[4].candidate
    f.CandidateMarkFactory(company=world.request.company, candidate=favourite)
    recruiter = f.RecruiterFactory()

    offers = offer_wave_send(staffing_request=world.request, by=recruiter)

    assert [o.candidate_id for o in offers] == [favourite.pk, world.people[0].candidate.pk]
    assert offers[0].is_favourite and not offers[1].is_favourite
    assert {o.wave for o in offers} == {1}
    world.request.refresh_from_db()
    assert world.request.status == Status.OFFERING
    assert _actions(world.request)[-2:] == ["request.offering", "offers.wave_sent"]
    assert OutboundEmail.objects.filter(key__startswith="offer:").count() == 2


def test_wave_size_follows_the_setting_and_the_open_headcount(settings):
    settings.OFFER_WAVE_SIZE_FACTOR = 3
    world = approved_request(headcount=2, people=10)
    assert len(offer_wave_send(staffing_request=world.request, by=None)) == 6
    # Nothing more goes out while the pending offers already cover the open places.
    assert offer_wave_send(staffing_request=world.request, by=None) == []


def test_deadline_is_30_minutes_for_urgent_and_4_hours_for_planned(settings):
    urgent = approved_request(urgency="urgent")
    planned = approved_request(urgency="planned")
    before = timezone.now()
    [u, *_] = offer_wave_send(staffing_request=urgent.request, by=None)
    [p, *_] = offer_wave_send(staffing_request=planned.request, by=None)
    assert dt.timedelta(minutes=29) < u.deadline - before <= dt.timedelta(minutes=31)
    assert (
        dt.timedelta(hours=3, minutes=59) < p.deadline - before <= dt.timedelta(hours=4, minutes=1)
    )


def test_deadline_is_never_after_the_first_shift_starts():
    world = approved_request(urgency="planned", starts_in=dt.timedelta(minutes=50))
    [offer, *_] = offer_wave_send(staffing_request=world.request, by=None)
    assert offer.deadline == world.request.first_shift.starts_at


def test_offer_email_is_in_the_candidates_language_with_a_signed_link():
    world = approved_request(language="fi")
    [offer, *_] = offer_wave_send(staffing_request=world.request, by=None)
    email = OutboundEmail.objects.get(key=f"offer:{offer.pk}:1")
    assert email.to == world.people[0].email
    assert email.language == "fi"
    assert "/o/" in email.body
    assert email.status == OutboundEmail.Status.PENDING


def test_accept_books_the_person_and_tells_the_client():
    world = approved_request(headcount=2)
    [offer, *_] = offer_wave_send(staffing_request=world.request, by=None)
    person = world.people[0]
    touched_before = Candidate.objects.get(pk=offer.candidate_id).updated_at

    [placement] = offer_accept(offer=offer, by=person)

    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.responded_at is not None
    shift = world.request.first_shift
    assert placement.period.lower == shift.starts_at and placement.period.upper == shift.ends_at
    assert placement.blocked.upper == shift.ends_at + dt.timedelta(hours=11)
    assert Candidate.objects.get(pk=offer.candidate_id).updated_at > touched_before
    world.request.refresh_from_db()
    assert world.request.status == Status.OFFERING
    assert OutboundEmail.objects.filter(
        to=world.manager.email, key__startswith="confirmed:"
    ).exists()
    assert "offer.accepted" in _actions(world.request)


def test_last_acceptance_fills_the_request_and_closes_the_other_offers_kindly():
    world = approved_request(headcount=1, people=3)
    first, second = offer_wave_send(staffing_request=world.request, by=None)

    offer_accept(offer=first, by=world.people[0])

    world.request.refresh_from_db()
    assert world.request.status == Status.FILLED and world.request.filled_at is not None
    second.refresh_from_db()
    assert second.status == Offer.Status.FILLED
    assert OutboundEmail.objects.filter(key=f"offer-closed:{second.pk}:1").exists()
    with pytest.raises(OfferNotOpen, match="taken"):
        offer_accept(offer=second, by=world.people[1])
    assert Placement.objects.filter(request=world.request).count() == 1
    assert "request.filled" in _actions(world.request)


def test_an_acceptance_after_the_deadline_is_told_it_expired():
    world = approved_request()
    [offer, *_] = offer_wave_send(staffing_request=world.request, by=None)
    Offer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(OfferNotOpen, match="passed"):
        offer_accept(offer=offer, by=world.people[0])
    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXPIRED
    assert not Placement.objects.exists()


def test_an_overlapping_booking_answers_a_clear_message_and_books_nothing():
    world = approved_request()
    [offer, *_] = offer_wave_send(staffing_request=world.request, by=None)
    shift = world.request.first_shift
    other_shift = f.ShiftFactory(
        starts_at=shift.starts_at + dt.timedelta(hours=1),
        ends_at=shift.ends_at + dt.timedelta(hours=1),
    )
    f.PlacementFactory(shift=other_shift, candidate=offer.candidate)

    with pytest.raises(OfferConflict, match="already have a shift"):
        offer_accept(offer=offer, by=world.people[0])

    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
    assert not Placement.objects.filter(request=world.request).exists()


def test_people_already_booked_at_that_time_are_not_offered():
    world = approved_request(people=3)
    shift = world.request.first_shift
    busy = world.people[0].candidate
    # A shift ending 5 hours before ours starts: less than 11 hours of rest.
    f.PlacementFactory(
        candidate=busy,
        shift=f.ShiftFactory(
            starts_at=shift.starts_at - dt.timedelta(hours=10),
            ends_at=shift.starts_at - dt.timedelta(hours=5),
        ),
    )
    offers = offer_wave_send(staffing_request=world.request, by=None)
    assert busy.pk not in [o.candidate_id for o in offers]


def test_decline_records_the_reason_and_asks_for_the_next_wave(django_capture_on_commit_callbacks):
    world = approved_request(headcount=1, people=4)
    first, second = offer_wave_send(staffing_request=world.request, by=None)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        offer_decline(offer=first, by=world.people[0], reason="Exam that day")

    first.refresh_from_db()
    assert first.status == Offer.Status.DECLINED and first.decline_reason == "Exam that day"
    assert callbacks, "a decline queues the next wave after commit"
    # One pending offer still covers the one open place: no new wave yet.
    assert offer_waves_advance(staffing_request_id=world.request.pk) == []
    offer_decline(offer=second, by=world.people[1])
    nxt = offer_waves_advance(staffing_request_id=world.request.pk)
    assert [o.candidate_id for o in nxt] == [p.candidate.pk for p in world.people[2:4]]
    assert {o.wave for o in nxt} == {2}


def test_passed_deadlines_expire_offers_and_send_the_next_wave():
    world = approved_request(headcount=1, people=4)
    offer_wave_send(staffing_request=world.request, by=None)
    world.request.offers.update(deadline=timezone.now() - dt.timedelta(seconds=1))

    nxt = offer_waves_advance(staffing_request_id=world.request.pk)

    assert len(nxt) == 2
    assert world.request.offers.filter(status=Offer.Status.EXPIRED).count() == 2
    assert "offers.expired" in _actions(world.request)


def test_running_out_of_people_needs_attention():
    world = approved_request(headcount=1, people=2)
    first, second = offer_wave_send(staffing_request=world.request, by=None)
    offer_decline(offer=first, by=world.people[0])
    offer_decline(offer=second, by=world.people[1])

    assert offer_waves_advance(staffing_request_id=world.request.pk) == []

    world.request.refresh_from_db()
    assert world.request.status == Status.NEEDS_ATTENTION
    assert "offers.exhausted" in _actions(world.request)


def test_people_the_client_declined_or_barred_are_never_offered():
    world = approved_request(people=4)
    f.CandidateMarkFactory(
        company=world.request.company,
        candidate=world.people[0].candidate,
        kind=CandidateMark.Kind.DO_NOT_RETURN,
    )
    offers = offer_wave_send(staffing_request=world.request, by=None)
    assert world.people[0].candidate.pk not in [o.candidate_id for o in offers]


def test_backfill_reopens_a_filled_request_and_offers_the_people_told_it_filled():
    world = approved_request(headcount=1, people=2)
    first, second = offer_wave_send(staffing_request=world.request, by=None)
    [placement] = offer_accept(offer=first, by=world.people[0])
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.NO_SHOW)

    offers = request_backfill(staffing_request=world.request, by=None, reason="no_show")

    world.request.refresh_from_db()
    assert world.request.status == Status.OFFERING and world.request.filled_at is None
    assert [o.pk for o in offers] == [second.pk]
    second.refresh_from_db()
    assert second.status == Offer.Status.PENDING and second.wave == 2
    assert OutboundEmail.objects.filter(key=f"offer:{second.pk}:2").exists()
    assert {"request.backfill", "request.offering"} <= set(_actions(world.request))


@pytest.mark.parametrize("status", list(Placement.Status))
def test_nobody_placed_on_the_request_is_offered_it_again(status):
    """A person the recruiter placed without an offer (and who then did not come, cancelled or
    was completed) is not offered the same request by a backfill."""
    world = approved_request(headcount=1, people=3)
    placed = world.people[0].candidate
    f.PlacementFactory(shift=world.request.shifts.get(), candidate=placed, status=status)

    offers = request_backfill(staffing_request=world.request, by=None, reason="no_show")

    assert placed.pk not in [o.candidate_id for o in offers]
    assert not Offer.objects.filter(request=world.request, candidate=placed).exists()


def test_multi_shift_offer_books_every_open_shift_and_a_backfill_only_the_reopened_one():
    world = approved_request(headcount=1, people=3, shifts=2)
    first, _second = offer_wave_send(staffing_request=world.request, by=None)
    placements = offer_accept(offer=first, by=world.people[0])
    assert len(placements) == 2
    Placement.objects.filter(pk=placements[1].pk).update(status=Placement.Status.CANCELLED)

    [reopened, *_] = request_backfill(staffing_request=world.request, by=None, reason="test")
    [booked] = offer_accept(offer=reopened, by=world.people[1])

    assert booked.shift_id == placements[1].shift_id
    world.request.refresh_from_db()
    assert world.request.status == Status.FILLED


def test_withdrawing_tells_the_people_with_open_offers():
    world = approved_request()
    offers = offer_wave_send(staffing_request=world.request, by=None)
    offers_withdraw(staffing_request=world.request, by=None)
    assert set(world.request.offers.values_list("status", flat=True)) == {Offer.Status.WITHDRAWN}
    assert OutboundEmail.objects.filter(key__startswith="offer-closed:").count() == len(offers)


def test_each_email_is_sent_at_most_once():
    world = approved_request()
    [offer, *_] = offer_wave_send(staffing_request=world.request, by=None)
    email = OutboundEmail.objects.get(key=f"offer:{offer.pk}:1")

    assert email_send(email_id=email.pk) is True
    assert email_send(email_id=email.pk) is False

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.people[0].email]
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.sent_at is not None


def _urgent_order(headcount: int = 1) -> StaffingRequest:
    """An urgent order for tomorrow, as a client manager sends it."""
    from staffing.services.requests import staffing_request_submit

    profile = f.ServiceProfileFactory()
    start = timezone.now() + dt.timedelta(days=1)
    return staffing_request_submit(
        by=f.ClientManagerFactory(company=profile.company),
        site=profile.site,
        service_profile=profile,
        urgency="urgent",
        headcount=headcount,
        shifts=[(start, start + dt.timedelta(hours=4))],
    )


def test_an_urgent_request_tells_the_recruiters_in_their_language(
    queued_tasks, django_capture_on_commit_callbacks
):
    recruiter = f.RecruiterFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        req = _urgent_order()
    # Not in the order's own transaction: the offers worker writes the alert after it.
    assert not OutboundEmail.objects.exists()
    run_queued(queued_tasks[1:])
    email = OutboundEmail.objects.get(key=f"urgent:{req.pk}:{recruiter.pk}")
    assert email.language == "en" and email.subject.startswith("Urgent request")


def test_an_urgent_request_writes_each_language_once_and_sends_all_with_one_task(
    queued_tasks, django_capture_on_commit_callbacks
):
    recruiters = [
        f.RecruiterFactory(language="en"),
        f.RecruiterFactory(language="fi"),
        f.RecruiterFactory(language="sv"),
        f.AgencyAdminFactory(language="fi"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        req = _urgent_order(headcount=2)
    # The match first, then the recruiters' alert.
    assert queued_tasks == [
        ("staffing.tasks.match_request", (req.pk,)),
        ("staffing.tasks.alert_urgent_request", (req.pk,)),
    ]
    alert = queued_tasks.pop(1)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued([alert])
    emails = {e.to: e for e in OutboundEmail.objects.filter(key__startswith=f"urgent:{req.pk}:")}
    assert set(emails) == {r.email for r in recruiters}
    by_language = {r.language: emails[r.email] for r in recruiters[:3]}
    assert by_language["en"].subject.startswith("Urgent request")
    assert by_language["fi"].subject.startswith("Kiireellinen")
    assert by_language["sv"].body != by_language["fi"].body
    assert emails[recruiters[3].email].body == by_language["fi"].body
    # One message sends all four.
    assert [name for name, _ in queued_tasks[1:]] == ["staffing.tasks.send_emails"]
    assert sorted(queued_tasks[1][1][0]) == sorted(e.pk for e in emails.values())

    assert run_queued(queued_tasks[1:]) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(emails)
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    # Sent once: the same task again (a redelivered message) sends nothing.
    assert emails_send(email_ids=list(e.pk for e in emails.values())) == 0
    assert len(mail.outbox) == 4


def test_a_redelivered_alert_tells_nobody_twice(queued_tasks, django_capture_on_commit_callbacks):
    from staffing.services.notifications import urgent_request_alert

    first = f.RecruiterFactory(language="fi")
    with django_capture_on_commit_callbacks(execute=True):
        req = _urgent_order()
    assert len(urgent_request_alert(request_id=req.pk)) == 1
    later = f.RecruiterFactory(language="sv")  # joined since: told now, the first one not again
    again = urgent_request_alert(request_id=req.pk)
    assert [e.to for e in again] == [later.email]
    assert OutboundEmail.objects.filter(key=f"urgent:{req.pk}:{first.pk}").count() == 1


def test_an_alert_whose_task_was_lost_is_written_by_the_sweep_a_minute_later(
    queued_tasks, django_capture_on_commit_callbacks, settings, monkeypatch
):
    """Across the sweep's period: nothing while the alert may still be on its way, the lost
    one after EMAIL_REQUEUE_SECONDS, then nothing more once it is written; a planned request
    and an urgent one older than a day are left alone."""
    from staffing.tasks import sweep_unsent_emails

    real_now = timezone.now

    def travel(moment):  # the clock the sweep and the outbox read
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return contextlib.nullcontext()

    recruiter = f.RecruiterFactory()
    with django_capture_on_commit_callbacks(execute=True):
        req = _urgent_order()
        planned = f.StaffingRequestFactory(urgency="planned")
    queued_tasks.clear()  # the broker lost the alert
    old = f.StaffingRequestFactory(urgency="urgent")
    StaffingRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    start = real_now()
    with travel(start + dt.timedelta(seconds=30)):
        sweep_unsent_emails()
    assert queued_tasks == []
    with travel(start + dt.timedelta(seconds=settings.EMAIL_REQUEUE_SECONDS + 5)):
        sweep_unsent_emails()
        assert queued_tasks == [("staffing.tasks.alert_urgent_request", (req.pk,))]
        with django_capture_on_commit_callbacks(execute=True):
            run_queued(queued_tasks)
        assert OutboundEmail.objects.filter(key=f"urgent:{req.pk}:{recruiter.pk}").exists()
        assert not OutboundEmail.objects.filter(key__startswith=f"urgent:{planned.pk}:").exists()
        queued_tasks.clear()
        sweep_unsent_emails()
        assert "staffing.tasks.alert_urgent_request" not in [n for n, _ in queued_tasks]


def test_the_sweep_leaves_alerted_and_closed_requests_alone(
    queued_tasks, django_capture_on_commit_callbacks
):
    """Told once is told: a recruiter who joins (or replaces the one told) is not sent the
    past day's alerts; and a request filled or cancelled before its alert was written gets
    none, from the sweep or from a late task."""
    from staffing.services.notifications import (
        urgent_alerts_unwritten_requeue,
        urgent_request_alert,
    )

    first = f.RecruiterFactory()
    with django_capture_on_commit_callbacks(execute=True):
        told = _urgent_order()
        cancelled = _urgent_order()
    queued_tasks.clear()
    urgent_request_alert(request_id=told.pk)
    StaffingRequest.objects.filter(pk=cancelled.pk).update(status=StaffingRequest.Status.CANCELLED)
    first.is_active = False
    first.save(update_fields=["is_active"])
    f.RecruiterFactory()  # the one who took over
    StaffingRequest.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))

    assert urgent_alerts_unwritten_requeue(waited=dt.timedelta(seconds=60)) == 0
    assert queued_tasks == []
    assert urgent_request_alert(request_id=cancelled.pk) == []
    assert not OutboundEmail.objects.filter(key__startswith=f"urgent:{cancelled.pk}:").exists()
