"""`manage.py bench_system`: the whole system measured as its users load it.

It starts gunicorn with DEBUG off and the Celery workers exactly as `make run` starts them
(`staffing.embedded.worker_commands`: one per queue, each loading its pool before consuming),
on queues of their own (a `CELERY_QUEUE` prefix of this run), against a database on the
configured server. Then simulated users with logged-in sessions (recruiters, client managers,
candidates; one thread each, a think time between actions) read and write the main pages for a
fixed time, while urgent requests come in through the order form one at a time and once in a
burst from ten clients at once, and candidates save their availability. It reports:

- request committed -> shortlist stored, p50 / p95, from the database's own timestamps (the
  request row's `created_at`, the shortlist's `created_at`), for the single requests under load
  and for the burst's; the burst's time from its first order sent to its last shortlist stored;
- each page's p50 / p95 as the users waited for it (a write until its redirect, not following
  it), errors (any answer >= 400, or none), and the queue lengths when the load stopped.

Sessions are created on the server (`force_login`), so nobody types a TOTP code; a recruiter
without a second factor gets one (a random secret) in the benchmark's database, since the
pages refuse staff without it. Run it on a copy of the demo data, not on a database in use:

    createdb -T bench100k mybench   # or seed one: manage.py seed_demo --candidates 100000
    python manage.py bench_system --database mybench --seconds 60 --port 8108
"""

from __future__ import annotations

import contextlib
import html.parser
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil
import redis
import requests
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.test import Client

from candidates.models import Candidate
from staffing.celery import app
from staffing.embedded import worker_commands
from staffing.models import StaffingRequest, User

BASE_DIR = Path(settings.BASE_DIR)
THINK_SECONDS = (0.5, 1.5)  # a user's pause between two actions
BURST_CLIENTS = 10


