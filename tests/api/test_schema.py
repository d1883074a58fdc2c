"""The OpenAPI schema and its docs page are served (assets vendored, no CDN), and
schemathesis, run against the live schema on a real server, finds no 5xx and no response that
breaks the schema: status codes, content types, headers and bodies."""

from __future__ import annotations

import re
import time

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiKey, api_key_create
from tests import factories as f

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Examples per operation and generation mode: enough to reach every status an operation
# answers, bounded so the whole run stays well under a minute on a shared machine.
EXAMPLES = 10


@pytest.mark.django_db
def test_schema_and_docs_are_served(client, settings):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/requests/" in document["paths"]
    create = document["paths"]["/api/v1/requests/"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"]]
    assert "application/problem+json" in create["responses"]["400"]["content"]
    assert "Retry-After" in create["responses"]["429"]["headers"]
    assert document["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    as_json = client.get("/api/schema/?format=json")
    assert as_json.json()["paths"].keys() == document["paths"].keys()
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert any("swagger-ui" in s for s in sources)
    for source in sources:
        path = source.split("?")[0]
        if path.startswith(settings.STATIC_URL):  # vendored under static/ by the sidecar
            assert finders.find(path.removeprefix(settings.STATIC_URL)), source
        else:
            assert client.get(source).status_code == 200, source


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_nothing_on_a_live_server(live_server, settings):
    settings.API_RATE_LIMIT = "100000/min"
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    _key, raw = api_key_create(
        company=profile.company, name="Fuzz", scope=ApiKey.Scope.ORDER, by=manager
    )
    req = f.StaffingRequestFactory(service_profile=profile)
    shift = f.ShiftFactory(request=req)
    placement = f.PlacementFactory(shift=shift)
    real_ids = {
        "/api/v1/requests/": req.pk,
        "/api/v1/placements/": placement.pk,
        "/api/v1/sites/": profile.site_id,
        "/api/v1/service-profiles/": profile.pk,
    }
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    started = time.monotonic()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        fixed = {}
        for prefix, pk in real_ids.items():
            if operation.path.startswith(prefix) and "{id}" in operation.path:
                fixed = {"id": pk}
        if "{shift_id}" in operation.path:
            fixed["shift_id"] = shift.pk
        strategies = [
            operation.as_strategy(),
            operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        ]
        if fixed:
            strategies.append(operation.as_strategy(path_parameters=fixed))
        for strategy in strategies:
            _run(strategy, live_server.url, headers)
    assert operations >= 13
    assert time.monotonic() - started < 60


def _run(strategy, base_url: str, headers: dict) -> None:
    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    check()
