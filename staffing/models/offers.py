from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OfferQuerySet(models.QuerySet):
    def pending(self) -> OfferQuerySet:
        return self.filter(status=Offer.Status.PENDING)

    def overdue(self) -> OfferQuerySet:
        return self.pending().filter(deadline__lte=timezone.now())


class Offer(models.Model):
    """A request's work offered to one person, answered with one tap before a deadline.

    An offer covers the request's shifts: accepting books the person on every shift that still
    has a free place (after a cancellation that may be only one of them). Offers go out in waves;
    `wave` says which one. A person is offered a request once; when a request reopens after being
    filled, the offers closed as "filled" may be reopened in a later wave.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FILLED = "filled", _("Filled by others")

    request = models.ForeignKey(
        "staffing.StaffingRequest",
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("staffing request"),
    )
    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("candidate"),
    )
    shortlist_entry = models.ForeignKey(
        "staffing.ShortlistEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
        verbose_name=_("shortlist entry"),
    )
    wave = models.PositiveSmallIntegerField(_("wave"))
    is_favourite = models.BooleanField(_("client's favourite"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    deadline = models.DateTimeField(_("answer by"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["wave", "sent_at", "id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(fields=["request", "candidate"], name="offer_once_per_person"),
            models.CheckConstraint(condition=Q(wave__gte=1), name="offer_wave_positive"),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.candidate_id} (wave {self.wave}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and self.deadline > timezone.now()
