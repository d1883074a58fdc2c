"""An approved request's first wave of offer emails goes out through a real Celery worker."""

from __future__ import annotations

import pytest

from staffing.models import OutboundEmail
from staffing.services.offers import offer_wave_send
from tests.conftest import wait_for
from tests.staffing.approved_requests import approved_request

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_first_wave_emails_are_sent_by_the_worker(celery_worker_process):
    world = approved_request(headcount=2, people=5)

    offers = offer_wave_send(staffing_request=world.request, by=None)

    assert len(offers) == 4
    keys = [f"offer:{o.pk}:1" for o in offers]

    def all_sent() -> bool:
        statuses = set(OutboundEmail.objects.filter(key__in=keys).values_list("status", flat=True))
        return statuses == {OutboundEmail.Status.SENT}

    wait_for(all_sent, timeout=30)
    sent = OutboundEmail.objects.filter(key__in=keys)
    assert sorted(sent.values_list("to", flat=True)) == sorted(u.email for u in world.people[:4])
    assert all(e.attempts == 1 for e in sent)
