"""The API listens to the workflow's domain events (staffing.base.events) and writes the
webhook outbox in the same transaction."""

from __future__ import annotations

from typing import Any

from api.services.webhooks import webhook_events_record


def domain_event_received(sender: Any, *, events: list, **kwargs: Any) -> None:
    webhook_events_record(
        events=[(event.name, event.company_id, event.payload) for event in events]
    )
