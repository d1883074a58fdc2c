from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from staffing.base.models import AuditEvent, User


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
) -> AuditEvent | None:
    """Log that `viewer` was shown a person's data: the one way every such view is logged.

    `seen` says what was shown: "profile" (a recruiter's page), "search" (a recruiter's pool
    search listed their name, email and postal code), "summary" or "contact" (a client
    manager's request page, before and after a placement) or "cv". The person reads these rows
    in "Who has viewed my profile", with the viewer's role and, for a client, their company.
    The person's own look at their data (downloading their own CV) is not a disclosure to
    anyone: it is not logged, so the log never lists them as someone else. Returns None then.
    """
    events = personal_data_views_record(
        viewer=viewer,
        candidate_ids=[candidate_id],
        seen=seen,
        target=target,
        staffing_request_id=staffing_request_id,
    )
    return events[0] if events else None


def personal_data_views_record(
    *,
    viewer: User | None,
    candidate_ids: Iterable[int],
    seen: str,
    target: models.Model,
    staffing_request_id: int | None = None,
) -> list[AuditEvent]:
    """`personal_data_view_record` for many people shown at once (a search's results)."""
    own = _own_candidate_id(viewer)
    events = [
        _view_event(
            viewer=viewer,
            candidate_id=candidate_id,
            seen=seen,
            target=target,
            staffing_request_id=staffing_request_id,
        )
        for candidate_id in candidate_ids
        if candidate_id != own
    ]
    return AuditEvent.objects.bulk_create(events)


def _own_candidate_id(viewer: User | None) -> int | None:
    """The viewer's own candidate profile, if they are a candidate (then a look is their own)."""
    if viewer is None or getattr(viewer, "role", "") != User.Role.CANDIDATE:
        return None
    return getattr(getattr(viewer, "candidate", None), "pk", None)


def _view_event(
    *,
    viewer: User | None,
    candidate_id: int,
    seen: str,
    target: models.Model,
    staffing_request_id: int | None,
) -> AuditEvent:
    role = getattr(viewer, "role", "")
    data: dict[str, Any] = {"seen": seen, "role": role}
    if role == User.Role.CLIENT_MANAGER:
        membership = getattr(viewer, "client_membership", None)
        if membership is not None:
            data |= {"company_id": membership.company_id, "company": membership.company.name}
    if seen == "cv":
        action = "candidate.cv_downloaded"
    elif role == User.Role.CLIENT_MANAGER:
        action = "candidate.viewed_by_client"
    else:
        action = "candidate.viewed"
    return audit_event(
        actor=viewer,
        action=action,
        target=target,
        staffing_request_id=staffing_request_id,
        candidate_id=candidate_id,
        data=data,
    )
