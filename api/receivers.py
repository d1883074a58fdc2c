"""The API listens to the workflow's domain events (staffing.base.events) and writes the
webhook outbox in the same transaction."""

from __future__ import annotations

from typing import Any

from api.services.webhooks import webhook_event_record


def domain_event_received(
    sender: Any, *, name: str, company_id: int, payload: dict[str, Any], **kwargs: Any
) -> None:
    webhook_event_record(name=name, company_id=company_id, payload=payload)
