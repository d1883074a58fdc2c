"""Benchmark the recruiters' Candidates page search, and the candidate import.

    python manage.py bench_search --candidates 100000 --database staffing_searchbench_100000
    python manage.py bench_search --candidates 100000 --import-rows 10000

Runs in its own database (`--database`, default staffing_searchbench_<N>, on the configured
server), with a synthetic pool from the demo generator (kept between runs, rebuilt when its
size differs). It times `candidate_search_results` as the page uses it (the capped count and the
first page of 25) over many filter combinations, then the same searches through the web (the
Django test client, a logged-in recruiter, the whole view and template), and prints p50/p95.
With `--import-rows` it also imports a generated XLSX of that many people (upload, the
preview's check, the background task's run, all in this process) and removes them again.
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import psutil
import tablib
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from candidates.models import Candidate, CandidateImport, WorkExperience
from candidates.services.imports import (
    candidate_import_queue,
    candidate_import_run,
    candidate_import_upload,
    import_check,
)
from candidates.services.search import (
    SearchFilters,
    candidate_search_count,
    candidate_search_results,
)
from candidates.views.imports import PREVIEW_POOL_ROWS
from staffing.base.models import AuditEvent, OutboundEmail
from staffing.demo.candidates import generate_candidates
from staffing.models import User

PAGE = 25
TEXTS = ["", "kassa", "Virtanen", "virtnen", "asiakaspalvelu", "Anna", "040", "myyjä", "svenska"]
FILTERS: list[dict[str, str]] = [
    {},
    {"role": "retail"},
    {"role": "office", "status": "active"},
    {"language": "sv", "language_level": "5"},
    {"language": "sv", "language_level": "5", "part": "2", "postal_code": "00100", "km": "15"},
    {"language": "en", "language_level": "4", "skill": "till", "skill_level": "2"},
    {"postal_code": "00100", "km": "15", "sort": "distance"},
    {"postal_code": "33100", "km": "30", "fresh": "1"},
    {"date": "2026-12-12", "part": "2"},
    {"assessed": "yes", "consent": "yes"},
    {"assessed": "no", "sort": "last_active"},
    {"consent": "no", "status": "inactive"},
    {"skill": "complaint-handling", "skill_level": "3", "role": "retail"},
    {"sort": "name"},
]


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ordered[-1], 1),
    }


class Command(BaseCommand):
    help = "Time the Candidates page search (service and web) and the candidate import."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--candidates", type=int, default=100_000)
        parser.add_argument("--database", default="", help="default: staffing_searchbench_<N>")
        parser.add_argument("--rounds", type=int, default=2, help="times each search is timed")
        parser.add_argument("--import-rows", type=int, default=0)
        parser.add_argument("--no-search", action="store_true", help="time the import only")
        parser.add_argument("--json", dest="json_path", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        self._use_database(opts["database"] or f"staffing_searchbench_{opts['candidates']}")
        self._ensure_pool(opts["candidates"])
        results: dict[str, Any] = {"candidates": Candidate.objects.count()}
        combos = [
            {"q": text, **filters} if text else dict(filters)
            for text, filters in itertools.product(TEXTS, FILTERS)
        ]
        results["combinations"] = len(combos)
        if opts["no_search"]:
            combos = []
        service = self._time(combos, opts["rounds"], self._service_search)
        results["service"] = _percentiles([ms for _c, ms in service])
        results["service_slowest"] = sorted(service, key=lambda s: -s[1])[:5]
        self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
        if combos:
            results["service_cpu"] = self._cpu(combos)
            self.stdout.write(json.dumps(results["service_cpu"]))
        web = self._time(combos, 1, self._web_search())
        results["web"] = _percentiles([ms for _c, ms in web])
        results["web_slowest"] = sorted(web, key=lambda s: -s[1])[:5]
        if opts["import_rows"]:
            results["import"] = self._import(opts["import_rows"])
        self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
        if opts["json_path"]:
            with open(opts["json_path"], "w", encoding="utf-8") as fh:
                json.dump(results, fh, indent=2, ensure_ascii=False)

    # --- database and data ----------------------------------------------------------------
    def _use_database(self, name: str) -> None:
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        for alias in connections:
            connections[alias].close()
        settings.DATABASES["default"]["NAME"] = name
        connections["default"].settings_dict["NAME"] = name
        call_command("migrate", verbosity=0, interactive=False)

    def _ensure_pool(self, count: int) -> None:
        if Candidate.objects.count() == count:
            self.stdout.write(f"Reusing the pool of {count:,} candidates.")
            return
        self.stdout.write(f"Writing {count:,} synthetic candidates…")
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE candidates_candidate CASCADE")
        generate_candidates(
            count=count, seed=1, progress=lambda n: self.stdout.write(f"  {n:,}", ending="\r")
        )
        self.stdout.write("")
        self._add_experience()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _add_experience(self) -> None:
        """A past job for a third of the pool, so that experience is searched as in life."""
        rng = random.Random(5)
        jobs = [
            ("K-Market Kamppi", "Kassatyöntekijä", "Kassatyö ja asiakaspalvelu"),
            ("Elisa", "Asiakaspalvelija", "Puhelinasiakaspalvelu, reklamaatiot"),
            ("Stockmann", "Myyjä", "Myynti ja kassatyö"),
            ("Telia", "Kundtjänst", "Kundtjänst på svenska och finska"),
        ]
        ids = list(Candidate.objects.values_list("pk", flat=True))
        rows = []
        for pk in rng.sample(ids, k=len(ids) // 3):
            employer, title, description = rng.choice(jobs)
            rows.append(
                WorkExperience(
                    candidate_id=pk,
                    employer=employer,
                    title=title,
                    description=description,
                    started="2022-01-01",
                )
            )
        WorkExperience.objects.bulk_create(rows, batch_size=5000)

    # --- timing ---------------------------------------------------------------------------
    def _time(
        self, combos: list[dict[str, str]], rounds: int, search: Callable[[dict[str, str]], Any]
    ) -> list[tuple[str, float]]:
        for params in combos[:5]:  # warm the caches and the connection
            search(params)
        samples = []
        for _round in range(rounds):
            for params in combos:
                start = time.perf_counter()
                search(params)
                samples.append((json.dumps(params, ensure_ascii=False), _ms(start)))
        return samples

    def _cpu(self, combos: list[dict[str, str]]) -> dict[str, Any]:
        """CPU time per search, this process's plus its PostgreSQL backend's, with parallel
        query off (one backend does all the work): what a search costs whatever else the
        machine runs. On a shared, loaded machine the wall-clock figures above are several
        times this; on an idle one they are about this (or less, with parallel workers)."""
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            cursor.execute("SELECT pg_backend_pid()")
            backend = psutil.Process(cursor.fetchone()[0])
        samples = []
        for params in combos:
            process, server = time.process_time(), sum(backend.cpu_times()[:2])
            self._service_search(params)
            used = time.process_time() - process + sum(backend.cpu_times()[:2]) - server
            samples.append((json.dumps(params, ensure_ascii=False), round(used * 1000, 1)))
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")
        out: dict[str, Any] = _percentiles([ms for _c, ms in samples])
        out["slowest"] = sorted(samples, key=lambda s: -s[1])[:5]
        return out

    def _service_search(self, params: dict[str, str]) -> None:
        """What the page does with the service: the (capped) count and the first page."""
        results = candidate_search_results(SearchFilters.from_params(params))
        if candidate_search_count(results.people):
            results[:PAGE]

    def _web_search(self) -> Callable[[dict[str, str]], None]:
        # The page as served, without a collectstatic run: static files by their plain names.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        recruiter, _created = User.objects.get_or_create(
            email="bench-recruiter@example.fi", defaults={"role": User.Role.RECRUITER}
        )
        if not Authenticator.objects.filter(user=recruiter).exists():
            TOTP.activate(recruiter, generate_totp_secret())  # staff pages need a second factor
        client = Client()
        client.force_login(recruiter)
        url = reverse("recruiter_candidates")

        def search(params: dict[str, str]) -> None:
            response = client.get(url, params)
            assert response.status_code == 200, (response.status_code, response.get("Location"))

        return search

    # --- import -----------------------------------------------------------------------------
    def _import(self, rows: int) -> dict[str, Any]:
        recruiter = User.objects.get(email="bench-recruiter@example.fi")
        rng = random.Random(9)
        data = tablib.Dataset(
            headers=["Etunimi", "Sukunimi", "Sähköposti", "Puhelin", "Postinumero"]
        )
        for n in range(rows):
            data.append(
                [
                    rng.choice(["Aino", "Eero", "Liisa", "Mikko", "Sanna", "Juha"]),
                    rng.choice(["Laine", "Salo", "Koski", "Virta", "Niemi"]) + f"{n}",
                    f"bench.import.{n}@example.org",
                    f"040{rng.randint(1_000_000, 9_999_999)}",
                    rng.choice(["00100", "00180", "02100", "33100", "20100"]),
                ]
            )
        content = data.export("xlsx")
        out: dict[str, Any] = {"rows": rows, "file_kb": len(content) // 1024}
        start = time.perf_counter()
        batch = candidate_import_upload(by=recruiter, name="bench.xlsx", content=content)
        out["upload_read_ms"] = _ms(start)
        start = time.perf_counter()
        check = import_check(rows=batch.rows, mapping=batch.mapping, pool_rows=PREVIEW_POOL_ROWS)
        out["preview_check_ms"] = _ms(start)  # as the page does it
        start = time.perf_counter()
        check = import_check(rows=batch.rows, mapping=batch.mapping)
        out["check_all_rows_against_pool_ms"] = _ms(start)
        out["problems"] = len(check.problems)
        with transaction.atomic():
            candidate_import_queue(
                batch=batch,
                by=recruiter,
                mapping=batch.mapping,
                skip_invalid=True,
                invite=True,
                language="fi",
                base_url="http://bench.invalid",
            )
        start = time.perf_counter()
        done = candidate_import_run(import_id=batch.pk)
        out["import_run_ms"] = _ms(start)
        assert done is not None
        out["status"] = done.status
        out["created"] = done.created_count
        self._import_remove(batch)
        return out

    def _import_remove(self, batch: CandidateImport) -> None:
        """Take the imported people out again, so the pool keeps its size between runs."""
        ids = list(batch.candidates.values_list("pk", flat=True))
        with transaction.atomic():
            AuditEvent.objects.filter(candidate_id__in=ids).delete()
            OutboundEmail.objects.filter(to__startswith="bench.import.").delete()
            Candidate.objects.filter(pk__in=ids).delete()
            batch.delete()


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
