"""API keys: a key sees its own company's sites, profiles and requests; another company's id
answers 404; a revoked or wrong key answers 401."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiKey, api_key_create
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    profile = f.ServiceProfileFactory()
    own = f.StaffingRequestFactory(service_profile=profile)
    f.ShiftFactory(request=own)
    other = f.StaffingRequestFactory()
    key, raw = api_key_create(company=profile.company, name="Rota", scope=ApiKey.Scope.READ)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return {"key": key, "raw": raw, "client": client, "own": own, "other": other}


def test_key_is_stored_hashed(world):
    key = world["key"]
    assert world["raw"] not in key.hashed_key
    assert world["raw"].startswith(key.prefix + ".")


def test_own_requests_listed_and_read(world):
    client, own = world["client"], world["own"]
    listed = client.get("/api/v1/requests/")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [own.pk]
    one = client.get(f"/api/v1/requests/{own.pk}/")
    assert one.status_code == 200
    assert one.json()["status"] == own.status
    assert len(one.json()["shifts"]) == 1
    world["key"].refresh_from_db()
    assert world["key"].last_used_at is not None


def test_other_company_is_404(world):
    client, other = world["client"], world["other"]
    assert client.get(f"/api/v1/requests/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/sites/{other.site_id}/").status_code == 404
    assert client.get(f"/api/v1/service-profiles/{other.service_profile_id}/").status_code == 404


def test_sites_and_profiles(world):
    client, own = world["client"], world["own"]
    assert [s["id"] for s in client.get("/api/v1/sites/").json()] == [own.site_id]
    profiles = client.get("/api/v1/service-profiles/").json()
    assert [p["id"] for p in profiles] == [own.service_profile_id]


def test_no_wrong_or_revoked_key(world):
    assert APIClient().get("/api/v1/requests/").status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION=f"Bearer {world['key'].prefix}.wrong")
    assert bad.get("/api/v1/requests/").status_code == 401
    ApiKey.objects.filter(pk=world["key"].pk).update(revoked_at=timezone.now())
    assert world["client"].get("/api/v1/requests/").status_code == 401


def test_session_login_is_not_api_auth(client, world):
    manager = f.ClientManagerFactory(company=world["own"].company)
    client.force_login(manager)
    assert client.get("/api/v1/requests/").status_code == 401


def test_a_key_made_by_a_site_limited_manager_is_refused(world):
    """A key sees every site of its company; one whose maker serves only some sites (tied after
    making it, or made before that rule) stops working rather than showing the other sites."""
    site = world["own"].site
    maker = f.ClientManagerFactory(company=site.company)
    _key, raw = api_key_create(company=site.company, name="Old", scope=ApiKey.Scope.READ, by=maker)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/sites/").status_code == 200
    maker.client_membership.sites.add(site)
    refused = client.get("/api/v1/sites/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert "only some of the company's sites" in refused.json()["detail"]
