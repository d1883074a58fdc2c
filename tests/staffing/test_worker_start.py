"""A worker loads its candidate pool before it consumes anything, and a worker that does not
serve the urgent queue yields the CPU to the one that does (staffing/tasks.py)."""

from __future__ import annotations

import types

import pytest
from celery import Celery

from staffing import tasks
from staffing.services.pool import pool_keeper, pool_reset
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def worker(queue: str) -> types.SimpleNamespace:
    """What the worker_init signal sends: a worker whose app consumes `queue`."""
    app = Celery(set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.amqp.queues.select([queue])
    return types.SimpleNamespace(app=app)


@pytest.fixture
def niceness(monkeypatch):
    asked: list[int] = []
    monkeypatch.setattr(tasks, "cpu_priority_lower", asked.append)
    # Freezing would leave this test process's objects out of its garbage collections.
    monkeypatch.setattr(tasks, "long_lived_freeze", lambda: 0)
    return asked


@pytest.mark.parametrize(
    ("queue", "loads", "nice"),
    [
        ("staffing.urgent", True, []),
        ("staffing.background", True, [19]),
        ("staffing.offers", False, [10]),
    ],
)
def test_a_worker_loads_its_pool_before_consuming(queue, loads, nice, niceness):
    person = CandidateFactory()
    pool_reset()

    tasks._pool_before_consuming(sender=worker(queue))

    pool = pool_keeper().pool
    assert (pool is not None) == loads
    if loads:
        assert pool.index_of([person.pk])[0] >= 0
    assert niceness == nice


def test_the_niceness_is_a_setting(settings, niceness):
    settings.WORKER_OFFERS_NICENESS = 0
    tasks._pool_before_consuming(sender=worker("staffing.offers"))
    settings.WORKER_BACKGROUND_NICENESS = 5
    tasks._pool_before_consuming(sender=worker("staffing.background"))
    assert niceness == [5]


def test_a_worker_freezes_what_it_loaded_before_its_processes_fork(monkeypatch, niceness):
    frozen = []
    monkeypatch.setattr(tasks, "long_lived_freeze", lambda: frozen.append(pool_keeper().pool))
    CandidateFactory()
    pool_reset()
    tasks._pool_before_consuming(sender=worker("staffing.urgent"))
    assert frozen and frozen[0] is not None  # after the pool was loaded
