"""`manage.py bench_system` runs: gunicorn, the real workers and simulated users, for a few
seconds on a tiny demo pool (the figures are in docs/performance.md; this keeps the command
working)."""

from __future__ import annotations

import json
import socket

import pytest
from django.core.management import call_command

from staffing.demo.seed import seed_demo

# serialized_rollback: the flush after the test would drop the skill taxonomy (a data migration).
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.worker]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_system_benchmark_runs_end_to_end(tmp_path, monkeypatch):
    # Hashed static files as with DEBUG off, without compressing them all first (seconds).
    monkeypatch.setenv(
        "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    )
    seed_demo(candidates=300, seed=3)
    out = tmp_path / "system.json"

    call_command(
        "bench_system",
        "--seconds", "6", "--users", "6", "--burst", "6", "--every", "1",
        "--web-workers", "1", "--web-threads", "4",
        "--port", str(free_port()), "--json", str(out),
    )  # fmt: skip

    results = json.loads(out.read_text())
    assert results["errors"] == 0, results["error_examples"]
    assert results["singles"] >= 2 and results["singles_stored"] == results["singles"]
    assert results["burst_size"] == results["burst_stored"] == 6
    assert results["committed_to_stored_p95_ms"] > 0
    pages = results["pages"]
    assert pages["client order submit"]["n"] >= results["singles"] + 6
    assert pages["candidate availability save"]["n"] >= 1
    for role in ("recruiter", "client", "candidate"):  # every kind of user read pages
        assert any(name.startswith(role) for name in pages), role
    assert set(results["queues_after_run"]) == {"urgent", "offers", "background"}
