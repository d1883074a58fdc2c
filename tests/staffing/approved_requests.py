"""A request approved by a recruiter, with a ranked shortlist of people who can log in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from staffing.models import StaffingRequest, User
from tests import factories as f

EXPLANATION = {
    "failed": [],
    "factors": [
        {"code": "assessment", "weight": 30, "value": 0.8, "points": 24},
        {"code": "skills_required", "weight": 30, "value": 1, "points": 30, "have": 1, "of": 1},
        {"code": "distance", "weight": 15, "value": 0.8, "km": 3.2, "points": 12},
    ],
}


@dataclass
class World:
    request: StaffingRequest
    manager: User
    people: list[User]


def approved_request(
    *,
    headcount: int = 1,
    people: int = 4,
    urgency: str = "urgent",
    starts_in: dt.timedelta = dt.timedelta(days=2),
    shifts: int = 1,
    language: str = "en",
) -> World:
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company, language=language)
    req = f.StaffingRequestFactory(
        service_profile=profile,
        headcount=headcount,
        urgency=urgency,
        status=StaffingRequest.Status.APPROVED,
        submitted_by=manager,
    )
    start = timezone.now() + starts_in
    for day in range(shifts):
        begin = start + dt.timedelta(days=day)
        f.ShiftFactory(request=req, starts_at=begin, ends_at=begin + dt.timedelta(hours=5))
    shortlist = f.ShortlistFactory(request=req, approved_at=timezone.now())
    users = [f.CandidateUserFactory(language=language) for _ in range(people)]
    for rank, user in enumerate(users, start=1):
        f.ShortlistEntryFactory(
            shortlist=shortlist, candidate=user.candidate, rank=rank, explanation=EXPLANATION
        )
    return World(request=req, manager=manager, people=users)
