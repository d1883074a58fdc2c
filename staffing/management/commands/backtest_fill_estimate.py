"""`manage.py backtest_fill_estimate`: how often the fill estimate's range held on history.

Each request of the last `--days` days (not cancelled) is estimated as it would have been when
it was submitted, from the requests before it only; then its actual time to fill is compared
with the range. A calibrated "9 of 10" range holds for about 90 % of the filled requests.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from staffing.models import StaffingRequest
from staffing.services.estimates import fill_backtest


class Command(BaseCommand):
    help = "Backtest the fill estimate on history and print its calibration."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=60, help="requests of this many days")

    def handle(self, *args: object, days: int, **options: object) -> None:
        since = timezone.now() - dt.timedelta(days=days)
        requests = StaffingRequest.objects.filter(created_at__gte=since).select_related(
            "service_profile"
        )
        result = fill_backtest(requests=requests)
        self.stdout.write(
            f"Requests: {result.requests:,} (submitted in the last {days} days, not cancelled)"
        )
        self.stdout.write(f"  too little history for a time: {result.no_estimate:,}")
        self.stdout.write(f"  estimated, never filled:        {result.unfilled:,}")
        self.stdout.write(f"  estimated and filled:           {result.scored:,}")
        if result.scored:
            self.stdout.write(
                f"    inside the range:  {result.inside:,} ({result.inside_share:.0%})\n"
                f"    faster than it:    {result.faster:,}\n"
                f"    slower than it:    {result.slower:,}\n"
                f"    median |actual - usual time| / usual: {result.median_error:.0%}"
            )
        if result.median_width is not None:
            hours = result.median_width.total_seconds() / 3600
            self.stdout.write(f"    median width of the range (high - low): {hours:.1f} h")
