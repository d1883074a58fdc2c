"""docs/api.md stays true: its order body is accepted as written (with this world's ids and a
future date), and its signature check accepts what the sender signs and refuses a forgery."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from api.services.webhooks import webhook_signature

DOC = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()


@pytest.mark.django_db
def test_the_documented_order_is_accepted(company_world, queued_tasks):
    w = company_world
    body = json.loads(re.search(r"-d '(\{.*?\})'", DOC, re.S).group(1))
    body["site"], body["service_profile"] = w["site"].pk, w["profile"].pk
    body["shifts"][0]["date"] = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = w["orderer"].post(
        "/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="rota-2026-12-05-kamppi"
    )
    assert response.status_code == 201, response.content
    assert response.json()["headcount"] == 2


@pytest.mark.parametrize("forged", [False, True])
def test_the_documented_signature_check(forged):
    snippet = re.search(r"```python\n(.*?)```", DOC, re.S).group(1)
    namespace: dict = {}
    exec(snippet, namespace)  # the receiver's code exactly as documented
    secret, body, timestamp = "whsec_test", b'{"id":"x","type":"request.filled"}', int(time.time())
    headers = {
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": "v1="
        + webhook_signature(secret=secret, timestamp=timestamp, body=body),
    }
    if forged:
        body = body.replace(b"filled", b"cancelled")
    assert namespace["webhook_is_genuine"](secret, headers, body) is not forged
