"""Celery signal handlers for operations, connected in StaffingConfig.ready: worker heartbeats,
failed tasks, and the request id carried from the web into tasks (staffing.logs).

Thin on purpose: each handler calls a service, and none may break a worker or a publish.
"""

from __future__ import annotations

import contextvars
import logging
import os
import socket

from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    worker_process_init,
    worker_process_shutdown,
    worker_shutdown,
)

from staffing.logs import request_id_var, task_var
from staffing.services.heartbeats import HeartbeatWriter, task_failure_record

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "request_id"
_writer: HeartbeatWriter | None = None
# The context each running task replaced, restored when it ends (an eagerly applied task must
# not leave its id on the web request that ran it).
_task_tokens: dict[str, tuple[contextvars.Token, contextvars.Token]] = {}


@worker_process_init.connect
def _heartbeat_start(sender: object = None, **kwargs: object) -> None:
    """Every process that runs tasks (a prefork child, or a solo worker) records that it lives."""
    global _writer
    _writer = HeartbeatWriter(hostname=str(sender or socket.gethostname()))
    _writer.start()


@worker_process_shutdown.connect
@worker_shutdown.connect
def _heartbeat_stop(**kwargs: object) -> None:
    if _writer is not None and _writer.pid == os.getpid():
        _writer.finish()


@task_failure.connect
def _task_failure_keep(
    sender: object = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: tuple | list | None = None,
    kwargs: dict | None = None,
    **extra: object,
) -> None:
    try:
        task_failure_record(
            task_name=getattr(sender, "name", None) or str(sender),
            task_id=task_id,
            args=args or (),
            kwargs=kwargs or {},
            exception=exception if exception is not None else RuntimeError("unknown"),
        )
    except Exception:
        logger.warning("Could not record the failure of task %s", task_id, exc_info=True)


@before_task_publish.connect
def _request_id_send(headers: dict | None = None, **kwargs: object) -> None:
    """Put the current request id (a web request's, or the running task's) on the message."""
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def _task_context_enter(task_id: str | None = None, task: object = None, **kwargs: object) -> None:
    # A worker puts the message's headers on the request; `apply(headers=...)` only in `headers`.
    request = getattr(task, "request", None)
    headers = getattr(request, "headers", None) or {}
    request_id = (
        getattr(request, REQUEST_ID_HEADER, None)
        or headers.get(REQUEST_ID_HEADER)
        or request_id_var.get()
    )
    tokens = (
        request_id_var.set(request_id),
        task_var.set((getattr(task, "name", "") or "", task_id or "")),
    )
    if task_id:
        _task_tokens[task_id] = tokens


@task_postrun.connect
def _task_context_leave(task_id: str | None = None, **kwargs: object) -> None:
    tokens = _task_tokens.pop(task_id or "", None)
    if tokens is None:
        return
    request_token, task_token = tokens
    try:
        task_var.reset(task_token)
        request_id_var.reset(request_token)
    except ValueError:  # set in another context (should not happen): just clear
        task_var.set(None)
        request_id_var.set(None)
