"""The request timeline speaks plain words to recruiters too, and leaves view logs out."""

from __future__ import annotations

import pytest
from django.utils import translation

from staffing.base.audit import audit_record
from staffing.models import AuditEvent
from staffing.presenters import request_timeline
from tests import factories as f

pytestmark = pytest.mark.django_db

ACTIONS = [
    "request.submitted",
    "shortlist.created",
    "shortlist.move_up",
    "shortlist.approved",
    "offers.wave_sent",
    "request.offering",
    "offer.accepted",
    "offer.declined",
    "offers.withdrawn",
    "request.filled",
    "placement.completed",
    "placement.rated",
]


def test_recruiter_timeline_has_no_raw_action_codes():
    req = f.StaffingRequestFactory()
    recruiter = f.RecruiterFactory()
    for action in ACTIONS:
        audit_record(
            actor=recruiter,
            action=action,
            target=req,
            staffing_request_id=req.pk,
            data={"score": 5, "headcount": 1},
        )
    with translation.override("en"):
        details = [item.text for item in request_timeline(req, for_client=False)]
    assert len(details) == len(ACTIONS)
    for action, detail in zip(ACTIONS, details, strict=True):
        assert action not in detail, detail
    assert "Status: Filled" in details
    assert "Shortlist: Moved up" in details


def test_views_of_personal_data_stay_out_of_the_timeline():
    req = f.StaffingRequestFactory()
    candidate = f.CandidateFactory()
    for action in AuditEvent.VIEW_ACTIONS:
        audit_record(
            actor=None,
            action=action,
            target=candidate,
            staffing_request_id=req.pk,
            candidate_id=candidate.pk,
        )
    assert request_timeline(req, for_client=False) == []
    assert request_timeline(req, for_client=True) == []


def test_board_clock_shows_seconds_for_a_fast_shortlist():
    import datetime as dt

    from staffing.templatetags.staffing_tags import elapsed

    start = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
    with translation.override("fi"):
        assert elapsed(start, start + dt.timedelta(milliseconds=420)) == "0,4 s"
        assert elapsed(start, start + dt.timedelta(minutes=185)) == "3 h 5 min"
    with translation.override("en"):
        assert elapsed(start, start + dt.timedelta(seconds=754)) == "12 min"
