"""Domain events for other systems: a service announces what happened, inside its transaction.

The workflow must not know who listens (the API's webhooks sit above it), so a service calls
`domain_event_publish` and the listeners, connected in their AppConfig.ready, write what they
need (the webhook outbox) in the same transaction: a rollback takes the event with it, a commit
keeps it. Payloads carry ids and statuses only, never a person's name or contact details.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

# The events a client system can subscribe to (issue 15).
REQUEST_SHORTLISTED = "request.shortlisted"
REQUEST_APPROVED = "request.approved"
PLACEMENT_CONFIRMED = "placement.confirmed"
PLACEMENT_CANCELLED = "placement.cancelled"
REQUEST_FILLED = "request.filled"
REQUEST_NEEDS_ATTENTION = "request.needs_attention"
EVENT_NAMES = (
    REQUEST_SHORTLISTED,
    REQUEST_APPROVED,
    PLACEMENT_CONFIRMED,
    PLACEMENT_CANCELLED,
    REQUEST_FILLED,
    REQUEST_NEEDS_ATTENTION,
)

# Sent synchronously with `events`, a list of DomainEvent (one, or a batch's: a batch of
# matches announces its shortlists at once, so a listener reads what it needs once, not once
# per request); receivers run in the caller's transaction and must not raise for a
# receiver-side problem they can record instead.
domain_event = Signal()


@dataclass(frozen=True)
class DomainEvent:
    name: str
    company_id: int
    payload: dict[str, Any]


def domain_event_publish(*, name: str, company_id: int, payload: dict[str, Any]) -> None:
    """Announce `name` for `company_id` with a JSON-serialisable `payload` (ids, statuses)."""
    domain_events_publish([DomainEvent(name=name, company_id=company_id, payload=payload)])


def domain_events_publish(events: list[DomainEvent]) -> None:
    """Announce several events at once, in this order."""
    for event in events:
        if event.name not in EVENT_NAMES:
            raise ValueError(f"Unknown domain event {event.name!r}")
    if events:
        domain_event.send(sender=None, events=events)


def placement_event_payload(placement: Any, *, by: str = "") -> dict[str, Any]:
    """What a placement event says: its ids and status (and who cancelled, for a cancellation)."""
    payload = {
        "placement_id": placement.pk,
        "request_id": placement.request_id,
        "shift_id": placement.shift_id,
        "status": placement.status,
    }
    if by:
        payload["cancelled_by"] = by
    return payload
