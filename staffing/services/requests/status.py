"""The one writer of a staffing request's status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from staffing.base.audit import audit_record
from staffing.base.events import (
    REQUEST_APPROVED,
    REQUEST_FILLED,
    REQUEST_NEEDS_ATTENTION,
    domain_event_publish,
)
from staffing.models import StaffingRequest, User

# The status changes client systems hear about (webhooks); `shortlisted` is announced by the
# matching batch, which sets that status itself.
PUBLISHED_STATUSES = (REQUEST_APPROVED, REQUEST_FILLED, REQUEST_NEEDS_ATTENTION)


def request_status_set(
    *,
    staffing_request: StaffingRequest,
    status: str,
    by: User | None,
    data: dict[str, Any] | None = None,
    **fields: dt.datetime | None,
) -> None:
    """Change the request's status (and `fields`, such as `filled_at`) and record it as
    `request.<status>` with the status it came from. Call it with the request row locked.

    Every status change goes through here, but one: a batch of matches marks its requests
    SHORTLISTED in one statement on the matching hot path and records `shortlist.created` for
    each (`staffing.services.matching`).
    """
    before = staffing_request.status
    staffing_request.status = status
    for name, value in fields.items():
        setattr(staffing_request, name, value)
    staffing_request.save(update_fields=["status", *fields, "updated_at"])
    audit_record(
        actor=by,
        action=f"request.{status}",
        target=staffing_request,
        staffing_request_id=staffing_request.pk,
        data={"from": before, **(data or {})},
    )
    if f"request.{status}" in PUBLISHED_STATUSES:
        domain_event_publish(
            name=f"request.{status}",
            company_id=staffing_request.company_id,
            payload={"request_id": staffing_request.pk, "status": status},
        )


def request_reopen(*, staffing_request: StaffingRequest, by: User | None) -> None:
    """A place reopened (a declined person, a no-show): a filled request goes back to offering,
    which the offer-wave sweep advances. Call it with the request row locked."""
    if staffing_request.status == StaffingRequest.Status.FILLED:
        request_status_set(
            staffing_request=staffing_request,
            status=StaffingRequest.Status.OFFERING,
            by=by,
            filled_at=None,
        )
