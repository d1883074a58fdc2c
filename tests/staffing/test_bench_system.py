"""`manage.py bench_system` runs: gunicorn, the real workers and simulated users, for a few
seconds on a tiny demo pool (the figures are in docs/performance.md; this keeps the command
working)."""

from __future__ import annotations

import json
import socket

import pytest
from django.core.management import call_command

from staffing.services.bench import bench_eligibility_forget
from staffing.services.pool import pool_reset
from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture(autouse=True)
def _no_pool_left_behind():
    """This test's people are flushed afterwards: no pool of this process may keep them."""
    yield
    pool_reset()
    bench_eligibility_forget()


def small_world() -> None:
    """A client, a recruiter and candidates in Helsinki, made without the services: nothing is
    queued for the session's worker (tests/conftest.py), whose pool outlives each test's data
    and must not keep people elsewhere (tests/candidates/test_bench_worker.py uses Tampere)."""
    profile = f.ServiceProfileFactory()
    f.ProfileLanguageFactory(profile=profile, language="fi", level=3)
    f.ClientManagerFactory(company=profile.company)
    f.RecruiterFactory()
    for _ in range(4):
        user = f.CandidateUserFactory()
        f.CandidateLanguageFactory(candidate=user.candidate, language="fi", level=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_system_benchmark_runs_end_to_end(tmp_path, monkeypatch):
    # Hashed static files as with DEBUG off, without compressing them all first (seconds).
    monkeypatch.setenv(
        "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    )
    small_world()
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
    assert results["load_cpu_s"]["benchmark"] > 0 and results["load_cpu_s"]["postgresql"] > 0


def test_the_system_benchmark_refuses_a_database_with_a_backlog():
    """Waiting requests would be matched during the run (the oldest first) and be measured."""
    from django.core.management.base import CommandError

    small_world()
    f.StaffingRequestFactory()  # received, never matched
    with pytest.raises(CommandError, match="1 requests in this database are waiting"):
        call_command("bench_system", "--seconds", "1", "--port", str(free_port()))
