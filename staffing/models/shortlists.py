from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staffing.base.fields import TextJSONField


class Shortlist(models.Model):
    """One ranking of people for a request, with the rules version and inputs to replay it."""

    request = models.ForeignKey(
        "staffing.StaffingRequest",
        on_delete=models.CASCADE,
        related_name="shortlists",
        verbose_name=_("staffing request"),
    )
    rules_version = models.CharField(_("rules version"), max_length=32)
    inputs = TextJSONField(_("inputs"), default=dict, blank=True)
    pool_size = models.PositiveIntegerField(_("people considered"), default=0)
    eligible_count = models.PositiveIntegerField(_("people eligible"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        verbose_name = _("shortlist")
        verbose_name_plural = _("shortlists")

    def __str__(self) -> str:
        created = timezone.localtime(self.created_at)
        return f"{self.request_id} / {self.rules_version} / {created:%H:%M:%S}"

    @property
    def ranked(self) -> models.QuerySet[ShortlistEntry]:
        return self.entries.filter(near_miss=False).order_by("rank")

    @property
    def near_misses(self) -> models.QuerySet[ShortlistEntry]:
        return self.entries.filter(near_miss=True).order_by("rank")


class ShortlistEntry(models.Model):
    shortlist = models.ForeignKey(
        Shortlist, on_delete=models.CASCADE, related_name="entries", verbose_name=_("shortlist")
    )
    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="shortlist_entries",
        verbose_name=_("candidate"),
    )
    rank = models.PositiveIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    explanation = TextJSONField(_("explanation"), default=dict)
    near_miss = models.BooleanField(_("near miss"), default=False)

    class Meta:
        ordering = ["near_miss", "rank"]
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        constraints = [
            models.UniqueConstraint(fields=["shortlist", "candidate"], name="entry_candidate_once"),
            models.UniqueConstraint(
                fields=["shortlist", "near_miss", "rank"], name="entry_rank_once"
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="entry_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.candidate_id} ({self.score:.1f})"
