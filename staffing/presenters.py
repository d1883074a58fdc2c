"""Shape domain objects for pages: the request's progress steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext
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


def offer_reasons(explanation: dict) -> list[str]:
    """Why a person was offered the work, said to them: plain words, no scores, at most four.

    The same reading of the engine's explanation as `fit_summary`, addressed to the candidate.
    """
    factors = {f["code"]: f for f in (explanation or {}).get("factors", [])}
    lines: list[str] = []
    if factors.get("favourite", {}).get("value"):
        lines.append(gettext("The client has marked you as a favourite"))
    if factors.get("experience_client", {}).get("completed"):
        lines.append(gettext("You have worked for this client before"))
    if factors.get("assessment", {}).get("value", 0) >= 0.5:
        lines.append(gettext("Your customer service stood out in our assessment"))
    if factors.get("skills_required", {}).get("value") == 1:
        lines.append(gettext("You have every skill the work needs"))
    if factors.get("experience_kind", {}).get("completed"):
        lines.append(gettext("You have done this kind of work before"))
    km = factors.get("distance", {}).get("km")
    if km is not None and km <= 10:
        lines.append(gettext("The workplace is near you"))
    if explanation and not explanation.get("failed"):
        lines.append(gettext("You are available for every shift and speak the languages needed"))
    return lines[:4]
