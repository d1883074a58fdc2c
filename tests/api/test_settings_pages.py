"""The settings pages: a client manager (or an agency admin, for any company) creates a key
(its secret shown once), renames, re-scopes and revokes it, sees when it was last used; adds
webhook endpoints and reads their delivery log, resending a delivery by hand."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api.models import (
    ApiKey,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    api_key_create,
    key_hash,
)
from api.services.webhooks import SEND_TASK, webhook_endpoint_create, webhook_event_record
from staffing.models import AuditEvent
from tests import factories as f
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    manager = f.ClientManagerFactory()
    return {
        "manager": manager,
        "company": manager.client_membership.company,
        "stranger": f.ClientManagerFactory(),
        "admin": f.AgencyAdminFactory(),
        "recruiter": f.RecruiterFactory(),
    }


def test_a_manager_creates_a_key_shown_once_and_it_works(client, pages):
    client.force_login(pages["manager"])
    company = pages["company"]
    assert client.get(reverse("api_settings")).url == reverse(
        "api_settings_company", args=[company.pk]
    )
    response = client.post(
        reverse("api_key_new", args=[company.pk]), {"name": "Rota", "scope": "order"}
    )
    assert response.status_code == 200
    raw = response.context["new_key_secret"]
    key = ApiKey.objects.get()
    assert key.hashed_key == key_hash(raw) and raw in response.content.decode()
    assert key.created_by == pages["manager"] and key.scope == "order"
    assert AuditEvent.objects.filter(action="api_key.created").exists()
    page = client.get(reverse("api_settings_company", args=[company.pk])).content.decode()
    assert raw not in page and key.prefix in page
    assert key_client(raw).get("/api/v1/sites/").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    client.post(
        reverse("api_key_change", args=[company.pk, key.pk]), {"name": "Reports", "scope": "read"}
    )
    key.refresh_from_db()
    assert (key.name, key.scope) == ("Reports", "read")
    client.post(reverse("api_key_revoke", args=[company.pk, key.pk]))
    assert key_client(raw).get("/api/v1/sites/").status_code == 401


def test_bad_key_form_is_answered_in_the_users_language(client, pages):
    client.force_login(pages["manager"])
    response = client.post(reverse("api_key_new", args=[pages["company"].pk]), {"name": ""})
    assert response.status_code == 200
    assert response.context["key_form"].errors
    assert not ApiKey.objects.exists()


def test_another_companys_settings_are_404_and_other_roles_403(client, pages):
    company = pages["company"]
    key, _raw = api_key_create(company=company, name="K", scope="read")
    urls = [
        ("get", reverse("api_settings_company", args=[company.pk])),
        ("post", reverse("api_key_new", args=[company.pk])),
        ("post", reverse("api_key_revoke", args=[company.pk, key.pk])),
        ("post", reverse("api_webhook_new", args=[company.pk])),
    ]
    for method, url in urls:
        client.force_login(pages["stranger"])
        assert getattr(client, method)(url).status_code == 404
        client.force_login(pages["recruiter"])
        assert getattr(client, method)(url).status_code == 403
    # A key of this company looked up under the stranger's company is 404 too.
    client.force_login(pages["stranger"])
    own = pages["stranger"].client_membership.company
    assert client.post(reverse("api_key_revoke", args=[own.pk, key.pk])).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_an_agency_admin_manages_any_company(client, pages):
    client.force_login(pages["admin"])
    listing = client.get(reverse("api_settings"))
    assert pages["company"].name in listing.content.decode()
    response = client.post(
        reverse("api_key_new", args=[pages["company"].pk]), {"name": "ERP", "scope": "read"}
    )
    assert response.status_code == 200
    assert ApiKey.objects.get().company == pages["company"]


def test_endpoints_with_a_generated_secret_and_the_delivery_log(
    client, pages, settings, queued_tasks, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    client.force_login(pages["manager"])
    company = pages["company"]
    refused = client.post(
        reverse("api_webhook_new", args=[company.pk]),
        {"url": "http://127.0.0.1:8000/hook", "events": ["request.filled"]},
    )
    assert refused.context["endpoint_form"].errors["url"]
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    created = client.post(
        reverse("api_webhook_new", args=[company.pk]),
        {"url": "http://127.0.0.1:9/hook", "events": ["request.filled", "placement.confirmed"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in created.content.decode()
    assert endpoint.events == ["placement.confirmed", "request.filled"]
    detail_url = reverse("api_webhook_detail", args=[company.pk, endpoint.pk])
    assert endpoint.secret not in client.get(detail_url).content.decode()
    event = webhook_event_record(name="request.filled", company_id=company.pk, payload={"a": 1})
    delivery = WebhookDelivery.objects.get(event=event)
    WebhookAttempt.objects.create(delivery=delivery, status_code=500, response_body="oops")
    page = client.get(detail_url).content.decode()
    assert "request.filled" in page and "HTTP 500" in page and "oops" in page
    queued_tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("api_delivery_resend", args=[company.pk, delivery.pk]))
    assert queued_tasks == [(SEND_TASK, (delivery.pk, True))]
    client.post(
        reverse("api_webhook_change", args=[company.pk, endpoint.pk]),
        {"url": "http://127.0.0.1:9/other", "events": ["request.filled"]},
    )
    endpoint.refresh_from_db()
    assert endpoint.url.endswith("/other") and endpoint.is_active is False
    stranger = pages["stranger"]
    client.force_login(stranger)
    assert client.get(detail_url).status_code == 404
    own = stranger.client_membership.company
    assert (
        client.post(reverse("api_delivery_resend", args=[own.pk, delivery.pk])).status_code == 404
    )
    client.force_login(pages["manager"])
    client.post(reverse("api_webhook_delete", args=[company.pk, endpoint.pk]))
    assert not WebhookEndpoint.objects.exists()


def test_a_given_secret_is_kept(pages, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    endpoint = webhook_endpoint_create(
        company=pages["company"],
        url="http://127.0.0.1:9/",
        events=["request.filled"],
        by=pages["manager"],
        secret="s" * 30,
    )
    assert endpoint.secret == "s" * 30


def test_a_manager_tied_to_some_sites_may_not_make_keys_or_webhooks(client, pages):
    """A key and a webhook see every site of the company: a manager who sees only some sites
    (the people placed at the others are not theirs to see) must not be able to make one."""
    company = pages["company"]
    kamppi = f.SiteFactory(company=company)
    f.SiteFactory(company=company)  # the site the manager does not serve
    restricted = f.ClientManagerFactory(company=company)
    restricted.client_membership.sites.set([kamppi])
    client.force_login(restricted)
    assert client.get(reverse("api_settings")).status_code == 403
    assert client.get(reverse("api_settings_company", args=[company.pk])).status_code == 403
    created = client.post(
        reverse("api_key_new", args=[company.pk]), {"name": "Rota", "scope": "order"}
    )
    assert created.status_code == 403 and not ApiKey.objects.exists()
    assert reverse("api_settings") not in client.get(reverse("client_requests")).content.decode()
    # The same manager serving every site again may.
    restricted.client_membership.sites.clear()
    assert client.get(reverse("api_settings_company", args=[company.pk])).status_code == 200
    assert reverse("api_settings") in client.get(reverse("client_requests")).content.decode()
