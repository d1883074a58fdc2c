"""The headline flow through a real Celery worker process and Redis (not eager mode)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from staffing.models import StaffingRequest
from staffing.services.requests import LanguageNeed, staffing_request_submit
from tests import factories as f
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_submitted_request_gets_its_shortlist_from_the_worker(celery_worker_process):
    """Submitting commits the request; the worker, reached through Redis, stores the shortlist."""
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    near = f.CandidateFactory()
    f.CandidateLanguageFactory(candidate=near, language="fi", level=5)
    far = f.CandidateFactory(latitude=65.0121, longitude=25.4651)  # Oulu, beyond 25 km
    f.CandidateLanguageFactory(candidate=far, language="fi", level=5)
    start = timezone.now() + dt.timedelta(days=1)

    request = staffing_request_submit(
        by=manager,
        site=profile.site,
        service_profile=profile,
        urgency="urgent",
        headcount=1,
        shifts=[(start, start + dt.timedelta(hours=5))],
        languages=[LanguageNeed("fi", 4)],
    )

    def shortlisted():
        request.refresh_from_db()
        return request.status == StaffingRequest.Status.SHORTLISTED

    wait_for(shortlisted, timeout=30)
    ranked = list(request.current_shortlist.ranked.values_list("candidate_id", flat=True))
    assert ranked == [near.pk]
