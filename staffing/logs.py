"""Log context: the request id carried from a web request into the tasks it queues, and the
one-JSON-object-a-line format used when LOG_FORMAT=json (see LOGGING in staffing/settings.py).

The request id lives in a context variable: the middleware (staffing.middleware) sets it for a
web request, Celery's publish signal copies it into the task's headers, and the worker's prerun
signal sets it again for the task (staffing.signals).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
# (task name, task id) while a Celery task runs in this context.
task_var: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "task", default=None
)

# An incoming X-Request-ID is kept when it looks like an id (a proxy's or a client's); anything
# else (too long, spaces, control characters) is replaced, so it cannot forge log lines.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_choose(*, incoming: str | None) -> str:
    """The request id to use: the incoming one when it is sane, else a new random one."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class ContextFilter(logging.Filter):
    """Put the request id and the running task on every record (None outside them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        task = task_var.get()
        record.task_name, record.task_id = task if task else (None, None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, task, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if getattr(record, "task_id", None):
            entry["task_name"] = record.task_name  # type: ignore[attr-defined]
            entry["task_id"] = record.task_id  # type: ignore[attr-defined]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
