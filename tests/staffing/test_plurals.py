"""Counts shown to people read right in the singular and the plural ("1 person", "2 people")."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from staffing.base.audit import audit_record
from staffing.explanations import explanation_lines
from staffing.presenters import request_timeline
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("headcount", "entries", "offered", "expected"),
    [
        (
            1,
            1,
            [7],
            [
                "Request received: 1 person",
                "Shortlist ready: 1 person fits",
                "Offers sent to 1 person",
            ],
        ),
        (
            2,
            5,
            [7, 8],
            [
                "Request received: 2 people",
                "Shortlist ready: 5 people fit",
                "Offers sent to 2 people",
            ],
        ),
    ],
)
def test_the_client_timeline_counts_people_in_the_right_number(
    headcount, entries, offered, expected
):
    req = f.StaffingRequestFactory(headcount=headcount)
    for action, data in [
        ("request.submitted", {"headcount": headcount}),
        ("shortlist.created", {"entries": entries}),
        ("offers.wave_sent", {"candidates": offered}),
    ]:
        audit_record(actor=None, action=action, target=req, staffing_request_id=req.pk, data=data)

    texts = [item.text for item in request_timeline(req, for_client=True)]

    assert texts == expected


def _factor(code: str, **params) -> dict:
    return {"code": code, "points": 0, "value": 0, **params}


def test_explanations_count_in_the_right_number():
    one = explanation_lines(
        {
            "factors": [
                _factor("experience_client", completed=1),
                _factor("rating", average=4.0, count=1),
                _factor("reliability", no_shows=1, late_cancellations=2),
                _factor("freshness", days=1),
                _factor("fair_spread", recent=1),
            ],
            "missing": [{"code": "availability_stale", "days": 1}],
        }
    )
    text = "\n".join(one)
    assert "(1 completed assignment)" in text
    assert "4.0 average of 1 rating)" in text
    assert "(1 no-show, 2 late cancellations)" in text
    assert "(confirmed 1 day ago)" in text
    assert "(on 1 shortlist in the last 7 days)" in text
    assert "Availability last confirmed 1 day ago" in text

    many = "\n".join(
        explanation_lines(
            {"factors": [_factor("experience_kind", completed=3), _factor("freshness", days=0)]}
        )
    )
    assert "(3 completed assignments)" in many
    assert "(confirmed today)" in many


def test_emails_and_the_estimate_count_in_the_right_number():
    req = f.StaffingRequestFactory(headcount=1)
    context = {"company": req.company, "site": req.site, "req": req, "shifts": [], "link": "x"}
    assert "needs 1 person at" in render_to_string("emails/recruiter_urgent.txt", context)
    confirmed = render_to_string(
        "emails/client_confirmed.txt", {**context, "first_name": "Aino", "confirmed": 1}
    )
    assert "1 of 1 person confirmed." in confirmed
    history = {"basis": "profile", "similar": 1, "filled": 1, "enough": False}
    estimate = render_to_string(
        "clients/_estimate.html",
        {"estimate": {"outlook": "likely", "ready": 1, "history": history, "urgency": "urgent"}},
    )
    assert "1</strong> person who fits this work is free" in estimate
    assert "1 similar request was filled in the last 90 days" in estimate
    assert "1 earlier request for this service profile" in estimate
    renewal = render_to_string(
        "candidates/email/renewal_request.txt",
        {"candidate": {"first_name": "Aino"}, "link": "x", "days": 1},
    )
    assert "within 1 day," in renewal
