"""Shape domain objects for pages: the request's progress steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from staffing.models import Placement, StaffingRequest


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    at: dt.datetime | None = None
    detail: str = ""


def request_progress(req: StaffingRequest) -> list[Step]:
    """received → shortlist ready → approved → offers sent → k of n confirmed → filled."""
    shortlist = req.current_shortlist
    confirmed = req.placements.filter(status__in=Placement.ACTIVE_STATUSES).count()
    status = StaffingRequest.Status
    offering = req.status in (status.OFFERING, status.FILLED)
    steps = [
        Step(_("Received"), True, req.created_at),
        Step(_("Shortlist ready"), shortlist is not None, req.shortlisted_at),
        Step(
            _("Approved by the agency"),
            bool(shortlist and shortlist.approved_at),
            shortlist.approved_at if shortlist else None,
        ),
        Step(_("Offers sent"), offering),
        Step(
            _("People confirmed"),
            confirmed >= req.headcount and req.headcount > 0,
            detail=f"{confirmed} / {req.headcount}",
        ),
        Step(_("Filled"), req.status == status.FILLED, req.filled_at),
    ]
    return steps
