from __future__ import annotations

from typing import Any

from django.db import models

from staffing.models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    staffing_request_id: int | None = None,
    candidate_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row: who did what to which object."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        staffing_request_id=staffing_request_id,
        candidate_id=candidate_id,
        data=data or {},
    )
