"""`manage.py seed_demo`: the demo world, created once and completed on later runs."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from candidates.models import Assessment, Candidate, CandidateLanguage, CandidateSkill
from clients.models import ClientCompany, ServiceProfile, Site
from staffing.base.queueing import task_enqueue
from staffing.demo.places import demo_offer_details_fill
from staffing.demo.seed import DEFAULT_CANDIDATES, DEMO_PASSWORD, seed_demo
from staffing.models import StaffingRequest, User

DEMO_LOGINS = [
    ("recruiter", "rekry@demo.fi"),
    ("second recruiter", "rekry2@demo.fi"),
    ("client manager (retail chain)", "esimies@demo.fi"),
    ("client manager (contact centre)", "asiakaspalvelu@demo.fi"),
    ("client manager (in Swedish)", "butik@demo.fi"),
    ("candidate", "ehdokas@demo.fi"),
    ("more candidates", "ehdokas2@demo.fi … ehdokas6@demo.fi"),
    ("candidate (in Swedish)", "kandidat@demo.fi"),
    ("admin", "admin@demo.fi"),
]


class Command(BaseCommand):
    """Loads the demo world, then asks the worker to build every bench right away."""

    help = "Load demo clients, logins, candidates and requests; running it again adds nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--candidates",
            type=int,
            default=DEFAULT_CANDIDATES,
            help="size of the generated candidate pool (topped up, never shrunk)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed for the pool")

    def handle(self, *args: object, candidates: int, seed: int, **options: object) -> None:
        summary = seed_demo(candidates=candidates, seed=seed)
        # What offers tell people about the work (pay, contact, instructions).
        summary.created["offer details"] = demo_offer_details_fill()
        if any(summary.created.values()):
            # Fresh statistics for the planner: with autovacuum off or behind, a table that just
            # grew by 100,000 rows was planned as if empty (full scans in the entry queries).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self._queue_benches()
        made = ", ".join(f"{n} {kind}" for kind, n in summary.created.items() if n) or "nothing"
        self.stdout.write(f"Created {made}.")
        if summary.generated_candidates:
            rate = summary.generated_candidates / max(summary.seconds_generating, 1e-6)
            self.stdout.write(
                f"Generated {summary.generated_candidates:,} candidates in "
                f"{summary.seconds_generating:.1f} s ({rate:,.0f}/s)."
            )
        totals = {
            "client companies": ClientCompany.objects.count(),
            "sites": Site.objects.count(),
            "service profiles": ServiceProfile.objects.count(),
            "candidates": Candidate.objects.count(),
            "language skills": CandidateLanguage.objects.count(),
            "skills": CandidateSkill.objects.count(),
            "assessments": Assessment.objects.count(),
            "staffing requests": StaffingRequest.objects.count(),
            "users": User.objects.count(),
        }
        self.stdout.write("In the database: " + ", ".join(f"{n:,} {k}" for k, n in totals.items()))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for role, email in DEMO_LOGINS:
            self.stdout.write(f"  {role:<32} {email}")

    def _queue_benches(self) -> None:
        """Benches are otherwise rebuilt nightly; a fresh demo should show them at once."""
        if task_enqueue("staffing.tasks.refresh_all_benches"):
            self.stdout.write("Queued a rebuild of every bench for the worker.")
        else:  # the bench sweep builds every bench that does not exist yet
            self.stderr.write("Could not queue the bench rebuild; the bench sweep will do it.")
