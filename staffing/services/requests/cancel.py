"""The client cancels a whole request or one of its shifts; the people placed are told."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staffing.base.audit import audit_record
from staffing.models import Shift, ShiftCancellation, StaffingRequest, User
from staffing.services.errors import FeedbackError
from staffing.services.offers import offers_withdraw, request_fill_settle
from staffing.services.placements import (
    placements_active_locked,
    placements_cancel_for_client,
    placements_cancelled_tell_later,
)
from staffing.services.requests.status import request_status_set


def request_cancel(*, staffing_request: StaffingRequest, by: User, reason: str) -> StaffingRequest:
    """Cancel the whole request; the people placed are told."""
    with transaction.atomic():
        request = StaffingRequest.objects.select_for_update().get(pk=staffing_request.pk)
        if request.status == StaffingRequest.Status.CANCELLED:
            raise FeedbackError(_("This request is already cancelled."))
        if request.shifts.filter(starts_at__lte=timezone.now()).exists():
            raise FeedbackError(_("A shift has already started: call the agency instead."))
        cancelled = placements_cancel_for_client(
            placements_active_locked(request=request), reason=reason or ""
        )
        first = request.shifts.active().order_by("starts_at").first()
        request_status_set(
            staffing_request=request,
            status=StaffingRequest.Status.CANCELLED,
            by=by,
            data={
                "reason": (reason or "")[:300],
                "placements_cancelled": len(cancelled),
                "late": first is not None
                and cancellation_is_late(staffing_request=request, starts_at=first.starts_at),
            },
        )
        placements_cancelled_tell_later(placement_ids=cancelled, reason="request_cancelled")
        _offers_withdraw(request, by)
    return request


def cancellation_is_late(*, staffing_request: StaffingRequest, starts_at: dt.datetime) -> bool:
    """Whether cancelling work that starts at `starts_at` now is inside the client's contracted
    cancellation notice (a late cancellation by the client)."""
    notice = dt.timedelta(hours=staffing_request.company.cancellation_notice_hours)
    return starts_at - timezone.now() < notice


def _offers_withdraw(request: StaffingRequest, by: User) -> None:
    offers_withdraw(staffing_request=request, by=by)


def _fill_settle(request: StaffingRequest, by: User) -> None:
    """The shifts left may all be full now: then the request is filled."""
    request_fill_settle(staffing_request=request, by=by)


def shift_cancel(*, shift: Shift, by: User, reason: str) -> ShiftCancellation:
    """Cancel one shift of a request; the last open shift cancels the whole request."""
    with transaction.atomic():
        request = StaffingRequest.objects.select_for_update().get(pk=shift.request_id)
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        if request.status == StaffingRequest.Status.CANCELLED:
            raise FeedbackError(_("This request is already cancelled."))
        if ShiftCancellation.objects.filter(shift=shift).exists():
            raise FeedbackError(_("This shift is already cancelled."))
        if shift.starts_at <= timezone.now():
            raise FeedbackError(_("This shift has already started: call the agency instead."))
        cancelled = placements_cancel_for_client(
            placements_active_locked(shift=shift), reason=reason or ""
        )
        cancellation = ShiftCancellation.objects.create(
            shift=shift, reason=(reason or "")[:300], by=by
        )
        audit_record(
            actor=by,
            action="shift.cancelled",
            target=shift,
            staffing_request_id=request.pk,
            data={
                "reason": (reason or "")[:300],
                "starts_at": shift.starts_at.isoformat(),
                "placements_cancelled": len(cancelled),
                "late": cancellation_is_late(staffing_request=request, starts_at=shift.starts_at),
            },
        )
        if not request.shifts.active().exists():
            request_status_set(
                staffing_request=request,
                status=StaffingRequest.Status.CANCELLED,
                by=by,
                data={"reason": (reason or "")[:300], "last_shift": True},
            )
            _offers_withdraw(request, by)
        else:
            _fill_settle(request, by)
        placements_cancelled_tell_later(placement_ids=cancelled, reason="shift_cancelled")
    return cancellation
