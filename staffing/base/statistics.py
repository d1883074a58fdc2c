"""Fresh planner statistics where autovacuum does not keep them.

PostgreSQL plans a query from each table's statistics, which its autovacuum refreshes once a
table has changed enough. A server run with autovacuum off (as this project's development and
CI machines are) keeps the statistics of the day a table was last analyzed: the shortlist
entries analyzed when they held one shortlist's 60 rows were, 45,000 rows later, planned as if
every shortlist had them all, and the workers' catch-up read the whole table (13-60 ms) on every
match instead of its index (under 1 ms; docs/performance.md). This refreshes such tables by
autovacuum's own rule for analyzing.
"""

from __future__ import annotations

from django.db import connection

# autovacuum_analyze_threshold and autovacuum_analyze_scale_factor's defaults.
ANALYZE_THRESHOLD = 50
ANALYZE_SCALE_FACTOR = 0.1


def stale_tables_analyze(*, even_with_autovacuum: bool = False) -> list[str]:
    """ANALYZE this database's tables changed by more than autovacuum's analyze rule since
    they were last analyzed; nothing when autovacuum runs (unless `even_with_autovacuum`).
    Returns the tables analyzed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('autovacuum') = 'on'")
        if cursor.fetchone()[0] and not even_with_autovacuum:
            return []
        cursor.execute(
            """SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
               WHERE s.schemaname = current_schema()
                 AND s.n_mod_since_analyze > %s + %s * greatest(c.reltuples, 0)
               ORDER BY s.relname""",
            [ANALYZE_THRESHOLD, ANALYZE_SCALE_FACTOR],
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return tables
