"""Planner statistics stay fresh where autovacuum does not run (staffing/base/statistics.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from staffing import tasks
from staffing.base.statistics import stale_tables_analyze
from staffing.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)


def _analyzed(table: str) -> tuple[int, object]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_mod_since_analyze, last_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [table],
        )
        return cursor.fetchone()


def _flush_counters() -> None:
    """PostgreSQL 15 publishes a backend's table counters at most once a second; now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def test_a_table_that_changed_much_is_analyzed_and_then_left_alone():
    table = OutboundEmail._meta.db_table
    stale_tables_analyze(even_with_autovacuum=True)  # whatever earlier tests left
    OutboundEmail.objects.bulk_create(
        OutboundEmail(key=f"stats:{i}", to="a@example.fi", language="fi", subject="s", body="b")
        for i in range(300)
    )
    _flush_counters()
    assert _analyzed(table)[0] >= 300

    assert table in stale_tables_analyze(even_with_autovacuum=True)
    changed, last = _analyzed(table)
    assert changed == 0 and last is not None
    # Nothing changed since: nothing to do (not every table on every run).
    assert table not in stale_tables_analyze(even_with_autovacuum=True)


def test_a_few_changes_to_a_big_table_do_not_count_as_stale():
    table = OutboundEmail._meta.db_table
    OutboundEmail.objects.bulk_create(
        OutboundEmail(key=f"big:{i}", to="a@example.fi", language="fi", subject="s", body="b")
        for i in range(2000)
    )
    _flush_counters()
    stale_tables_analyze(even_with_autovacuum=True)
    OutboundEmail.objects.filter(key__in=[f"big:{i}" for i in range(100)]).update(body="c")
    _flush_counters()
    # 100 changes of 2,000 rows: under autovacuum's 50 + 10 %.
    assert table not in stale_tables_analyze(even_with_autovacuum=True)


def test_the_beat_task_follows_the_server(monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('autovacuum') = 'on'")
        autovacuum = cursor.fetchone()[0]
    OutboundEmail.objects.bulk_create(
        OutboundEmail(key=f"beat:{i}", to="a@example.fi", language="fi", subject="s", body="b")
        for i in range(300)
    )
    _flush_counters()
    analyzed = tasks.analyze_stale_tables()
    # With autovacuum on, the server analyzes by itself and the task does nothing.
    assert (OutboundEmail._meta.db_table in analyzed) is not autovacuum
