"""Prepared statements for the matching hot path.

PostgreSQL plans a statement every time it is sent as text. The worker's larger statements (the
claim of waiting requests with their shifts, languages and skills; the catch-up of the pool;
storing a batch) took 1-2.5 ms to plan and well under that to run, on every match and, for
the claim, on every task of a burst. Prepared once per connection, they are planned once.

psycopg2 does not prepare statements itself; this module does it by name, remembering per
connection what it has prepared (and asking the server once per new connection, so nothing is
prepared twice). Prepared statements survive a rolled-back transaction and are re-planned by
the server when a table they use changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import connection

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# (id of the driver's connection, server process id) -> names prepared on it.
_prepared: dict[tuple[int, int], set[str]] = {}


def prepared_execute(
    cursor: Any, name: str, sql: str, params: Mapping[str, Any], *, prefix: str = ""
) -> None:
    """Execute `sql` (with named %(key)s placeholders) as the prepared statement `name`.

    `name` must stand for this exact `sql` (a constant per call site). Placeholders whose type
    PostgreSQL cannot infer from their use need a cast in `sql`, e.g. %(limit)s::int. `prefix`,
    a statement without placeholders or results, is sent in the same round trip, before it.
    """
    keys = list(dict.fromkeys(_PLACEHOLDER.findall(sql)))
    names = _names_prepared(cursor)
    if name not in names:
        numbered = _PLACEHOLDER.sub(lambda m: f"${keys.index(m.group(1)) + 1}", sql)
        cursor.execute(f"PREPARE {name} AS {numbered}")
        names.add(name)
    arguments = ", ".join(["%s"] * len(keys))
    execute = f"EXECUTE {name}({arguments})" if keys else f"EXECUTE {name}"
    cursor.execute(f"{prefix}; {execute}" if prefix else execute, [params[key] for key in keys])


def _names_prepared(cursor: Any) -> set[str]:
    raw = connection.connection
    key = (id(raw), raw.info.backend_pid)
    names = _prepared.get(key)
    if names is None:
        if len(_prepared) > 64:  # connections come and go (tests, restarts): forget closed ones
            for stale in [k for k in _prepared if k[0] != key[0]]:
                del _prepared[stale]
        cursor.execute("SELECT name FROM pg_prepared_statements")
        names = _prepared[key] = {row[0] for row in cursor.fetchall()}
    return names
