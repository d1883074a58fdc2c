"""Build and store shortlists for staffing requests.

First cut: hard constraints as SQL filters, a simple score in Python. The matching engine
(issue 3) replaces the scoring with the explained, weighted engine in `staffing.matching`.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Q
from django.utils import timezone

from candidates.availability import shift_requirements
from candidates.models import Candidate
from staffing.models import Placement, Shortlist, ShortlistEntry, StaffingRequest
from staffing.services.audit import audit_record

RULES_VERSION = "skeleton-1"


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _eligible(request: StaffingRequest):
    qs = Candidate.objects.matchable().filter(latitude__isnull=False)
    qs = qs.filter(works_retail=True) if request.role_type == "retail" else qs.filter(
        works_office=True
    )
    for need in request.languages.all():
        qs = qs.filter(languages__language=need.language, languages__level__gte=need.level)
    for shift in request.shifts.all():
        mask, dates = shift_requirements(shift.starts_at, shift.ends_at)
        qs = qs.extra(where=["(availability & %s) = %s"], params=[mask, mask])
        qs = qs.exclude(dates_off__date__in=dates)
        start, end = Placement.blocked_range(shift.starts_at, shift.ends_at)
        qs = qs.exclude(
            Q(placements__status__in=Placement.ACTIVE_STATUSES)
            & Q(placements__blocked__overlap=(start, end))
        )
    return qs.exclude(client_marks__company=request.company, client_marks__kind="do_not_return")


def shortlist_build(*, request_id: int) -> Shortlist | None:
    """Rank people for a RECEIVED request and store the shortlist; None if already done."""
    with transaction.atomic():
        request = (
            StaffingRequest.objects.select_for_update().filter(pk=request_id).first()
        )
        if request is None or request.status != StaffingRequest.Status.RECEIVED:
            return None
        site = request.site
        scored = []
        for cand in _eligible(request).annotate(assessment=Avg("assessments__service_attitude")):
            km = _km(site.latitude, site.longitude, cand.latitude, cand.longitude)
            if km > cand.max_travel_km:
                continue
            assessment = cand.assessment or 0.0
            score = round(assessment * 10 + max(0.0, 20 - km), 2)
            scored.append((-score, cand.pk, km, assessment))
        scored.sort()
        top = scored[: settings.SHORTLIST_SIZE]
        shortlist = Shortlist.objects.create(
            request=request, rules_version=RULES_VERSION, eligible_count=len(scored)
        )
        ShortlistEntry.objects.bulk_create(
            ShortlistEntry(
                shortlist=shortlist, candidate_id=pk, rank=i, score=-neg,
                explanation={"distance_km": round(km, 1), "assessment": assessment},
            )
            for i, (neg, pk, km, assessment) in enumerate(top, start=1)
        )
        request.status = StaffingRequest.Status.SHORTLISTED
        request.shortlisted_at = timezone.now()
        request.save(update_fields=["status", "shortlisted_at", "updated_at"])
        audit_record(actor=None, action="shortlist.created", target=shortlist,
                     staffing_request_id=request.pk, data={"entries": len(top)})
    return shortlist
