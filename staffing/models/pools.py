from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TalentPool(models.Model):
    """A named list of people the agency keeps warm for one client ("Kamppi regulars"), for
    the whole company or one of its service profiles. Its people are offered that client's
    work first (after favourites) and rank higher on its benches (the `talent_pool` factor)."""

    company = models.ForeignKey(
        "clients.ClientCompany",
        on_delete=models.CASCADE,
        related_name="talent_pools",
        verbose_name=_("client company"),
    )
    service_profile = models.ForeignKey(
        "clients.ServiceProfile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talent_pools",
        verbose_name=_("service profile"),
    )
    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["company__name", "name", "id"]
        verbose_name = _("talent pool")
        verbose_name_plural = _("talent pools")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="talent_pool_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class TalentPoolMember(models.Model):
    class Source(models.TextChoices):
        SEARCH = "search", _("Candidate search")
        SHORTLIST = "shortlist", _("Shortlist")
        BENCH = "bench", _("Bench")
        PROFILE = "profile", _("Candidate page")

    pool = models.ForeignKey(
        TalentPool, on_delete=models.CASCADE, related_name="members", verbose_name=_("talent pool")
    )
    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="talent_pool_memberships",
        verbose_name=_("candidate"),
    )
    source = models.CharField(
        _("added from"), max_length=12, choices=Source.choices, default=Source.PROFILE
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name = _("talent pool member")
        verbose_name_plural = _("talent pool members")
        constraints = [
            models.UniqueConstraint(fields=["pool", "candidate"], name="talent_pool_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pool_id}: {self.candidate_id}"
