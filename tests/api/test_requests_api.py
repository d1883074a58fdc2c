"""Ordering through the API: the order form's validation and service, an Idempotency-Key
that makes a retry create nothing, filters and cursor pages, steps and timeline, cancelling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from api.models import IdempotencyKey
from staffing.models import AuditEvent, ShiftCancellation, StaffingRequest
from tests import factories as f
from tests.api.conftest import key_client, order_body

pytestmark = pytest.mark.django_db


def test_order_two_people_uses_the_forms_service(
    company_world, queued_tasks, django_capture_on_commit_callbacks
):
    w = company_world
    with django_capture_on_commit_callbacks(execute=True):
        response = w["orderer"].post("/api/v1/requests/", order_body(w["profile"]), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    req = StaffingRequest.objects.get(pk=data["id"])
    assert req.company == w["company"] and req.headcount == 2
    assert req.submitted_by == w["manager"]
    assert req.languages.get().level == 4
    assert response["Location"].endswith(f"/api/v1/requests/{req.pk}/")
    assert data["status"] == "received" and len(data["shifts"]) == 1
    assert [s["done"] for s in data["steps"]][:2] == [True, False]
    assert "Request received" in data["timeline"][0]["text"]
    assert ("staffing.tasks.match_request", (req.pk,)) in queued_tasks
    assert AuditEvent.objects.filter(action="request.submitted", staffing_request=req).exists()


def test_a_retried_post_with_the_same_key_creates_one_request(company_world, queued_tasks):
    w = company_world
    body = order_body(w["profile"])
    first = w["orderer"].post(
        "/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-17"
    )
    again = w["orderer"].post(
        "/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-17"
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert StaffingRequest.objects.filter(company=w["company"]).count() == 1
    assert IdempotencyKey.objects.get().staffing_request_id == first.json()["id"]
    changed = w["orderer"].post(
        "/api/v1/requests/",
        {**body, "headcount": 3},
        format="json",
        HTTP_IDEMPOTENCY_KEY="order-17",
    )
    assert changed.status_code == 422
    assert changed["Content-Type"] == "application/problem+json"
    # Another key orders again.
    other = w["orderer"].post(
        "/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-18"
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_the_same_key_in_another_company_is_its_own(company_world, queued_tasks):
    w = company_world
    profile = f.ServiceProfileFactory()
    from api.models import ApiKey, api_key_create

    _key, raw = api_key_create(company=profile.company, name="x", scope=ApiKey.Scope.ORDER)
    ours = w["orderer"].post(
        "/api/v1/requests/", order_body(w["profile"]), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    theirs = key_client(raw).post(
        "/api/v1/requests/", order_body(profile), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert ours.status_code == theirs.status_code == 201
    assert ours.json()["id"] != theirs.json()["id"]


def test_a_read_key_may_not_order_or_cancel(company_world):
    w = company_world
    response = w["reader"].post("/api/v1/requests/", order_body(w["profile"]), format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    req = f.StaffingRequestFactory(service_profile=w["profile"])
    assert w["reader"].post(f"/api/v1/requests/{req.pk}/cancel/", {}).status_code == 403
    assert StaffingRequest.objects.filter(company=w["company"]).count() == 1


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"headcount": 0}, "#/headcount"),
        ({"shifts": []}, "#/shifts"),
        ({"site": 999999}, "#/site"),
        ({"urgency": "yesterday"}, "#/urgency"),
    ],
)
def test_invalid_orders_answer_problem_json_with_field_pointers(company_world, change, pointer):
    w = company_world
    body = {**order_body(w["profile"]), **change}
    response = w["orderer"].post("/api/v1/requests/", body, format="json")
    assert response.status_code == 400
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert problem["status"] == 400 and problem["instance"] == "/api/v1/requests/"
    assert pointer in [e["pointer"] for e in problem["errors"]]
    assert StaffingRequest.objects.count() == 1  # only the other company's


def test_the_forms_rules_apply(company_world):
    w = company_world
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    other_site = f.SiteFactory(company=w["company"])
    body = {
        **order_body(w["profile"]),
        "site": other_site.pk,
        "shifts": [{"date": past, "start": "16:00", "end": "21:00"}],
        "languages": [{"language": "sv", "level": "B1", "reason": "native speaker"}],
    }
    problem = w["orderer"].post("/api/v1/requests/", body, format="json").json()
    errors = {e["pointer"]: e["detail"] for e in problem["errors"]}
    assert errors["#/service_profile"] == "This service profile belongs to another site."
    assert errors["#/shifts/0"] == "The shift starts in the past."
    assert errors["#/languages/0/reason"].startswith("Describe what the work needs")


@pytest.mark.parametrize(
    ("language", "title", "message"),
    [
        ("fi", "Virheellinen pyyntö", "Vuoron alkamisaika on menneisyydessä."),
        ("sv", "Ogiltig begäran", "Arbetspasset börjar i det förflutna."),
        ("en", "Invalid request", "The shift starts in the past."),
        ("de", "Invalid request", "The shift starts in the past."),
    ],
)
def test_problems_are_in_the_accept_language(company_world, language, title, message):
    w = company_world
    client = key_client(w["order_raw"], language=language)
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body = {
        **order_body(w["profile"]),
        "shifts": [{"date": past, "start": "16:00", "end": "21:00"}],
    }
    response = client.post("/api/v1/requests/", body, format="json")
    problem = response.json()
    assert problem["title"] == title
    assert [e["detail"] for e in problem["errors"]] == [message]
    assert response["Content-Language"] == (language if language != "de" else "en")


def test_not_found_and_unauthenticated_are_problems_too(company_world):
    w = company_world
    fi = key_client(w["order_raw"], language="fi")
    missing = fi.get(f"/api/v1/requests/{w['other'].pk}/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert missing.json()["title"] == "Ei löytynyt"
    anonymous = key_client("nope.nope")
    anonymous.credentials()
    response = anonymous.get("/api/v1/requests/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_list_filters_and_cursor_pages(company_world):
    w = company_world
    soon = f.StaffingRequestFactory(service_profile=w["profile"], status="filled")
    f.ShiftFactory(request=soon)
    later = f.StaffingRequestFactory(service_profile=w["profile"], status="offering")
    start = timezone.now() + dt.timedelta(days=10)
    f.ShiftFactory(request=later, starts_at=start, ends_at=start + dt.timedelta(hours=4))
    extra = [f.StaffingRequestFactory(service_profile=w["profile"]) for _ in range(3)]
    client = w["reader"]

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/requests/{query}")
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert ids("?status=filled") == [soon.pk]
    assert ids("?status=filled&status=offering") == [later.pk, soon.pk]
    day = timezone.localdate(start).isoformat()
    assert ids(f"?starts_after={day}") == [later.pk]
    assert ids(f"?starts_before={timezone.localdate().isoformat()}") == []
    assert sorted(ids(f"?site={w['site'].pk}")) == sorted(
        [soon.pk, later.pk, *[e.pk for e in extra]]
    )
    assert ids(f"?site={w['other'].site_id}") == []
    bad = client.get("/api/v1/requests/?status=lost&starts_after=tomorrow")
    assert bad.status_code == 400
    assert {e["pointer"] for e in bad.json()["errors"]} == {"#/status/0", "#/starts_after"}
    # Two at a time, newest first, every request once.
    seen, url = [], "/api/v1/requests/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert seen == sorted(seen, reverse=True) and len(seen) == 5


def test_cancel_one_shift_then_the_request(company_world, queued_tasks):
    w = company_world
    req = f.StaffingRequestFactory(service_profile=w["profile"], status="offering")
    first = f.ShiftFactory(request=req)
    start = timezone.now() + dt.timedelta(days=3)
    f.ShiftFactory(request=req, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    other_shift = w["other"].shifts.get()
    client = w["orderer"]
    assert (
        client.post(f"/api/v1/requests/{req.pk}/shifts/{other_shift.pk}/cancel/").status_code == 404
    )
    response = client.post(
        f"/api/v1/requests/{req.pk}/shifts/{first.pk}/cancel/", {"reason": "Closed"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert ShiftCancellation.objects.get().shift == first
    assert [s["cancelled"] for s in response.json()["shifts"]].count(True) == 1
    again = client.post(f"/api/v1/requests/{req.pk}/shifts/{first.pk}/cancel/", format="json")
    assert again.status_code == 409
    assert again.json()["detail"] == "This shift is already cancelled."
    done = client.post(f"/api/v1/requests/{req.pk}/cancel/", {"reason": "No need"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/requests/{w['other'].pk}/cancel/").status_code == 404
    assert not ShiftCancellation.objects.filter(shift__request=w["other"]).exists()


def test_get_changes_nothing(company_world):
    w = company_world
    req = f.StaffingRequestFactory(service_profile=w["profile"])
    before = AuditEvent.objects.count()
    for url in ("/api/v1/requests/", f"/api/v1/requests/{req.pk}/", "/api/v1/sites/"):
        assert w["reader"].get(url).status_code == 200
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("language", "required", "not_json"),
    [
        ("fi", "Tämä kenttä vaaditaan.", "Sisältö ei ole kelvollista JSONia."),
        ("sv", "Det här fältet är obligatoriskt.", "Innehållet är inte giltig JSON."),
        ("en", "This field is required.", "The body is not valid JSON."),
    ],
)
def test_missing_fields_and_broken_json_in_each_language(
    company_world, language, required, not_json
):
    client = key_client(company_world["order_raw"], language=language)
    body = order_body(company_world["profile"])
    del body["headcount"]
    problem = client.post("/api/v1/requests/", body, format="json").json()
    assert problem["errors"] == [{"pointer": "#/headcount", "detail": required, "code": "required"}]
    broken = client.post("/api/v1/requests/", "{nope", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["detail"] == not_json


def test_json_nested_too_deeply_is_a_400_not_a_500(company_world):
    client = key_client(company_world["order_raw"], language="en")
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/requests/", deep, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "The body is not valid JSON."


@pytest.mark.parametrize(
    ("language", "says"),
    [("en", "cancelling"), ("fi", "peruminen"), ("sv", "avboka")],
)
def test_a_read_key_that_cancels_is_told_cancelling_needs_the_order_scope(
    company_world, language, says
):
    req = f.StaffingRequestFactory(service_profile=company_world["profile"])
    client = key_client(company_world["read_raw"], language=language)
    response = client.post(f"/api/v1/requests/{req.pk}/cancel/", {}, format="json")
    assert response.status_code == 403
    assert says in response.json()["detail"]
