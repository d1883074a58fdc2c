"""Structured logs and request ids: LOG_FORMAT=json writes one JSON object a line; the request
id is taken from a sane X-Request-ID or made up, returned, and carried into queued tasks."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from celery import shared_task
from django.conf import settings
from django.urls import reverse

from staffing.logs import ContextFilter, JsonFormatter, request_id_choose, request_id_var, task_var
from staffing.signals import REQUEST_ID_HEADER, _request_id_send
from staffing.tasks import match_request

ROOT = Path(__file__).resolve().parents[2]


@shared_task(name="tests.current_request_id")
def current_request_id() -> list:
    logging.getLogger("tests.task").info("inside")
    return [request_id_var.get(), task_var.get()]


def _record(message: str = "hello %s", args=("world",), exc_info=None) -> logging.LogRecord:
    record = logging.LogRecord("staffing.x", logging.ERROR, __file__, 1, message, args, exc_info)
    ContextFilter().filter(record)
    return record


def test_json_lines_carry_time_level_logger_message_request_and_task():
    request_token = request_id_var.set("req-1")
    task_token = task_var.set(("staffing.tasks.match_request", "task-9"))
    try:
        try:
            raise ValueError("bad")
        except ValueError:
            line = JsonFormatter().format(_record(exc_info=sys.exc_info()))
    finally:
        task_var.reset(task_token)
        request_id_var.reset(request_token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "staffing.x"
    assert entry["message"] == "hello world"
    assert entry["request_id"] == "req-1"
    assert entry["task_name"] == "staffing.tasks.match_request"
    assert entry["task_id"] == "task-9"
    assert entry["time"].endswith("+00:00")
    assert "ValueError: bad" in entry["exception"]


def test_outside_a_request_the_request_id_is_null():
    entry = json.loads(JsonFormatter().format(_record()))
    assert entry["request_id"] is None
    assert "task_id" not in entry


def _django_log(**env: str) -> subprocess.CompletedProcess:
    script = (
        "import django, logging; django.setup(); logging.getLogger('probe').warning('hi');"
        "from django.conf import settings; print(settings.CELERY_WORKER_HIJACK_ROOT_LOGGER)"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_log_format_json_makes_every_line_json_and_plain_stays_plain():
    json_run = _django_log(LOG_FORMAT="json")
    assert json_run.returncode == 0, json_run.stderr
    entry = json.loads(json_run.stderr.strip().splitlines()[-1])
    assert (entry["logger"], entry["level"], entry["message"]) == ("probe", "WARNING", "hi")
    # The worker keeps this handler instead of Celery's own.
    assert json_run.stdout.strip() == "False"
    plain = _django_log()
    assert plain.stderr.strip().splitlines()[-1] == "hi"
    assert plain.stdout.strip() == "True"
    wrong = _django_log(LOG_FORMAT="xml")
    assert wrong.returncode != 0
    assert "LOG_FORMAT must be plain or json" in wrong.stderr


def test_request_id_is_kept_when_sane_and_replaced_otherwise():
    assert request_id_choose(incoming="lb-7f3a.2:9") == "lb-7f3a.2:9"
    for bad in (None, "", "two words", "x" * 200, "id\nforged line"):
        chosen = request_id_choose(incoming=bad)
        assert len(chosen) == 32 and int(chosen, 16) >= 0


@pytest.mark.django_db
def test_the_response_names_its_request_id(client):
    response = client.get(reverse("health"), HTTP_X_REQUEST_ID="from-the-proxy-1")
    assert response["X-Request-ID"] == "from-the-proxy-1"
    made_up = client.get(reverse("health"), HTTP_X_REQUEST_ID="not sane\r\n")
    assert made_up["X-Request-ID"] != "not sane\r\n"
    assert len(made_up["X-Request-ID"]) == 32
    assert request_id_var.get() is None


def test_publishing_puts_the_current_request_id_on_the_message():
    headers: dict = {}
    _request_id_send(headers=headers)
    assert headers == {}
    token = request_id_var.set("req-42")
    try:
        _request_id_send(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {REQUEST_ID_HEADER: "req-42"}


def test_a_task_queued_during_a_request_carries_its_id_on_the_broker():
    """Published for real to Redis, on a queue no worker reads, then read back."""
    queue = f"test-request-id-{uuid.uuid4().hex}"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    token = request_id_var.set("req-broker-1")
    try:
        match_request.apply_async(args=[0], queue=queue)
        message = json.loads(broker.lpop(queue))
    finally:
        request_id_var.reset(token)
        broker.delete(queue)
    assert message["headers"][REQUEST_ID_HEADER] == "req-broker-1"
    assert message["headers"]["task"] == "staffing.tasks.match_request"


def test_a_task_logs_with_the_request_id_it_was_queued_with(caplog):
    caplog.handler.addFilter(ContextFilter())
    with caplog.at_level(logging.INFO, logger="tests.task"):
        result = current_request_id.apply(headers={REQUEST_ID_HEADER: "req-from-web"})
    request_id, task = result.get()
    assert request_id == "req-from-web"
    assert task == ("tests.current_request_id", result.id)
    record = next(r for r in caplog.records if r.name == "tests.task")
    assert record.request_id == "req-from-web"
    assert record.task_id == result.id
    # Afterwards the caller's context is as it was.
    assert request_id_var.get() is None
    assert task_var.get() is None
