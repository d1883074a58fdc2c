from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ShortlistEdit(models.Model):
    """A recruiter's change to a ranked shortlist, with the reason: people decide, and say why."""

    class Action(models.TextChoices):
        ADD = "add", _("Added")
        REMOVE = "remove", _("Removed")
        MOVE_UP = "move_up", _("Moved up")
        MOVE_DOWN = "move_down", _("Moved down")

    shortlist = models.ForeignKey(
        "staffing.Shortlist",
        on_delete=models.CASCADE,
        related_name="edits",
        verbose_name=_("shortlist"),
    )
    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("candidate"),
    )
    action = models.CharField(_("change"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=300)
    from_rank = models.PositiveIntegerField(_("rank before"), null=True, blank=True)
    to_rank = models.PositiveIntegerField(_("rank after"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shortlist change")
        verbose_name_plural = _("shortlist changes")

    def __str__(self) -> str:
        return f"{self.shortlist_id}: {self.action} {self.candidate_id}"
