"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class TextJSONField(models.JSONField):
    """JSON stored as PostgreSQL `json` (the text, checked to be JSON) instead of `jsonb`.

    For documents written in bulk and read back whole, never searched inside: a shortlist's
    explained entries and its replay inputs. Turning text into `jsonb` cost PostgreSQL 36 µs
    an explanation (2.2 ms of every 60-entry shortlist; `json`: 12), the largest part of
    storing a shortlist (docs/performance.md). Lookups inside the document (`has_key`,
    containment) need `jsonb` and are not available on these columns.
    """

    def db_type(self, connection: Any) -> str:
        return "json"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # psycopg2 decodes `json` itself (Django has it leave only `jsonb` as text).
        if value is None or not isinstance(value, str | bytes | bytearray):
            return value
        return super().from_db_value(value, expression, connection)
