"""The issue's "done when", through a real Celery worker and Redis: an integrator with a key
orders two people with the API and hears `request.shortlisted` and then `placement.confirmed`
on a loopback endpoint, each with a valid signature."""

from __future__ import annotations

import json

import pytest

from api.models import ApiKey, WebhookDelivery, api_key_create
from api.services.webhooks import webhook_endpoint_create
from staffing.models import Offer, StaffingRequest
from staffing.services.offers import offer_accept
from staffing.services.shortlists import shortlist_approve
from tests import factories as f
from tests.api.conftest import key_client, order_body
from tests.api.test_webhooks import signature_valid
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_order_by_api_and_hear_the_shortlist_and_the_placements(
    celery_worker_process, receiver, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    people = [f.CandidateUserFactory() for _ in range(2)]
    for user in people:
        f.CandidateLanguageFactory(candidate=user.candidate, language="fi", level=5)
    _key, raw = api_key_create(
        company=profile.company, name="Rota", scope=ApiKey.Scope.ORDER, by=manager
    )
    endpoint = webhook_endpoint_create(
        company=profile.company,
        url=receiver.url,
        events=["request.shortlisted", "placement.confirmed"],
        by=manager,
    )
    response = key_client(raw).post(
        "/api/v1/requests/",
        order_body(profile, languages=[{"language": "fi", "level": "B2"}]),
        format="json",
        HTTP_IDEMPOTENCY_KEY="rota-2026-12-05",
    )
    assert response.status_code == 201, response.content
    req = StaffingRequest.objects.get(pk=response.json()["id"])

    shortlisted = wait_for(lambda: receiver.of_type("request.shortlisted"), timeout=30)
    body = json.loads(shortlisted[0].body)
    assert body["data"] == {"request_id": req.pk, "status": "shortlisted"}
    assert signature_valid(endpoint.secret, shortlisted[0].headers, shortlisted[0].body)

    req.refresh_from_db()
    shortlist_approve(shortlist=req.current_shortlist, by=f.RecruiterFactory())
    offers = wait_for(lambda: list(Offer.objects.filter(request=req)), timeout=30)
    for offer in offers:
        user = next(u for u in people if u.candidate.pk == offer.candidate_id)
        offer_accept(offer=offer, by=user)

    confirmed = wait_for(
        lambda: (got := receiver.of_type("placement.confirmed")) and len(got) == 2 and got,
        timeout=30,
    )
    assert all(signature_valid(endpoint.secret, r.headers, r.body) for r in confirmed)
    assert {json.loads(r.body)["data"]["request_id"] for r in confirmed} == {req.pk}
    assert len({r.headers["Webhook-Id"] for r in confirmed}) == 2
    wait_for(lambda: not WebhookDelivery.objects.exclude(status="delivered").exists())
    read = key_client(raw).get(f"/api/v1/requests/{req.pk}/").json()
    assert read["status"] == "filled" and read["confirmed"] == 2
