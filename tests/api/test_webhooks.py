"""Webhooks: a domain event writes its deliveries in the transaction that caused it; a worker
sends them signed to a small HTTP server on loopback; a receiver that fails is retried with
backoff by the sweep until it recovers; a rollback sends nothing; a delivery is resent by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from api.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from api.services.webhooks import (
    SEND_TASK,
    delivery_next_attempt,
    webhook_deliveries_requeue,
    webhook_delivery_resend,
    webhook_delivery_send,
    webhook_endpoint_create,
)
from api.tasks import sweep_webhook_deliveries
from staffing.base.events import EVENT_NAMES, domain_event_publish
from staffing.models import Offer
from staffing.services.offers import offer_accept, offer_wave_send
from tests import factories as f
from tests.conftest import run_queued, wait_for
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db


def signature_valid(secret: str, headers: dict, body: bytes) -> bool:
    """What the receiver does (docs/api.md): HMAC-SHA256 over "<timestamp>.<body>"."""
    timestamp = headers["Webhook-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest("v1=" + expected.hexdigest(), headers["Webhook-Signature"])


@pytest.fixture
def hooked(receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    world = approved_request(headcount=1, people=2)
    endpoint = webhook_endpoint_create(
        company=world.request.company,
        url=receiver.url,
        events=list(EVENT_NAMES),
        by=world.manager,
    )
    return world, endpoint, receiver


def _accept_first_offer(world, django_capture_on_commit_callbacks):
    offers = offer_wave_send(staffing_request=world.request, by=None)
    offer = next(o for o in offers if o.candidate_id == world.people[0].candidate.pk)
    with django_capture_on_commit_callbacks(execute=True):
        return offer_accept(offer=Offer.objects.get(pk=offer.pk), by=world.people[0])


def test_a_receiver_that_fails_gets_it_again_until_it_recovers(
    hooked, queued_tasks, settings, django_capture_on_commit_callbacks
):
    world, endpoint, hook_receiver = hooked
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.2
    endpoint.events = ["placement.confirmed"]
    endpoint.save()
    hook_receiver.statuses = [500, 503]
    placements = _accept_first_offer(world, django_capture_on_commit_callbacks)
    assert list(WebhookEvent.objects.values_list("name", flat=True)) == ["placement.confirmed"]
    confirmed = WebhookDelivery.objects.get(event__name="placement.confirmed")
    assert (SEND_TASK, (confirmed.pk,)) in queued_tasks
    run_queued(queued_tasks)
    confirmed.refresh_from_db()
    assert confirmed.status == "pending" and confirmed.attempts == 1
    assert confirmed.next_attempt_at > timezone.now() - dt.timedelta(seconds=1)
    # The sweep picks the delivery up once it is due, until the receiver answers 2xx.
    while WebhookDelivery.objects.filter(status="pending").exists():
        wait_for(lambda: webhook_deliveries_requeue() or queued_tasks != [], timeout=10)
        run_queued(queued_tasks)
    confirmed.refresh_from_db()
    assert confirmed.status == "delivered"
    assert confirmed.attempts == 3
    answers = list(confirmed.attempt_log.order_by("at").values_list("status_code", flat=True))
    assert answers == [500, 503, 200]
    got = hook_receiver.of_type("placement.confirmed")
    assert len(got) == 3 and len({r.headers["Webhook-Id"] for r in got}) == 1
    body = json.loads(got[-1].body)
    assert body["id"] == str(confirmed.event_id) and body["type"] == "placement.confirmed"
    assert body["data"]["placement_id"] == placements[0].pk
    assert body["data"]["request_id"] == world.request.pk
    assert all(signature_valid(endpoint.secret, r.headers, r.body) for r in got)
    assert not signature_valid("whsec_wrong", got[-1].headers, got[-1].body)
    assert world.people[0].candidate.last_name.encode() not in got[-1].body


def test_a_rolled_back_change_sends_nothing(hooked):
    world, _endpoint, _receiver = hooked
    with pytest.raises(RuntimeError), transaction.atomic():
        domain_event_publish(
            name="request.filled",
            company_id=world.request.company_id,
            payload={"request_id": world.request.pk, "status": "filled"},
        )
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the service failed after the event")
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()


def test_only_subscribed_endpoints_of_the_company_get_the_event(hooked):
    world, endpoint, _receiver = hooked
    endpoint.events = ["request.filled"]
    endpoint.save()
    domain_event_publish(
        name="request.approved", company_id=world.request.company_id, payload={"request_id": 1}
    )
    other = f.ClientCompanyFactory()
    domain_event_publish(name="request.filled", company_id=other.pk, payload={"request_id": 1})
    assert not WebhookDelivery.objects.exists()
    endpoint.is_active = False
    endpoint.save()
    domain_event_publish(
        name="request.filled", company_id=world.request.company_id, payload={"request_id": 1}
    )
    assert not WebhookDelivery.objects.exists()


def test_backoff_doubles_to_its_cap_and_gives_up_after_a_day(settings):
    created = timezone.now()
    delays = []
    now, attempts = created, 0
    while True:
        attempts += 1
        due = delivery_next_attempt(created_at=created, attempts=attempts, now=now)
        if due is None:
            break
        delays.append((due - now).total_seconds())
        now = due
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS
    assert dt.timedelta(hours=23) < now - created <= dt.timedelta(days=1)


def test_after_the_retry_window_it_fails_and_a_resend_by_hand_delivers(
    hooked, queued_tasks, settings, django_capture_on_commit_callbacks
):
    world, _endpoint, hook_receiver = hooked
    settings.WEBHOOK_RETRY_FOR_SECONDS = 0
    hook_receiver.statuses = [500]
    domain_event_publish(
        name="request.filled", company_id=world.request.company_id, payload={"request_id": 1}
    )
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert webhook_deliveries_requeue() == 0
    queued_tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_resend(delivery=delivery, by=world.manager)
    assert queued_tasks == [(SEND_TASK, (delivery.pk, True))]
    run_queued(queued_tasks)
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert list(delivery.attempt_log.order_by("at").values_list("manual", flat=True)) == [
        False,
        True,
    ]


def test_a_delivery_being_sent_is_not_sent_twice_and_a_dead_worker_is_covered(hooked, settings):
    world, _endpoint, hook_receiver = hooked
    domain_event_publish(
        name="request.filled", company_id=world.request.company_id, payload={"request_id": 1}
    )
    delivery = WebhookDelivery.objects.get()
    # A worker claimed it (moved it a lease ahead) and died before answering.
    lease = timezone.now() + dt.timedelta(seconds=django_settings.WEBHOOK_SENDING_LEASE_SECONDS)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=lease)
    assert webhook_delivery_send(delivery_id=delivery.pk) is None
    assert webhook_deliveries_requeue() == 0
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert webhook_deliveries_requeue() == 1
    assert webhook_delivery_send(delivery_id=delivery.pk) is True
    assert len(hook_receiver.received) == 1


def test_a_receiver_that_is_not_listening_is_recorded_and_retried(hooked, settings):
    world, endpoint, _receiver = hooked
    endpoint.url = "http://127.0.0.1:9/closed"
    endpoint.save()
    domain_event_publish(
        name="request.filled", company_id=world.request.company_id, payload={"request_id": 1}
    )
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery_send(delivery_id=delivery.pk) is False
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at > timezone.now()


def test_a_private_address_is_refused_at_send_time_too(hooked, settings):
    world, _endpoint, hook_receiver = hooked
    domain_event_publish(
        name="request.filled", company_id=world.request.company_id, payload={"request_id": 1}
    )
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery_send(delivery_id=delivery.pk) is False
    assert hook_receiver.received == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error


def test_old_final_events_are_pruned_by_the_sweep_and_pending_ones_kept(hooked, settings):
    world, _endpoint, _receiver = hooked
    for _ in range(2):
        domain_event_publish(
            name="request.filled", company_id=world.request.company_id, payload={"request_id": 1}
        )
    done, waiting = WebhookDelivery.objects.order_by("pk")
    WebhookDelivery.objects.filter(pk=done.pk).update(status="delivered", next_attempt_at=None)
    WebhookDelivery.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(hours=1)
    )
    settings.WEBHOOK_KEEP_DAYS = 30
    WebhookEvent.objects.update(created_at=timezone.now() - dt.timedelta(days=29))
    sweep_webhook_deliveries()
    assert WebhookEvent.objects.count() == 2
    WebhookEvent.objects.update(created_at=timezone.now() - dt.timedelta(days=31))
    sweep_webhook_deliveries()
    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_sending_is_routed_and_swept(settings):
    assert settings.CELERY_TASK_ROUTES[SEND_TASK] == {"queue": settings.QUEUE_OFFERS}
    sweeps = [s["task"] for s in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "api.tasks.sweep_webhook_deliveries" in sweeps
