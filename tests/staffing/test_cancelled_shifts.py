"""A shift the client cancelled has no places: it is never offered, counted or booked, and the
request fills once the shifts still wanted are full."""

from __future__ import annotations

import pytest
from django.utils import timezone

from staffing.models import Offer, Placement, Shift, StaffingRequest
from staffing.services.offers import (
    offer_accept,
    offer_wave_send,
    open_places,
    request_fill_settle,
)
from staffing.services.placements import placement_cancel
from staffing.services.requests.cancel import shift_cancel
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db

Status = StaffingRequest.Status


def test_active_shifts_leave_out_the_cancelled_ones():
    world = approved_request(shifts=2)
    first, second = world.request.shifts.order_by("starts_at")
    shift_cancel(shift=second, by=world.manager, reason="Not needed")

    assert list(world.request.shifts.active()) == [first]
    assert list(Shift.objects.active().filter(request=world.request)) == [first]
    assert second.is_cancelled and not first.is_cancelled
    assert list(open_places(staffing_request=world.request, now=timezone.now())) == [first]


def test_an_offer_sent_before_a_shift_was_cancelled_books_only_the_shifts_still_wanted():
    world = approved_request(headcount=1, people=3, shifts=2)
    offer, *_ = offer_wave_send(staffing_request=world.request, by=None)
    first, second = world.request.shifts.order_by("starts_at")
    shift_cancel(shift=second, by=world.manager, reason="Closed that day")

    [placement] = offer_accept(offer=offer, by=world.people[0])

    assert placement.shift_id == first.pk
    assert not Placement.objects.filter(shift=second).exists()
    world.request.refresh_from_db()
    assert world.request.status == Status.FILLED and world.request.filled_at is not None
    assert not world.request.offers.pending().exists()


def test_cancelling_the_only_unfilled_shift_fills_the_request_and_closes_open_offers():
    world = approved_request(headcount=1, people=4, shifts=2)
    offer, *_ = offer_wave_send(staffing_request=world.request, by=None)
    placements = offer_accept(offer=offer, by=world.people[0])
    # The person drops the second day; the place is offered again to the others.
    placement_cancel(placement=placements[1], by=world.people[0], reason="Exam that day")
    world.request.refresh_from_db()
    assert world.request.status == Status.OFFERING
    reopened = list(world.request.offers.pending())
    assert reopened

    shift_cancel(shift=placements[1].shift, by=world.manager, reason="We manage that day")

    world.request.refresh_from_db()
    assert world.request.status == Status.FILLED
    assert {o.status for o in Offer.objects.filter(pk__in=[o.pk for o in reopened])} == {
        Offer.Status.FILLED
    }
    assert world.request.events.filter(action="request.filled").exists()


def test_settling_a_request_with_a_shift_still_open_changes_nothing():
    world = approved_request(headcount=1, people=3, shifts=2)
    offer_wave_send(staffing_request=world.request, by=None)

    assert request_fill_settle(staffing_request=world.request, by=None) is False
    world.request.refresh_from_db()
    assert world.request.status == Status.OFFERING


def test_a_new_wave_never_offers_a_request_whose_remaining_shifts_are_cancelled_or_full():
    world = approved_request(headcount=1, people=4, shifts=2)
    first, second = world.request.shifts.order_by("starts_at")
    shift_cancel(shift=first, by=world.manager, reason="Not needed")

    offers = offer_wave_send(staffing_request=world.request, by=None)
    [placement] = offer_accept(offer=offers[0], by=world.people[0])

    assert placement.shift_id == second.pk
    world.request.refresh_from_db()
    assert world.request.status == Status.FILLED
    assert offer_wave_send(staffing_request=world.request, by=None) == []
