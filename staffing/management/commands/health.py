"""`manage.py health`: the System page's checks as text, one line each; exits 1 when any fails,
for cron or a monitoring system."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from staffing.services.health import system_status


class Command(BaseCommand):
    help = (
        "Check the database, Redis, workers, beat, matching, emails and tasks; exit 1 on a problem."
    )

    def handle(self, *args: object, **options: object) -> None:
        status = system_status()
        width = max(len(code) for code in status.checks)
        for check in status.checks.values():
            state = "OK  " if check.ok else "FAIL"
            line = f"{state} {check.code.ljust(width)}  {check.summary}"
            self.stdout.write(self.style.SUCCESS(line) if check.ok else self.style.ERROR(line))
        if not status.ok:
            sys.exit(1)
