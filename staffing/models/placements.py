from __future__ import annotations

import datetime as dt

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from psycopg2.extras import DateTimeTZRange

# The Working Hours Act's daily rest: at least 11 hours between two shifts of one person.
DAILY_REST = dt.timedelta(hours=11)


class PlacementQuerySet(models.QuerySet):
    def book(self, *, request, candidate, shift) -> Placement:
        """Book `candidate` for `shift` of `request`: the row with its period and its blocked
        range (the shift and the daily rest after it), which the exclusion constraint checks
        against the person's other bookings. Offers are the one way in (`offer_accept`)."""
        return self.create(
            candidate=candidate,
            request=request,
            shift=shift,
            period=DateTimeTZRange(shift.starts_at, shift.ends_at),
            blocked=DateTimeTZRange(*Placement.blocked_range(shift.starts_at, shift.ends_at)),
        )


class Placement(models.Model):
    """A person booked for one shift of a request.

    `blocked` is the shift extended by the daily rest. Two active placements of one person may not
    have overlapping `blocked` ranges, which forbids both double-booking and too short a rest; the
    database enforces it, however many workers race.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.COMPLETED)

    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("candidate"),
    )
    request = models.ForeignKey(
        "staffing.StaffingRequest",
        on_delete=models.CASCADE,
        related_name="placements",
        verbose_name=_("staffing request"),
    )
    shift = models.ForeignKey(
        "staffing.Shift",
        on_delete=models.CASCADE,
        related_name="placements",
        verbose_name=_("shift"),
    )
    period = DateTimeRangeField(_("period"))
    blocked = DateTimeRangeField(_("blocked period"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["period"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            ExclusionConstraint(
                name="placement_no_overlap_or_short_rest",
                expressions=[
                    ("candidate", RangeOperators.EQUAL),
                    ("blocked", RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["confirmed", "completed"]),
            ),
            models.UniqueConstraint(
                fields=["shift", "candidate"],
                condition=Q(status__in=["confirmed", "completed"]),
                name="placement_once_per_shift",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} @ {self.shift}"

    @staticmethod
    def blocked_range(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        return start, end + DAILY_REST
