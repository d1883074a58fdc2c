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
    event = audit_event(
        actor=actor,
        action=action,
        target=target,
        staffing_request_id=staffing_request_id,
        candidate_id=candidate_id,
        data=data,
    )
    event.save(force_insert=True)
    return event


def audit_event(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    staffing_request_id: int | None = None,
    candidate_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """One audit row, not yet saved (for `bulk_create` of many, as a batch of matches does)."""
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        staffing_request_id=staffing_request_id,
        candidate_id=candidate_id,
        data=data or {},
    )


def personal_data_view_record(
    *,
    viewer: User | None,
    candidate_id: int,
    seen: str,
    target: models.Model,
    staffing_request_id: int | None = None,
) -> AuditEvent:
    """Log that `viewer` was shown a person's data: the one way every such view is logged.

    `seen` says what was shown: "profile" (a recruiter's page), "summary" or "contact" (a client
    manager's request page, before and after a placement) or "cv". The person reads these rows
    in "Who has viewed my profile", with the viewer's role and, for a client, their company.
    """
    role = getattr(viewer, "role", "")
    data = {"seen": seen, "role": role}
    if role == User.Role.CLIENT_MANAGER:
        action = "candidate.viewed_by_client"
        membership = getattr(viewer, "client_membership", None)
        if membership is not None:
            data |= {"company_id": membership.company_id, "company": membership.company.name}
    else:
        action = "candidate.viewed"
    if seen == "cv":
        action = "candidate.cv_downloaded"
    return audit_record(
        actor=viewer,
        action=action,
        target=target,
        staffing_request_id=staffing_request_id,
        candidate_id=candidate_id,
        data=data,
    )
