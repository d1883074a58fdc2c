"""Races on scarce things, with real threads and their own database connections."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from staffing.models import Offer, Placement, StaffingRequest
from staffing.services.offers import OfferError, offer_accept, offer_wave_send
from tests import factories as f
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db(transaction=True)


def _race(calls) -> list[object]:
    """Run the calls at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as error:  # the outcome is what the test checks
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_several_people_accept_the_last_place_and_exactly_one_wins(settings):
    settings.OFFER_WAVE_SIZE_FACTOR = 5
    world = approved_request(headcount=1, people=5)
    offers = offer_wave_send(staffing_request=world.request, by=None)
    assert len(offers) == 5

    results = _race(
        [
            (lambda o=o, u=u: offer_accept(offer=o, by=u))
            for o, u in zip(offers, world.people, strict=True)
        ]
    )

    winners = [r for r in results if isinstance(r, list)]
    assert len(winners) == 1, results
    assert all(isinstance(r, OfferError) for r in results if not isinstance(r, list))
    assert Placement.objects.filter(request=world.request).count() == 1
    world.request.refresh_from_db()
    assert world.request.status == StaffingRequest.Status.FILLED
    statuses = sorted(Offer.objects.filter(request=world.request).values_list("status", flat=True))
    assert statuses == ["accepted", "filled", "filled", "filled", "filled"]


def test_one_person_accepting_two_overlapping_offers_holds_exactly_one():
    person = f.CandidateUserFactory()
    start = timezone.now() + dt.timedelta(days=2)
    offers = []
    for offset in (dt.timedelta(0), dt.timedelta(hours=2)):
        world = approved_request(headcount=1, people=0)
        shift = world.request.first_shift
        shift.starts_at, shift.ends_at = start + offset, start + offset + dt.timedelta(hours=5)
        shift.save()
        f.ShortlistEntryFactory(
            shortlist=world.request.current_shortlist, candidate=person.candidate, rank=1
        )
        [offer] = offer_wave_send(staffing_request=world.request, by=None)
        offers.append(offer)

    results = _race([(lambda o=o: offer_accept(offer=o, by=person)) for o in offers * 2])

    held = Placement.objects.filter(
        candidate=person.candidate, status__in=Placement.ACTIVE_STATUSES
    )
    assert held.count() == 1, results
    assert sum(isinstance(r, list) for r in results) == 1
    assert all(isinstance(r, (list, OfferError)) for r in results), results
