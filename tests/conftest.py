from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.utils import translation

# Playwright's sync API runs an event loop in the test thread; Django's live_server is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _pool_forgotten_after_flush(request):
    """After a test whose data is emptied with TRUNCATE (transactional, live server), this
    process's pool forgets everyone: the catch-up reads changes, and a truncated table is none,
    so the next test would otherwise rank the people the last one left behind."""
    yield
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        from staffing.services.bench import bench_eligibility_forget
        from staffing.services.pool import pool_keeper

        keeper = pool_keeper()
        with keeper.lock:
            keeper.pool = None
        bench_eligibility_forget()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """The handful of values tests override: a fast hasher, locmem email, private media.

    Every test also starts in the site's default language, whatever the previous test activated,
    so that no test depends on the order the suite runs in.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    # Ids restart with each test database, so a count cached by an earlier run could answer.
    settings.FILL_ESTIMATE_CACHE_SECONDS = 0
    settings.COVERAGE_GAPS_CACHE_SECONDS = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def queued_tasks(monkeypatch) -> list[tuple[str, tuple]]:
    """(task name, args) of every task published by name; the broker is not involved."""
    from staffing.base.outages import broker_breaker
    from staffing.celery import app

    broker_breaker.reset()
    queued: list[tuple[str, tuple]] = []
    monkeypatch.setattr(
        app, "send_task", lambda name, args=(), **kw: queued.append((name, tuple(args)))
    )
    return queued


def run_queued(queued: list[tuple[str, tuple]]) -> int:
    """Run the recorded tasks in this process as a worker would, including any they queue in
    turn; returns how many ran."""
    from staffing.celery import app

    app.loader.import_default_modules()  # the tasks modules, as a worker imports them
    ran = 0
    while queued:
        name, args = queued.pop(0)
        app.tasks[name](*args)
        ran += 1
    return ran


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish fails as it does with Redis refusing connections."""
    from kombu.exceptions import OperationalError

    from staffing.base.outages import broker_breaker
    from staffing.celery import app

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    broker_breaker.reset()
    monkeypatch.setattr(app, "send_task", refuse)
    yield
    broker_breaker.reset()


def _database_url_for(name: str) -> str:
    """The configured DATABASE_URL pointing at database `name` (the test database)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup, django_db_blocker):
    """A real Celery worker process on the configured Redis and the test database, started once
    for the session (see `celery_worker_process`)."""
    from django.db import connection

    env = dict(os.environ)
    env["DATABASE_URL"] = _database_url_for(connection.settings_dict["NAME"])
    env["CONN_MAX_AGE"] = "0"
    env["WEBHOOK_ALLOW_PRIVATE_URLS"] = "true"  # the tests' webhook receivers are on loopback
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "staffing",
            "worker",
            "--pool",
            "solo",
            "-l",
            "warning",
            "-n",
            f"test-{os.getpid()}@{socket.gethostname()}",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        start_new_session=True,
    )
    from staffing.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5) or []
        if any(f"test-{os.getpid()}@" in name for reply in replies for name in reply):
            break
        if proc.poll() is not None:
            raise RuntimeError("The Celery worker exited while starting.")
    else:
        proc.kill()
        raise RuntimeError("The Celery worker did not answer a ping within 60 s.")
    yield proc
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def celery_worker_process(_celery_worker_session, transactional_db):
    """The session's worker process for one test; afterwards, wait until it is idle.

    The test database is emptied with TRUNCATE after each transactional test. A task the test
    set off (a bench refresh after a consent change, an email) that still runs then holds locks
    the TRUNCATE needs while waiting for others: PostgreSQL breaks the deadlock by failing the
    flush, and the next test finds the previous one's rows. Depending on `transactional_db`
    makes this teardown run before the flush.
    """
    yield _celery_worker_session
    worker_wait_idle(_celery_worker_session)


def worker_wait_idle(proc, timeout: float = 30.0) -> None:
    """Until the worker has twice answered with nothing reserved while the broker's queue was
    empty.

    A solo worker answers control messages only between tasks, so an answer means no task is
    running; a task enqueued by a running one is in the queue or reserved before it answers.
    A missing answer (busy, or late) proves nothing either way: ask again.
    """
    import redis
    from django.conf import settings

    from staffing.celery import app

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = app.conf.task_default_queue
    name = f"test-{os.getpid()}@{socket.gethostname()}"
    quiet = 0
    deadline = time.monotonic() + timeout
    while quiet < 2:
        if time.monotonic() > deadline:
            raise AssertionError(f"the Celery worker was still busy after {timeout} s")
        if proc.poll() is not None:
            return
        replies = app.control.inspect([name], timeout=1.0, limit=1).reserved() or {}
        if name not in replies:
            continue
        if replies[name] or broker.llen(queue):
            quiet = 0
            time.sleep(0.05)
        else:
            quiet += 1


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    """Poll `predicate` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (Playwright cannot download browsers here)."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


def browser_login(page, live_server, email: str, password: str) -> None:
    """Log in through allauth's pages; staff answer the second step with their TOTP code."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from tests.factories import totp_code

    # The device has chosen its language already (the browser's own, as the pages before login
    # read), so the login keeps it rather than switching to the account's (the factories' "fi").
    if not any(c["name"] == settings.LANGUAGE_COOKIE_NAME for c in page.context.cookies()):
        page.goto(f"{live_server.url}/accounts/login/")
        language = page.evaluate("document.documentElement.lang") or "en"
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    # The click only starts the POST: wait for the page it leads to, not the login page that is
    # still loaded (reading page.url at once raced the redirect and skipped the second step).
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/2fa/authenticate/" in page.url:
        for _attempt in range(2):
            page.fill("input[name=code]", totp_code())
            page.click("main button[type=submit]")
            try:
                page.wait_for_url(
                    lambda url: "/accounts/2fa/authenticate/" not in url, timeout=5000
                )
                return
            except PlaywrightTimeout:
                # allauth takes each code once per user: the same person signing in twice in one
                # 30-second step waits for the next code.
                time.sleep(30 - time.time() % 30 + 0.5)
        raise AssertionError("the second step did not accept the TOTP code")
