"""Webhooks: an outbox of deliveries written in the transaction that caused each event, sent by
a worker after the commit, signed, and retried with exponential backoff for a day.

At least once: a receiver may get an event twice (a worker died after the receiver answered,
a delivery resent by hand) and de-duplicates on the event id. Nothing is lost to a lost message
or a receiver that is down: the delivery row stays due and the beat sweep queues it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from clients.models import ClientCompany
from staffing.base.audit import audit_record
from staffing.base.events import EVENT_NAMES
from staffing.base.queueing import enqueue_on_commit, task_enqueue
from staffing.models import User

logger = logging.getLogger(__name__)

SEND_TASK = "api.tasks.send_webhook_delivery"
RESPONSE_KEPT_CHARS = 2000
USER_AGENT = "StaffingWebhooks/1"


class WebhookUrlError(ValueError):
    """The URL cannot receive webhooks; the message is for the person who entered it."""


def webhook_secret_generate() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def webhook_url_check(url: str) -> None:
    """Refuse URLs that would point the sender at the agency's own network (unless the setting
    allows private addresses, as tests and local development on loopback do)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WebhookUrlError(_("Enter an http or https address."))
    if parts.scheme == "http" and not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        raise WebhookUrlError(_("Use an https address."))
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise WebhookUrlError(_("This host name does not resolve.")) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise WebhookUrlError(_("This address is not reachable from the internet."))


def webhook_endpoint_create(
    *, company: ClientCompany, url: str, events: list[str], by: User, secret: str = ""
) -> WebhookEndpoint:
    """A new endpoint; an empty `secret` gets a generated one (shown once by the caller)."""
    webhook_url_check(url)
    endpoint = WebhookEndpoint.objects.create(
        company=company,
        url=url,
        secret=secret or webhook_secret_generate(),
        events=[e for e in EVENT_NAMES if e in set(events)],
        created_by=by,
    )
    audit_record(
        actor=by,
        action="webhook_endpoint.created",
        target=endpoint,
        data={"url": url, "events": endpoint.events},
    )
    return endpoint


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], is_active: bool, by: User
) -> WebhookEndpoint:
    webhook_url_check(url)
    endpoint.url = url
    endpoint.events = [e for e in EVENT_NAMES if e in set(events)]
    endpoint.is_active = is_active
    endpoint.save(update_fields=["url", "events", "is_active"])
    audit_record(
        actor=by,
        action="webhook_endpoint.changed",
        target=endpoint,
        data={"url": url, "events": endpoint.events, "active": is_active},
    )
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, by: User) -> None:
    audit_record(
        actor=by,
        action="webhook_endpoint.deleted",
        target=endpoint.company,
        data={"url": endpoint.url},
    )
    endpoint.delete()


def webhook_event_record(
    *, name: str, company_id: int, payload: dict[str, Any]
) -> WebhookEvent | None:
    """Write the event and one due delivery per subscribed endpoint, in the caller's
    transaction, and queue their sending after the commit; None when nobody subscribed."""
    return webhook_events_record(events=[(name, company_id, payload)])[0]


def webhook_events_record(
    *, events: list[tuple[str, int, dict[str, Any]]]
) -> list[WebhookEvent | None]:
    """`webhook_event_record` for several (name, company id, payload) events, the endpoints
    of all their companies read with one query."""
    companies = {company_id for _name, company_id, _payload in events}
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(company_id__in=companies, is_active=True):
        endpoints.setdefault(endpoint.company_id, []).append(endpoint)
    recorded: list[WebhookEvent | None] = []
    now = timezone.now()
    for name, company_id, payload in events:
        subscribed = [e for e in endpoints.get(company_id, []) if name in e.events]
        if not subscribed:
            recorded.append(None)
            continue
        event = WebhookEvent.objects.create(
            id=uuid.uuid4(), company_id=company_id, name=name, payload=payload, created_at=now
        )
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(event=event, endpoint=e, next_attempt_at=now) for e in subscribed
        )
        for delivery in deliveries:
            enqueue_on_commit(SEND_TASK, delivery.pk)
        recorded.append(event)
    return recorded


def webhook_body(event: WebhookEvent) -> bytes:
    """The JSON body every endpoint receives for `event`."""
    document = {
        "id": str(event.id),
        "type": event.name,
        "created_at": event.created_at.isoformat(),
        "company_id": event.company_id,
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's secret, as hex."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_headers(*, event: WebhookEvent, secret: str, body: bytes, timestamp: int) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": str(event.id),
        "Webhook-Event": event.name,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": "v1="
        + webhook_signature(secret=secret, timestamp=timestamp, body=body),
    }