class _Forms(html.parser.HTMLParser):
    """Every POST form of a page: its action and the named fields with the values a browser
    would send as it is (as scripts/fault_drill.py reads the order form)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._first: str | None = None
        self._chosen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "").lower() == "post":
                self._fields = {}
                self.forms.append((a.get("action", ""), self._fields))
            return
        fields, name = self._fields, a.get("name")
        if fields is None or not name:
            if tag == "option" and self._select and fields is not None:
                self._option(fields, a)
            return
        if tag == "input":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") != "submit":
                fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea":
            fields.setdefault(name, []).append("")
        elif tag == "select":
            self._select, self._first, self._chosen = name, None, False

    def _option(self, fields: dict[str, list[str]], a: dict[str, str]) -> None:
        assert self._select is not None
        value = a.get("value", "")
        if self._first is None and value:
            self._first = value
        if "selected" in a:
            fields[self._select] = [value]
            self._chosen = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select and self._fields is not None:
            if not self._chosen and self._first is not None:
                self._fields[self._select] = [self._first]
            self._select = None
        elif tag == "form":
            self._fields = None

    def form_for(self, path: str) -> dict[str, list[str]] | None:
        """The fields of the form that posts to `path` (or to the page itself)."""
        for action, fields in self.forms:
            if action in ("", path) or action.endswith(path):
                return fields
        return None


class Recorder:
    """Every answer's (page, status, seconds), from all threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: list[tuple[str, int, float]] = []
        self.failures: list[str] = []

    def add(self, page: str, status: int, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.answers.append((page, status, seconds))
            if status == 0 or status >= 400:
                self.failures.append(f"{page}: {status} {detail}"[:200])


class User_:
    """One simulated user: a logged-in session on the server."""

    def __init__(self, base: str, user: User, session_key: str, recorder: Recorder) -> None:
        self.base = base
        self.user = user
        self.http = requests.Session()
        self.http.cookies.set(settings.SESSION_COOKIE_NAME, session_key)
        self.recorder = recorder

    def get(self, page: str, path: str) -> str:
        started = time.perf_counter()
        try:
            response = self.http.get(self.base + path, timeout=30, allow_redirects=False)
        except requests.RequestException as error:
            self.recorder.add(page, 0, time.perf_counter() - started, str(error))
            return ""
        self.recorder.add(page, response.status_code, time.perf_counter() - started, path)
        return response.text if response.status_code == 200 else ""

    def form(self, page: str, path: str) -> dict[str, list[str]] | None:
        """The fields of the page's form posting to `path`, as the server filled them."""
        body = self.get(f"{page} (form)", path)
        if not body:  # the page itself failed (counted)
            return None
        parser = _Forms()
        parser.feed(body)
        fields = parser.form_for(path)
        if fields is None:
            self.recorder.add(page, 0, 0.0, f"no form posting to {path}")
        return fields

    def post(self, page: str, path: str, fields: dict[str, list[str]]) -> str:
        """Send a form; the redirect's target, or "" when it did not redirect."""
        started = time.perf_counter()
        try:
            response = self.http.post(
                self.base + path,
                data=fields,
                headers={"Referer": self.base + path},
                timeout=30,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            self.recorder.add(page, 0, time.perf_counter() - started, str(error))
            return ""
        status = response.status_code
        seconds = time.perf_counter() - started
        if status == 200:  # the form again, with its errors: nothing was saved
            self.recorder.add(page, 422, seconds, f"{path} answered its form again")
        else:
            self.recorder.add(page, status, seconds, path)
        return response.headers.get("Location", "")

    def post_form(self, page: str, path: str, change: Callable[[dict], None] | None = None) -> str:
        """The page's form as the server filled it, changed by `change`, sent."""
        fields = self.form(page, path)
        if fields is None:
            return ""
        if change:
            change(fields)
        return self.post(page, path, fields)


class Command(BaseCommand):
    help = "Benchmark the whole system: gunicorn, the real workers, simulated users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="", help="database on the configured server")
        parser.add_argument("--seconds", type=float, default=60.0, help="how long the load runs")
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--burst", type=int, default=100, help="requests in the burst")
        parser.add_argument(
            "--every", type=float, default=2.0, help="seconds between single requests"
        )
        parser.add_argument("--port", type=int, default=8108)
        parser.add_argument("--web-workers", type=int, default=3)
        parser.add_argument("--web-threads", type=int, default=4)
        parser.add_argument("--json", dest="json_path", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        if opts["database"]:
            self._use_database(opts["database"])
        self.prefix = f"bench-system-{os.getpid()}"
        self.rng = random.Random(18)
        self._recent: dict[int | None, list[int]] = {}
        self._no_backlog()
        people = self._people()
        env = self._environment()
        base = f"http://127.0.0.1:{opts['port']}"
        recorder = Recorder()
        with self._system(env, opts) as processes:
            started_at = self._db_now()
            own, postgres = _own_cpu(), _PostgresCpu()
            self._cpu_readers = (processes, postgres)
            with postgres:
                results = self._load(base, people, recorder, opts)
            results["load_cpu_s"] = {
                "benchmark": round(_own_cpu() - own, 2),
                "postgresql": round(postgres.seconds, 2),
            }
            results["queues_after_run"] = self._queue_lengths()
            results["waited_for_stored_s"] = self._wait_stored(
                results.pop("_single_ids") + results["_burst_ids"], timeout=120
            )
            results["worker_cpu_s"] = {name: _cpu(p) for name, p in processes.items()}
        results.update(self._stored_times(results.pop("_singles"), results.pop("_burst_ids")))
        results["pages"] = _pages(recorder.answers)
        results["answers"] = len(recorder.answers)
        results["errors"] = len(recorder.failures)
        results["error_examples"] = recorder.failures[:10]
        results["started_at"] = started_at.isoformat()
        results["load_average"] = os.getloadavg()
        results["candidates"] = self._pool_size()
        self._report(results)
        if opts["json_path"]:
            Path(opts["json_path"]).write_text(json.dumps(results, indent=2, default=str) + "\n")

    # --- the system under test --------------------------------------------------------------
    def _use_database(self, name: str) -> None:
        for alias in connections:
            connections[alias].close()
        settings.DATABASES["default"]["NAME"] = name
        connections["default"].settings_dict["NAME"] = name
        try:
            connection.ensure_connection()
        except Exception as error:
            raise CommandError(f"Cannot use database {name}: {error}") from error

    def _environment(self) -> dict[str, str]:
        db = settings.DATABASES["default"]
        parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://127.0.0.1/x"))
        database_url = urlunsplit(parts._replace(path="/" + db["NAME"]))
        self.snapshots = tempfile.mkdtemp(prefix="bench-system-")
        return {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECURE_COOKIES": "false",  # plain http on this machine
            "CELERY_QUEUE": self.prefix,
            "POOL_SNAPSHOT_DIR": self.snapshots,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(BASE_DIR), os.environ.get("PYTHONPATH")])
            ),
        }

    @contextlib.contextmanager
    def _system(self, env: dict[str, str], opts: dict[str, Any]) -> Iterator[dict[str, Any]]:
        python = sys.executable
        # DEBUG off serves static files from the collected, hashed copies, as in production.
        subprocess.run(
            [python, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
        commands = [
            (
                "web",
                [
                    python, "-m", "gunicorn", "staffing.wsgi:application",
                    "-b", f"127.0.0.1:{opts['port']}", "-k", "gthread",
                    "-w", str(opts["web_workers"]), "--threads", str(opts["web_threads"]),
                    # Browsers keep connections open; gunicorn's 2 s default closed them
                    # under the users' think time, and a request sent as it closed was reset.
                    "--keep-alive", "30", "--log-level", "warning",
                ],
            ),
            *worker_commands(python, self.prefix, log_level="warning"),
        ]  # fmt: skip
        processes: dict[str, subprocess.Popen] = {}
        try:
            for name, command in commands:
                processes[name] = subprocess.Popen(
                    command, cwd=BASE_DIR, env=env, start_new_session=True
                )
            self._wait_ready(opts["port"], processes)
            yield {name: psutil.Process(p.pid) for name, p in processes.items()}
        finally:
            for proc in processes.values():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc in processes.values():
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)

    def _wait_ready(self, port: int, processes: dict[str, subprocess.Popen]) -> None:
        deadline = time.monotonic() + 180
        web = workers = False
        while time.monotonic() < deadline and not (web and workers):
            for name, proc in processes.items():
                if proc.poll() is not None:
                    raise CommandError(f"{name} exited while starting ({proc.returncode})")
            if not web:
                with contextlib.suppress(requests.RequestException):
                    web = requests.get(f"http://127.0.0.1:{port}/health/", timeout=2).ok
            if not workers:
                replies = app.control.ping(timeout=0.5) or []
                names = {n for reply in replies for n in reply if f"-{self.prefix}@" in n}
                workers = len(names) >= 3
            time.sleep(0.2)
        if not (web and workers):
            raise CommandError("The web server or the workers did not start within 180 s.")
        self.stdout.write("Web server and workers ready.")

    @staticmethod
    def _no_backlog() -> None:
        """Refuse a database with requests waiting for a shortlist: the workers take the oldest
        waiting first, so the run would measure that backlog, not its own requests."""
        waiting = StaffingRequest.objects.filter(status=StaffingRequest.Status.RECEIVED).count()
        if waiting:
            raise CommandError(
                f"{waiting} requests in this database are waiting for a shortlist; the workers "
                "would match them during the run. Let the system's workers match them first "
                "(or use a fresh copy of the data)."
            )

    # --- people and sessions ------------------------------------------------------------------
    def _people(self) -> dict[str, list[User]]:
        active = User.objects.filter(is_active=True).order_by("pk")
        people = {
            "recruiter": list(active.filter(role=User.Role.RECRUITER)),
            "client": list(active.filter(role=User.Role.CLIENT_MANAGER)),
            "candidate": list(active.filter(role=User.Role.CANDIDATE, candidate__isnull=False)),
        }
        if not all(people.values()):
            raise CommandError("The database needs recruiters, client managers and candidates.")
        for recruiter in people["recruiter"]:
            if not Authenticator.objects.filter(user=recruiter).exists():
                TOTP.activate(recruiter, secrets.token_hex(10))
        return people

    @staticmethod
    def _session(user: User) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    # --- the load -----------------------------------------------------------------------------
    def _load(
        self, base: str, people: dict[str, list[User]], recorder: Recorder, opts: dict[str, Any]
    ) -> dict[str, Any]:
        users = opts["users"]
        roles = ["recruiter", "client", "candidate"]
        shares = [max(1, users * 5 // 20), max(1, users * 7 // 20)]
        plan = [roles[0]] * shares[0] + [roles[1]] * shares[1]
        plan += [roles[2]] * max(1, users - len(plan))
        stop = threading.Event()
        singles: list[tuple[int, float]] = []
        threads = []
        for i, role in enumerate(plan):
            user = people[role][i % len(people[role])]
            sim = User_(base, user, self._session(user), recorder)
            rng = random.Random(i)
            target = getattr(self, f"_act_{role}")
            threads.append(threading.Thread(target=self._loop, args=(target, sim, rng, stop)))
        orderer = User_(base, people["client"][0], self._session(people["client"][0]), recorder)
        threads.append(
            threading.Thread(target=self._singles, args=(orderer, opts["every"], stop, singles))
        )
        burst_clients = [people["client"][i % len(people["client"])] for i in range(BURST_CLIENTS)]
        burst_users = [User_(base, u, self._session(u), recorder) for u in burst_clients]
        self.stdout.write(f"{len(plan)} users for {opts['seconds']:.0f} s …")
        for thread in threads:
            thread.start()
        time.sleep(opts["seconds"] / 2)
        burst_ids, burst_started = self._burst(burst_users, opts["burst"])
        burst_s = self._wait_stored(burst_ids, timeout=60, since=burst_started)
        burst_cpu = self._cpu_split(self._burst_cpu_before)
        time.sleep(max(0.0, opts["seconds"] / 2 - (time.perf_counter() - burst_started)))
        stop.set()
        for thread in threads:
            thread.join(60)
        return {
            "users": len(plan),
            "seconds": opts["seconds"],
            "burst_size": len(burst_ids),
            "burst_all_stored_s": burst_s,
            "burst_all_submitted_s": self.burst_submitted_s,
            "burst_cpu_s": burst_cpu,
            "_singles": singles,
            "_single_ids": [pk for pk, _ in singles],
            "_burst_ids": burst_ids,
        }

    @staticmethod
    def _loop(act: Callable, sim: User_, rng: random.Random, stop: threading.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(Exception):
                act(sim, rng)
            stop.wait(rng.uniform(*THINK_SECONDS))

    def _act_recruiter(self, sim: User_, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.4:
            sim.get("recruiter board", "/agency/requests/")
        elif roll < 0.85:
            pk = self._recent_request(rng)
            if pk:
                sim.get("recruiter request page", f"/agency/requests/{pk}/")
        else:
            sim.get("bench coverage", "/agency/bench/")

    def _act_client(self, sim: User_, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.5:
            sim.get("client request list", "/client/requests/")
        elif roll < 0.8:
            sim.get("client order form", "/client/requests/new/")
        else:
            pk = self._recent_request(rng, sim.user)
            if pk:
                sim.get("client request page", f"/client/requests/{pk}/")

    def _act_candidate(self, sim: User_, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.5:
            sim.get("candidate home", "/me/")
        else:

            def toggle(fields: dict) -> None:  # one day-part on or off, as a person would
                cell = f"cell_{rng.randrange(7)}_{rng.randrange(3)}"
                if fields.pop(cell, None) is None:
                    fields[cell] = ["on"]

            sim.post_form("candidate availability save", "/me/availability/", toggle)

    def _recent_request(self, rng: random.Random, by: User | None = None) -> int | None:
        """A recent request with a shortlist (one `by` submitted: a client sees only theirs)."""
        key = by.pk if by else None
        recent = self._recent.get(key)
        if not recent or rng.random() < 0.05:
            with contextlib.suppress(Exception):
                requests_ = StaffingRequest.objects.exclude(status=StaffingRequest.Status.RECEIVED)
                if by is not None:
                    requests_ = requests_.filter(submitted_by=by)
                self._recent[key] = recent = list(
                    requests_.order_by("-pk").values_list("pk", flat=True)[:30]
                )
                connection.close()  # threads must not keep connections open
        return rng.choice(recent) if recent else None

    ORDER_PATH = "/client/requests/new/"

    def _order(self, sim: User_, fields: dict[str, list[str]] | None = None) -> int | None:
        """One order through the form (`fields`: its form, fetched before)."""
        if fields is None:
            location = sim.post_form("client order submit", self.ORDER_PATH)
        else:
            location = sim.post("client order submit", self.ORDER_PATH, fields)
        parts = [p for p in location.rstrip("/").split("/") if p.isdigit()]
        return int(parts[-1]) if parts else None

    def _singles(
        self, sim: User_, every: float, stop: threading.Event, out: list[tuple[int, float]]
    ) -> None:
        while not stop.is_set():
            sent = time.perf_counter()
            pk = self._order(sim)
            if pk:
                out.append((pk, sent))
            stop.wait(max(0.0, every - (time.perf_counter() - sent)))

    def _burst(self, sims: list[User_], count: int) -> tuple[list[int], float]:
        """`count` orders sent at once from the clients' browsers: each fetched its forms
        first (every form carries a one-time key), then all are sent together; returns their
        ids and when the first was sent."""
        ids: list[int] = []
        lock = threading.Lock()
        per_client = [count // len(sims) + (i < count % len(sims)) for i in range(len(sims))]
        forms = [
            [f for f in (sim.form("client order submit", self.ORDER_PATH) for _ in range(n)) if f]
            for sim, n in zip(sims, per_client, strict=True)
        ]
        go = threading.Barrier(len(sims) + 1)

        def client(sim: User_, mine: list[dict[str, list[str]]]) -> None:
            go.wait()
            for fields in mine:
                pk = self._order(sim, fields)
                if pk:
                    with lock:
                        ids.append(pk)

        threads = [
            threading.Thread(target=client, args=(sim, mine))
            for sim, mine in zip(sims, forms, strict=True)
        ]
        for thread in threads:
            thread.start()
        self._burst_cpu_before = self._cpu_split()
        go.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join(120)
        self.burst_submitted_s = round(time.perf_counter() - started, 3)
        return ids, started

    def _cpu_split(self, before: dict[str, float] | None = None) -> dict[str, float]:
        """CPU seconds of each part of the system (and the machine's idle time), since `before`:
        tells whether a stretch of the run was bound by the CPU or waited on something."""
        processes, postgres = self._cpu_readers
        postgres.read_now()
        machine = psutil.cpu_times()
        now = {name: _cpu(p) for name, p in processes.items()}
        now |= {"postgresql": postgres.seconds, "users": _own_cpu(), "idle": machine.idle}
        if before is None:
            return now
        return {name: round(value - before.get(name, 0.0), 2) for name, value in now.items()}

    # --- results ------------------------------------------------------------------------------
    def _wait_stored(self, ids: list[int], *, timeout: float, since: float | None = None) -> float:
        """Seconds (from `since`, else from now) until every request of `ids` left RECEIVED."""
        started = since if since is not None else time.perf_counter()
        deadline = time.perf_counter() + timeout
        waiting = set(ids)
        while waiting and time.perf_counter() < deadline:
            waiting -= set(
                StaffingRequest.objects.filter(pk__in=list(waiting))
                .exclude(status=StaffingRequest.Status.RECEIVED)
                .values_list("pk", flat=True)
            )
            if waiting:
                time.sleep(0.02)
        connection.close()
        if waiting:
            self.stderr.write(f"{len(waiting)} requests still without a shortlist")
        return round(time.perf_counter() - started, 3)

    def _stored_times(self, singles: list[tuple[int, float]], burst: list[int]) -> dict[str, Any]:
        def delays(ids: list[int]) -> list[float]:
            with connection.cursor() as cursor:
                cursor.execute(
                    """SELECT EXTRACT(EPOCH FROM s.created_at - r.created_at) * 1000
                       FROM staffing_staffingrequest r
                       JOIN staffing_shortlist s ON s.request_id = r.id
                       WHERE r.id = ANY(%s)""",
                    [ids],
                )
                return [float(row[0]) for row in cursor.fetchall()]

        single, together = delays([pk for pk, _ in singles]), delays(burst)
        return {
            "singles": len(singles),
            "singles_stored": len(single),
            "committed_to_stored_p50_ms": _round(_percentile(single, 50)),
            "committed_to_stored_p95_ms": _round(_percentile(single, 95)),
            "burst_committed_to_stored_p95_ms": _round(_percentile(together, 95)),
            "burst_stored": len(together),
        }

    def _queue_lengths(self) -> dict[str, int]:
        """Messages waiting in each of this run's queues (with kombu's priority sub-queues)."""
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        keys = ("", *(f"\x06\x16{step}" for step in (3, 6, 9)))
        return {
            q: sum(int(client.llen(f"{self.prefix}.{q}{key}")) for key in keys)
            for q in ("urgent", "offers", "background")
        }

    def _pool_size(self) -> int:
        return Candidate.objects.count()

    @staticmethod
    def _db_now() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            return cursor.fetchone()[0]

    def _report(self, r: dict[str, Any]) -> None:
        w = self.stdout.write
        w(f"candidates {r['candidates']:,}, users {r['users']}, {r['seconds']:.0f} s")
        w(f"load average when done: {r['load_average']}")
        w(
            "committed -> stored, single requests under load: "
            f"p50 {r['committed_to_stored_p50_ms']} ms, p95 {r['committed_to_stored_p95_ms']} ms "
            f"({r['singles_stored']} of {r['singles']})   target p95 <= 100"
        )
        w(
            f"burst of {r['burst_size']} through the web: all stored after "
            f"{r['burst_all_stored_s']} s, all submitted after {r['burst_all_submitted_s']} s"
            " (committed -> stored p95 "
            f"{r['burst_committed_to_stored_p95_ms']} ms)   target <= 1.5 s"
        )
        cpu = r["burst_cpu_s"]
        w(
            "CPU seconds during the burst (sent -> all stored): "
            + ", ".join(f"{name} {cpu[name]}" for name in sorted(cpu) if name != "idle")
            + f"; the machine idle {cpu['idle']} of {os.cpu_count()} x {r['burst_all_stored_s']}"
        )
        w(f"{'page':<36} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
        for name, row in sorted(r["pages"].items()):
            w(f"{name:<36} {row['n']:>5} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['errors']:>6}")
        w(f"answers {r['answers']}, errors {r['errors']} {r['error_examples'][:3]}")
        w(f"queues when the load stopped: {r['queues_after_run']}")
        w(f"CPU seconds of the processes: {r['worker_cpu_s']}")
        w(
            "CPU seconds during the load: the benchmark's simulated users "
            f"{r['load_cpu_s']['benchmark']}, PostgreSQL {r['load_cpu_s']['postgresql']}"
        )


def _cpu(process: Any) -> float:
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(Exception):
            t = p.cpu_times()
            total += t.user + t.system
    return round(total, 2)


def _own_cpu() -> float:
    """This process's CPU seconds (its threads: the simulated users), not its children's."""
    t = psutil.Process().cpu_times()
    return t.user + t.system


class _PostgresCpu(threading.Thread):
    """CPU seconds this machine's PostgreSQL processes spend while it runs, read every half
    second: a server process lives as long as its connection (the web's are replaced every
    CONN_MAX_AGE), so one reading at each end would miss those that exited in between."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seconds = 0.0
        self._seen: dict[int, float] = {}
        self._done = threading.Event()
        self._lock = threading.Lock()

    def __enter__(self) -> _PostgresCpu:
        self._read(count=False)
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self.join(5)
        self._read()

    def run(self) -> None:
        while not self._done.wait(0.5):
            self._read()

    def read_now(self) -> None:
        self._read()

    def _read(self, *, count: bool = True) -> None:
        with self._lock:
            self._read_locked(count)

    def _read_locked(self, count: bool) -> None:
        for p in psutil.process_iter(["name"]):
            if not (p.info["name"] or "").startswith("postgres"):
                continue
            with contextlib.suppress(Exception):
                t = p.cpu_times()
                now = t.user + t.system
                # A process first seen now started since the last reading: all of it counts.
                if count:
                    self.seconds += now - self._seen.get(p.pid, 0.0)
                self._seen[p.pid] = now


def _pages(answers: list[tuple[str, int, float]]) -> dict[str, dict[str, Any]]:
    by: dict[str, list[tuple[int, float]]] = {}
    for page, status, seconds in answers:
        by.setdefault(page, []).append((status, seconds))
    return {
        page: {
            "n": len(rows),
            "p50_ms": _round(_percentile([s * 1000 for _, s in rows], 50)),
            "p95_ms": _round(_percentile([s * 1000 for _, s in rows], 95)),
            "errors": sum(1 for status, _ in rows if status == 0 or status >= 400),
        }
        for page, rows in by.items()
    }


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
