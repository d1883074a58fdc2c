from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.languages import CEFRLevel, Language

if TYPE_CHECKING:
    from staffing.models.shortlists import Shortlist


class StaffingRequestQuerySet(models.QuerySet):
    def for_company(self, company_id: int) -> StaffingRequestQuerySet:
        return self.filter(company_id=company_id)

    def open(self) -> StaffingRequestQuerySet:
        return self.exclude(
            status__in=[StaffingRequest.Status.FILLED, StaffingRequest.Status.CANCELLED]
        )

    def board_order(self) -> StaffingRequestQuerySet:
        """Urgent first, then the oldest waiting."""
        return self.order_by(
            models.Case(models.When(urgency=StaffingRequest.Urgency.URGENT, then=0), default=1),
            "created_at",
        )


class StaffingRequest(models.Model):
    """A client's order for people: one or more shifts, a headcount and requirements."""

    class Urgency(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        PLANNED = "planned", _("Planned")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        SHORTLISTED = "shortlisted", _("Shortlist ready")
        APPROVED = "approved", _("Approved by the agency")
        OFFERING = "offering", _("Offers sent")
        FILLED = "filled", _("Filled")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")
        CANCELLED = "cancelled", _("Cancelled")

    company = models.ForeignKey(
        "clients.ClientCompany",
        on_delete=models.CASCADE,
        related_name="requests",
        verbose_name=_("company"),
    )
    site = models.ForeignKey(
        "clients.Site", on_delete=models.PROTECT, related_name="requests", verbose_name=_("site")
    )
    service_profile = models.ForeignKey(
        "clients.ServiceProfile",
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("service profile"),
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.URGENT
    )
    headcount = models.PositiveSmallIntegerField(_("people needed"), default=1)
    role_type = models.CharField(
        _("workplace type"),
        max_length=10,
        choices=[("retail", _("Retail store")), ("office", _("Office / contact centre"))],
    )
    required_skills = models.ManyToManyField(
        "candidates.Skill", blank=True, related_name="+", verbose_name=_("required skills")
    )
    preferred_skills = models.ManyToManyField(
        "candidates.Skill", blank=True, related_name="+", verbose_name=_("preferred skills")
    )
    notes = models.TextField(
        _("notes for the agency"),
        blank=True,
        help_text=_("Practical details. Never used for ranking people."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # A recruiter who took the order on the client's behalf (by phone); empty when the client
    # entered it themselves.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    shortlisted_at = models.DateTimeField(_("shortlist ready"), null=True, blank=True)
    filled_at = models.DateTimeField(_("filled"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The order form's one-time token: a resubmitted form (a timeout, a double tap) finds the
    # request it already created instead of making a second one.
    submission_key = models.UUIDField(_("submission key"), null=True, blank=True, editable=False)

    objects = StaffingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("staffing request")
        verbose_name_plural = _("staffing requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(headcount__gte=1, headcount__lte=50), name="request_headcount_1_50"
            ),
            models.UniqueConstraint(
                fields=["company", "submission_key"], name="request_submission_once"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.site} ({self.get_status_display()})"

    @property
    def matching_overdue(self) -> bool:
        """Still without a shortlist MATCHING_OVERDUE_SECONDS after it came in: a person must
        look (the worker or the broker is down, or matching keeps failing)."""
        if self.status != self.Status.RECEIVED or self.created_at is None:
            return False
        waited = timezone.now() - self.created_at
        return waited.total_seconds() > settings.MATCHING_OVERDUE_SECONDS

    @property
    def current_shortlist(self) -> Shortlist | None:
        return self.shortlists.order_by("-created_at", "-id").first()

    @property
    def first_shift(self) -> Shift | None:
        return self.shifts.order_by("starts_at").first()

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.FILLED, self.Status.CANCELLED)

    @property
    def is_curatable(self) -> bool:
        """Recruiters may still add, remove and reorder people: it has a shortlist and is still
        being staffed."""
        return self.status in CURATABLE_STATUSES

    def confirmed_people(self) -> int:
        """Distinct people with an active placement on the request (one person may hold several
        shifts)."""
        active = self.placements.filter(status__in=self.placements.model.ACTIVE_STATUSES)
        return active.values("candidate_id").distinct().count()


# Curation is possible while the request is still being staffed.
CURATABLE_STATUSES = (
    StaffingRequest.Status.SHORTLISTED,
    StaffingRequest.Status.APPROVED,
    StaffingRequest.Status.OFFERING,
    StaffingRequest.Status.NEEDS_ATTENTION,
)


class ShiftQuerySet(models.QuerySet):
    def active(self) -> ShiftQuerySet:
        """Shifts the client still wants: a cancelled shift has no places to count, offer or
        book, anywhere."""
        return self.filter(cancellation__isnull=True)

    def with_placed(self) -> ShiftQuerySet:
        """Each shift annotated with `placed`: its active (confirmed or completed) placements."""
        # Imported here: placements.py is loaded after this module in staffing.models.
        from staffing.models.placements import Placement

        return self.annotate(
            placed=Count("placements", filter=Q(placements__status__in=Placement.ACTIVE_STATUSES))
        )


class Shift(models.Model):
    request = models.ForeignKey(
        StaffingRequest,
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=_("staffing request"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        starts, ends = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return hasattr(self, "cancellation")


class RequestLanguage(models.Model):
    """A language the work needs, at the CEFR level the work needs, with the reason."""

    request = models.ForeignKey(
        StaffingRequest,
        on_delete=models.CASCADE,
        related_name="languages",
        verbose_name=_("staffing request"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=CEFRLevel.choices)
    reason = models.CharField(_("why the work needs it"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("required language")
        verbose_name_plural = _("required languages")
        constraints = [
            models.UniqueConstraint(fields=["request", "language"], name="request_language_once"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=6), name="req_lang_cefr"),
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()} {self.get_level_display()}"