def delivery_next_attempt(
    *, created_at: dt.datetime, attempts: int, now: dt.datetime
) -> dt.datetime | None:
    """When to try again after `attempts` failed tries (doubling from the base delay, capped),
    or None once the retry window (a day) is over: then the delivery has failed."""
    delay = min(
        settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
        settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS,
    )
    due = now + dt.timedelta(seconds=delay)
    if due > created_at + dt.timedelta(seconds=settings.WEBHOOK_RETRY_FOR_SECONDS):
        return None
    return due


@dataclass(frozen=True)
class _Answer:
    status_code: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _post(url: str, body: bytes, headers: dict) -> _Answer:
    started = time.monotonic()
    try:
        webhook_url_check(url)
        response = requests.post(
            url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        )
        text = response.raw.read(RESPONSE_KEPT_CHARS, decode_content=True) or b""
        response.close()
        return _Answer(
            response.status_code,
            text.decode(errors="replace"),
            "",
            int((time.monotonic() - started) * 1000),
        )
    except (requests.RequestException, WebhookUrlError, OSError) as error:
        return _Answer(None, "", str(error)[:300], int((time.monotonic() - started) * 1000))


def webhook_delivery_send(*, delivery_id: int, manual: bool = False) -> bool | None:
    """Try to deliver once: True when the receiver answered 2xx, False when it did not, None
    when the delivery was not due (delivered, failed, or another worker holds it)."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.WEBHOOK_SENDING_LEASE_SECONDS)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=lease)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    body = webhook_body(delivery.event)
    timestamp = int(time.time())
    headers = webhook_headers(
        event=delivery.event, secret=delivery.endpoint.secret, body=body, timestamp=timestamp
    )
    answer = _post(delivery.endpoint.url, body, headers)
    _attempt_store(delivery, answer, manual=manual)
    return answer.ok


def _attempt_store(delivery: WebhookDelivery, answer: _Answer, *, manual: bool) -> None:
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            status_code=answer.status_code,
            response_body=answer.body[:RESPONSE_KEPT_CHARS],
            error=answer.error,
            duration_ms=answer.duration_ms,
            manual=manual,
        )
        fields: dict[str, Any] = {"attempts": F("attempts") + 1}
        if answer.ok:
            fields.update(
                status=WebhookDelivery.Status.DELIVERED, delivered_at=now, next_attempt_at=None
            )
        else:
            due = delivery_next_attempt(
                created_at=delivery.created_at, attempts=delivery.attempts + 1, now=now
            )
            fields["next_attempt_at"] = due
            if due is None:
                fields["status"] = WebhookDelivery.Status.FAILED
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)


def webhook_delivery_resend(*, delivery: WebhookDelivery, by: User) -> WebhookDelivery:
    """Send the delivery again now, whatever became of it (a receiver that lost it, or one
    that is fixed after the retries gave up); the attempt is marked as by hand."""
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        locked.status = WebhookDelivery.Status.PENDING
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "next_attempt_at"])
        audit_record(
            actor=by,
            action="webhook.resent",
            target=locked,
            data={"event": str(locked.event_id), "endpoint": locked.endpoint_id},
        )
        enqueue_on_commit(SEND_TASK, locked.pk, True)
    return locked


def webhook_deliveries_requeue(*, limit: int = 500) -> int:
    """Queue every due delivery again (its message was lost, its receiver was down, its worker
    died holding it); returns how many were queued."""
    ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in ids:
        task_enqueue(SEND_TASK, delivery_id)
    return len(ids)


def webhook_events_prune(*, older_than: dt.timedelta, limit: int = 1000) -> int:
    """Delete events (with their deliveries and attempts) older than `older_than` whose every
    delivery is final; returns how many events were deleted. The delivery log shows the rest."""
    cutoff = timezone.now() - older_than
    ids = list(
        WebhookEvent.objects.filter(created_at__lt=cutoff)
        .exclude(deliveries__status=WebhookDelivery.Status.PENDING)
        .values_list("pk", flat=True)[:limit]
    )
    deleted, _by_model = WebhookEvent.objects.filter(pk__in=ids).delete()
    return len(ids) if deleted else 0
