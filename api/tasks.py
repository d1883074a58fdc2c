"""Webhook sending: thin tasks over api.services.webhooks, queued by name."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from api.services.webhooks import (
    webhook_deliveries_requeue,
    webhook_delivery_send,
    webhook_events_prune,
)


@shared_task(name="api.tasks.send_webhook_delivery", soft_time_limit=60, time_limit=90)
def send_webhook_delivery(delivery_id: int, manual: bool = False) -> bool | None:
    return webhook_delivery_send(delivery_id=delivery_id, manual=manual)


@shared_task(name="api.tasks.sweep_webhook_deliveries", soft_time_limit=120, time_limit=180)
def sweep_webhook_deliveries() -> int:
    webhook_events_prune(older_than=dt.timedelta(days=settings.WEBHOOK_KEEP_DAYS))
    return webhook_deliveries_requeue()
