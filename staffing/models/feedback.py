"""What clients and recruiters report after (or instead of) the work: ratings, no-shows,
declines of presented people and cancelled shifts. The engine reads ratings and no-shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Avg, Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ServiceRatingQuerySet(models.QuerySet):
    def summary_by_candidate(self, candidate_ids: list[int]) -> dict[int, tuple[float, int]]:
        """(average score, number of ratings) per rated candidate among `candidate_ids`."""
        rows = (
            self.filter(candidate_id__in=candidate_ids)
            .values("candidate_id")
            .annotate(average=Avg("score"), count=Count("id"))
        )
        return {r["candidate_id"]: (float(r["average"]), r["count"]) for r in rows}

    def band_for(self, candidate) -> str:
        """The band of one person's ratings, as a client sees it (`ServiceRating.band`)."""
        return ServiceRating.band(self.summary_by_candidate([candidate.pk]).get(candidate.pk))


class ServiceRating(models.Model):
    """A client's rating (1–5) of the service one placed person gave on one placement."""

    placement = models.OneToOneField(
        "staffing.Placement",
        on_delete=models.CASCADE,
        related_name="service_rating",
        verbose_name=_("placement"),
    )
    # Denormalised from the placement so the pool reads averages with one indexed query.
    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="service_ratings",
        verbose_name=_("candidate"),
    )
    company = models.ForeignKey(
        "clients.ClientCompany",
        on_delete=models.CASCADE,
        related_name="service_ratings",
        verbose_name=_("company"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rated by"),
    )
    created_at = models.DateTimeField(_("rated"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ServiceRatingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="service_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.score}/5"

    @staticmethod
    def band(summary: tuple[float, int] | None) -> str:
        """A coarse band of client ratings ("4–5 ★"), or "new" for people not rated yet.

        `summary` is (average, count) from `summary_by_candidate`; clients never see averages.
        """
        if not summary or not summary[1]:
            return gettext("New with us")
        average = summary[0]
        if average >= 4:
            return "4–5 ★"
        if average >= 3:
            return "3–4 ★"
        return gettext("under 3 ★")


class ReliabilityRecord(models.Model):
    """A no-show or a late cancellation on one placement; the candidate sees it, may contest it."""

    class Kind(models.TextChoices):
        NO_SHOW = "no_show", _("No-show")
        LATE_CANCELLATION = "late_cancellation", _("Late cancellation")

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    placement = models.ForeignKey(
        "staffing.Placement",
        on_delete=models.CASCADE,
        related_name="reliability_records",
        verbose_name=_("placement"),
    )
    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="reliability_records",
        verbose_name=_("candidate"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("what happened"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reported by"),
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    contest_reason = models.CharField(_("candidate's account"), max_length=500, blank=True)
    contested_at = models.DateTimeField(_("contested"), null=True, blank=True)
    answer = models.CharField(_("agency's answer"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # Set with the answer to a contest; a withdrawn record no longer counts in matching.
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reliability record")
        verbose_name_plural = _("reliability records")
        constraints = [
            models.UniqueConstraint(fields=["placement", "kind"], name="reliability_once"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.get_kind_display()}"


class PresentedDecline(models.Model):
    """A client manager does not want this presented (or placed) person for this request."""

    request = models.ForeignKey(
        "staffing.StaffingRequest",
        on_delete=models.CASCADE,
        related_name="declines",
        verbose_name=_("staffing request"),
    )
    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="client_declines",
        verbose_name=_("candidate"),
    )
    reason = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("declined by"),
    )
    created_at = models.DateTimeField(_("declined"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("declined person")
        verbose_name_plural = _("declined people")
        constraints = [
            models.UniqueConstraint(fields=["request", "candidate"], name="decline_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.candidate_id}"


class ShiftCancellation(models.Model):
    """A shift the client no longer needs; its placements are cancelled and nobody is offered it."""

    shift = models.OneToOneField(
        "staffing.Shift",
        on_delete=models.CASCADE,
        related_name="cancellation",
        verbose_name=_("shift"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    created_at = models.DateTimeField(_("cancelled"), auto_now_add=True)

    class Meta:
        verbose_name = _("shift cancellation")
        verbose_name_plural = _("shift cancellations")

    def __str__(self) -> str:
        return f"{self.shift_id}"
