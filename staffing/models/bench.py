from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Bench(models.Model):
    """A service profile's warm bench: the best people ready for its typical shifts soon.

    Refreshed in the background (see staffing.services.bench); a head start and a planning tool
    for recruiters, never a stale answer to an urgent request, which is always matched afresh.
    """

    profile = models.OneToOneField(
        "clients.ServiceProfile",
        on_delete=models.CASCADE,
        related_name="bench",
        verbose_name=_("service profile"),
    )
    rules_version = models.CharField(_("rules version"), max_length=32)
    refreshed_at = models.DateTimeField(_("refreshed"))
    ready_count = models.PositiveIntegerField(_("people ready"), default=0)
    # {"YYYY-MM-DD": [morning, day, evening]}: how many fitting people are free in each part.
    coverage = models.JSONField(_("coverage"), default=dict, blank=True)
    # A refresh asked for (a recruiter's "Refresh now", a changed profile) and not done yet: the
    # bench sweep rebuilds every bench asked for earlier than its last refresh.
    refresh_requested_at = models.DateTimeField(_("refresh requested"), null=True, blank=True)

    class Meta:
        ordering = ["profile"]
        verbose_name = _("bench")
        verbose_name_plural = _("benches")

    def __str__(self) -> str:
        return f"{self.profile} ({self.ready_count})"


class BenchEntry(models.Model):
    bench = models.ForeignKey(
        Bench, on_delete=models.CASCADE, related_name="entries", verbose_name=_("bench")
    )
    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="bench_entries",
        verbose_name=_("candidate"),
    )
    rank = models.PositiveIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    shifts_available = models.PositiveSmallIntegerField(_("typical shifts available"), default=0)
    explanation = models.JSONField(_("explanation"), default=dict)

    class Meta:
        ordering = ["bench", "rank"]
        verbose_name = _("bench entry")
        verbose_name_plural = _("bench entries")
        constraints = [
            models.UniqueConstraint(fields=["bench", "candidate"], name="bench_candidate_once"),
            models.UniqueConstraint(fields=["bench", "rank"], name="bench_rank_once"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="bench_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.candidate_id} ({self.score:.1f})"


class SweepMark(models.Model):
    """How far a beat sweep has read a stream of changes (say, candidates' `updated_at` for the
    bench sweep), so each run goes on from where the last one stopped."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    at = models.DateTimeField(_("read up to"))

    class Meta:
        verbose_name = _("sweep mark")
        verbose_name_plural = _("sweep marks")

    def __str__(self) -> str:
        return f"{self.name}: {self.at:%Y-%m-%d %H:%M:%S}"
