from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiKey, api_key_create
from tests import factories as f
from tests.api.receiver import receiver  # noqa: F401  (a fixture for the webhook tests)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Rate-limit counts live in the Redis cache, keyed by key id; ids restart per database."""
    cache.clear()
    yield
    cache.clear()


def key_client(raw: str, language: str = "en") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)
    return client


@pytest.fixture
def company_world():
    """A company with a site, a profile, a manager who made two keys (read, and read and
    order), and another company with its own request."""
    profile = f.ServiceProfileFactory()
    company = profile.company
    manager = f.ClientManagerFactory(company=company)
    _key, read_raw = api_key_create(
        company=company, name="Reports", scope=ApiKey.Scope.READ, by=manager
    )
    order_key, order_raw = api_key_create(
        company=company, name="Rota", scope=ApiKey.Scope.ORDER, by=manager
    )
    other = f.StaffingRequestFactory()
    f.ShiftFactory(request=other)
    return {
        "company": company,
        "profile": profile,
        "site": profile.site,
        "manager": manager,
        "reader": key_client(read_raw),
        "read_raw": read_raw,
        "orderer": key_client(order_raw),
        "order_key": order_key,
        "order_raw": order_raw,
        "other": other,
    }


def order_body(profile, *, days: int = 2, **overrides) -> dict:
    day = timezone.localdate() + dt.timedelta(days=days)
    body = {
        "site": profile.site_id,
        "service_profile": profile.pk,
        "urgency": "planned",
        "headcount": 2,
        "shifts": [{"date": day.isoformat(), "start": "16:00", "end": "21:00"}],
        "languages": [{"language": "fi", "level": "B2", "reason": ""}],
        "notes": "Report to the front desk.",
    }
    body.update(overrides)
    return body
