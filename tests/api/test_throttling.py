"""Each key has its own rate limit, counted in Redis; over it the API answers 429 with
Retry-After, as problem+json."""

from __future__ import annotations

import pytest

from api.models import ApiKey, api_key_create
from tests import factories as f
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


def test_a_key_over_its_limit_gets_429_with_retry_after(company_world, settings):
    settings.API_RATE_LIMIT = "3/min"
    w = company_world
    codes = [w["reader"].get("/api/v1/sites/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = key_client(w["order_raw"], language="sv").get("/api/v1/sites/")
    assert response.status_code == 200  # another key counts on its own
    over = key_client(w["read_raw"], language="sv").get("/api/v1/sites/")
    assert over.status_code == 429
    assert 0 < int(over["Retry-After"]) <= 60
    assert over["Content-Type"] == "application/problem+json"
    assert over.json()["title"] == "För många förfrågningar"


def test_the_limit_is_per_key_not_per_company(company_world, settings):
    settings.API_RATE_LIMIT = "2/min"
    other = f.ClientCompanyFactory()
    _key, raw = api_key_create(company=other, name="x", scope=ApiKey.Scope.READ)
    for _ in range(2):
        assert company_world["reader"].get("/api/v1/sites/").status_code == 200
    assert company_world["reader"].get("/api/v1/sites/").status_code == 429
    assert key_client(raw).get("/api/v1/sites/").status_code == 200
