"""Every endpoint in the schema, for each kind of caller: no key (401), a revoked key (401), a
Read key (reads; 403 on writes), a Read-and-order key (reads and writes), and another
company's key on this company's objects (404). GET never changes anything."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from api.models import ApiKey, api_key_create
from staffing.models import AuditEvent, Placement, ServiceRating, ShiftCancellation, StaffingRequest
from tests import factories as f
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


def _operations() -> list[tuple[str, str]]:
    schema = Client().get("/api/schema/?format=json").json()
    operations = [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    # Cancelling goes last: after it, the request has nobody left to decline or rate.
    return sorted(operations, key=lambda op: ("cancel" in op[1], op))


@pytest.fixture
def matrix(company_world):
    w = company_world
    req = f.StaffingRequestFactory(service_profile=w["profile"], status="offering")
    shift = f.ShiftFactory(request=req)
    placement = f.PlacementFactory(shift=shift)
    f.ShortlistFactory(request=req, approved_at=timezone.now())  # the placed person is presented
    stranger_profile = f.ServiceProfileFactory()
    _key, stranger_raw = api_key_create(
        company=stranger_profile.company, name="Other", scope=ApiKey.Scope.ORDER
    )
    revoked, revoked_raw = api_key_create(company=w["company"], name="Old", scope="order")
    revoked.revoked_at = timezone.now()
    revoked.save()
    ids = {
        "/api/v1/requests/": req.pk,
        "/api/v1/placements/": placement.pk,
        "/api/v1/sites/": w["site"].pk,
        "/api/v1/service-profiles/": w["profile"].pk,
        "candidate": placement.candidate_id,
    }
    return {
        **w,
        "ids": ids,
        "shift": shift,
        "stranger": key_client(stranger_raw),
        "revoked": key_client(revoked_raw),
    }


def _url(path: str, m: dict) -> str:
    for prefix, pk in m["ids"].items():
        if path.startswith(prefix):
            path = path.replace("{id}", str(pk))
    path = path.replace("{candidate_id}", str(m["ids"]["candidate"]))
    return path.replace("{shift_id}", str(m["shift"].pk))


def _state() -> tuple:
    return (
        AuditEvent.objects.exclude(action__in=AuditEvent.VIEW_ACTIONS).count(),
        sorted(StaffingRequest.objects.values_list("pk", "status")),
        sorted(Placement.objects.values_list("pk", "status")),
        ShiftCancellation.objects.count(),
        ServiceRating.objects.count(),
    )


def test_every_endpoint_for_every_caller(matrix):
    operations = _operations()
    assert len(operations) >= 13
    for method, path in operations:
        url = _url(path, matrix)
        call = {"GET": "get", "POST": "post"}[method]
        for client in (key_client("x.y"), matrix["revoked"]):
            assert getattr(client, call)(url, {}, format="json").status_code == 401, url
        anonymous = key_client("x")
        anonymous.credentials()
        assert getattr(anonymous, call)(url, {}, format="json").status_code == 401, url
        if "{" in path:
            before = _state()
            response = getattr(matrix["stranger"], call)(url, {}, format="json")
            assert response.status_code == 404, (method, url)
            assert _state() == before
        if method == "GET":
            before = _state()
            for client in (matrix["reader"], matrix["orderer"]):
                assert client.get(url).status_code == 200, url
            assert _state() == before
        else:
            before = _state()
            response = matrix["reader"].post(url, {}, format="json")
            assert response.status_code == 403, url
            assert _state() == before
            # The order key is let through: whatever the answer, it is not refused for scope.
            response = matrix["orderer"].post(url, {}, format="json")
            assert response.status_code in (200, 201, 400, 409), (url, response.content)
