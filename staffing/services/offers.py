"""Offers in waves: who is offered the work, answers, and how a request fills.

Locking order, everywhere a scarce thing changes: the request row first, then the candidate row,
then the offer or placement rows. The request lock serialises the request's open places; the
candidate lock serialises one person's bookings across requests; the database's exclusion
constraint on `Placement.blocked` is the final guard against overlapping bookings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2.extras import DateTimeTZRange

from candidates.models import Candidate
from clients.models import CandidateMark
from staffing.base.audit import audit_record
from staffing.base.events import PLACEMENT_CONFIRMED, domain_event_publish, placement_event_payload
from staffing.base.queueing import enqueue_on_commit
from staffing.models import (
    DAILY_REST,
    Offer,
    Placement,
    Shift,
    ShortlistEntry,
    StaffingRequest,
    User,
)
from staffing.services.notifications import (
    offer_closed_notify,
    offer_made_notify,
    placement_confirmed_notify,
)
from staffing.services.requests import request_status_set
from staffing.services.talent_pools import talent_pool_candidate_ids

Status = StaffingRequest.Status
OFFER_LINK_SALT = "staffing.offer.respond"
# A link is never valid longer than this, whatever the offer's deadline.
OFFER_LINK_MAX_AGE = dt.timedelta(days=14)
# Statuses in which a request's offers may be sent and answered.
OFFERABLE = (Status.APPROVED, Status.OFFERING, Status.NEEDS_ATTENTION)
# Statuses the offer-wave sweep advances: the database's record that waves may be due.
WAVE_STATUSES = (Status.APPROVED, Status.OFFERING)


class OfferError(Exception):
    """An answer that cannot be taken; the message is for the person who answered."""


class OfferNotOpen(OfferError):
    """The offer was answered, expired, filled by others or withdrawn."""


class OfferConflict(OfferError):
    """The person already has a booking at that time (or too little rest between shifts)."""


# --- Reading the state of a request --------------------------------------------------------------


def open_places(*, staffing_request: StaffingRequest, now: dt.datetime) -> dict[Shift, int]:
    """Free places per shift that can still be offered: not cancelled and not yet over."""
    shifts = (
        Shift.objects.active()
        .filter(request=staffing_request, ends_at__gt=now)
        .with_placed()
        .order_by("starts_at")
    )
    return {s: max(staffing_request.headcount - s.placed, 0) for s in shifts}


def _is_filled(req: StaffingRequest) -> bool:
    """Every shift the client still wants has its headcount of active placements."""
    counts = [s.placed for s in Shift.objects.active().filter(request=req).with_placed()]
    return bool(counts) and min(counts) >= req.headcount


def offer_response_minutes(*, staffing_request: StaffingRequest) -> int:
    """How long a person has to answer this request's offers: the client's contract terms,
    else the agency's default for the request's urgency."""
    company = staffing_request.company
    if staffing_request.urgency == StaffingRequest.Urgency.URGENT:
        return company.offer_response_urgent_minutes or settings.OFFER_DEADLINE_URGENT_MINUTES
    return company.offer_response_planned_minutes or settings.OFFER_DEADLINE_PLANNED_MINUTES


def offer_deadline(
    *, staffing_request: StaffingRequest, places: dict[Shift, int], now: dt.datetime
) -> dt.datetime | None:
    """When a new offer must be answered: the client's contracted response window (else the
    configured default), never after the first open shift starts (or, for a shift already
    running, ends). None when there is no time left."""
    minutes = offer_response_minutes(staffing_request=staffing_request)
    open_shifts = [s for s, n in places.items() if n > 0]
    if not open_shifts:
        return None
    first = open_shifts[0]
    cap = first.starts_at if first.starts_at > now else first.ends_at
    deadline = min(now + dt.timedelta(minutes=minutes), cap)
    return deadline if deadline > now else None


# --- Links ---------------------------------------------------------------------------------------


def offer_link_token(*, offer: Offer) -> str:
    """A signed, single-purpose token naming the offer and the user it was sent to."""
    user_id = offer.candidate.user_id
    return signing.dumps({"o": offer.pk, "u": user_id}, salt=OFFER_LINK_SALT, compress=True)


def offer_link_path(*, offer: Offer) -> str:
    return reverse("offer_link", args=[offer_link_token(offer=offer)])


@dataclass(frozen=True)
class OfferLink:
    offer_id: int
    user_id: int | None


def offer_link_read(*, token: str) -> OfferLink:
    """The offer and user a token names; raises `signing.BadSignature` when tampered or too old."""
    data = signing.loads(token, salt=OFFER_LINK_SALT, max_age=OFFER_LINK_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("o"), int):
        raise signing.BadSignature("Malformed offer link.")
    return OfferLink(offer_id=data["o"], user_id=data.get("u"))


# --- Waves ---------------------------------------------------------------------------------------


def _lock_request(pk: int) -> StaffingRequest:
    return (
        StaffingRequest.objects.select_for_update(of=("self",))
        .select_related("company", "site", "service_profile")
        .get(pk=pk)
    )


def offer_wave_send(*, staffing_request: StaffingRequest, by: User | None) -> list[Offer]:
    """Offer an approved request's work to the next people on its shortlist.

    Tops the request's pending offers up to OFFER_WAVE_SIZE_FACTOR × the open headcount: the
    client's favourites on the shortlist first, then the people in its talent pools, then the
    best-ranked. Returns the offers sent (empty when none were needed or nobody is left; the
    latter marks the request as needing attention once no offer is pending).
    """
    with transaction.atomic():
        req = _lock_request(staffing_request.pk)
        return _wave_send(req, by, timezone.now())


def request_backfill(
    *, staffing_request: StaffingRequest, by: User | None, reason: str
) -> list[Offer]:
    """A place reopened (a client's decline, a cancellation, a no-show): offer it to the next
    people. A filled request goes back to offering."""
    with transaction.atomic():
        req = _lock_request(staffing_request.pk)
        if req.status == Status.CANCELLED:
            return []
        audit_record(
            actor=by,
            action="request.backfill",
            target=req,
            staffing_request_id=req.pk,
            data={"reason": reason},
        )
        if req.status == Status.FILLED and not _is_filled(req):
            request_status_set(staffing_request=req, status=Status.OFFERING, by=by, filled_at=None)
        return _wave_send(req, by, timezone.now())


def request_fill_settle(*, staffing_request: StaffingRequest, by: User | None) -> bool:
    """The request's shifts changed (one was cancelled): when every shift still wanted has its
    headcount, the request is filled and the offers still open are closed. True if it filled."""
    with transaction.atomic():
        req = _lock_request(staffing_request.pk)
        if req.status not in OFFERABLE or not _is_filled(req):
            return False
        _request_fill(req, by, timezone.now())
    staffing_request.status = req.status
    return True


def offer_waves_advance(*, staffing_request_id: int) -> list[Offer]:
    """Expire overdue offers, and send the next wave when the pending ones can no longer fill
    the open places. Skips a request another worker is changing (the next run comes soon)."""
    with transaction.atomic():
        req = (
            StaffingRequest.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("company", "site", "service_profile")
            .filter(pk=staffing_request_id, status__in=WAVE_STATUSES)
            .first()
        )
        if req is None:
            return []
        now = timezone.now()
        _expire_overdue(req, now)
        open_count = max(open_places(staffing_request=req, now=now).values(), default=0)
        if req.offers.pending().count() >= max(open_count, 1):
            return []
        return _wave_send(req, None, now)


def offers_due_request_ids(*, limit: int = 500) -> list[int]:
    """Requests whose offers may need the next wave: every request currently offering, and
    approved ones whose first wave was never sent (its task was lost)."""
    return list(
        StaffingRequest.objects.filter(status__in=WAVE_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def offer_waves_advance_due() -> int:
    """Advance every request still offering, each in its own short transaction; returns how
    many offers were sent."""
    return sum(len(offer_waves_advance(staffing_request_id=pk)) for pk in offers_due_request_ids())


def _wave_send(req: StaffingRequest, by: User | None, now: dt.datetime) -> list[Offer]:
    if req.status not in OFFERABLE:
        return []
    _expire_overdue(req, now)
    places = open_places(staffing_request=req, now=now)
    open_count = max(places.values(), default=0)
    if open_count == 0:
        if _is_filled(req):
            _request_fill(req, by, now)
        elif not req.offers.pending().exists():
            _needs_attention(req, by, "no_open_shift")
        return []
    pending = req.offers.pending().count()
    wanted = settings.OFFER_WAVE_SIZE_FACTOR * open_count - pending
    if wanted <= 0:
        return []
    deadline = offer_deadline(staffing_request=req, places=places, now=now)
    people = _next_people(req, [s for s, n in places.items() if n > 0], wanted) if deadline else []
    if not people:
        if pending == 0:
            _needs_attention(req, by, "shortlist_exhausted" if deadline else "no_time_left")
        return []
    assert deadline is not None
    wave = (req.offers.aggregate(m=Max("wave"))["m"] or 0) + 1
    offers = [_offer_make(req, entry, fav, wave, deadline, now) for entry, fav in people]
    if req.status != Status.OFFERING:
        request_status_set(staffing_request=req, status=Status.OFFERING, by=by)
    audit_record(
        actor=by,
        action="offers.wave_sent",
        target=req,
        staffing_request_id=req.pk,
        data={
            "wave": wave,
            "offers": len(offers),
            "open_places": open_count,
            "deadline": deadline.isoformat(),
            "candidates": [o.candidate_id for o in offers],
        },
    )
    for offer in offers:
        offer_made_notify(offer=offer, link_path=offer_link_path(offer=offer))
    return offers


def _next_people(
    req: StaffingRequest, shifts: list[Shift], wanted: int
) -> list[tuple[ShortlistEntry, bool]]:
    """The next `wanted` people to offer: favourites first, then the client's talent pools,
    then by rank, skipping anyone
    already offered (except those told it filled), ever placed on this request (whatever became
    of the placement, and even without an offer), declined by the client, barred, inactive, or
    booked too close to an open shift."""
    shortlist = req.current_shortlist
    if shortlist is None:
        return []
    entries = list(
        shortlist.ranked.filter(candidate__status=Candidate.Status.ACTIVE)
        .exclude(candidate__offers__in=req.offers.exclude(status=Offer.Status.FILLED))
        .exclude(candidate_id__in=req.placements.values("candidate_id"))
        .exclude(candidate__client_declines__request=req)
        .exclude(
            candidate_id__in=CandidateMark.objects.filter(
                company=req.company, kind=CandidateMark.Kind.DO_NOT_RETURN
            ).values("candidate_id")
        )
        .select_related("candidate__user")
    )
    ids = [e.candidate_id for e in entries]
    busy = set(
        Placement.objects.filter(
            _overlap_q(shifts), candidate_id__in=ids, status__in=Placement.ACTIVE_STATUSES
        ).values_list("candidate_id", flat=True)
    )
    favourites = set(
        CandidateMark.objects.filter(
            company=req.company, kind=CandidateMark.Kind.FAVOURITE, candidate_id__in=ids
        ).values_list("candidate_id", flat=True)
    )
    pooled = talent_pool_candidate_ids(company_id=req.company_id, candidate_ids=ids)
    free = [e for e in entries if e.candidate_id not in busy]
    free.sort(
        key=lambda e: (e.candidate_id not in favourites, e.candidate_id not in pooled, e.rank)
    )
    return [(e, e.candidate_id in favourites) for e in free[:wanted]]


def _overlap_q(shifts: list[Shift]) -> Q:
    """Placements whose blocked time overlaps any of these shifts' (blocked) time."""
    q = Q(pk__in=[])
    for shift in shifts:
        start, end = Placement.blocked_range(shift.starts_at, shift.ends_at)
        # Their block (shift + rest) overlaps ours, or our rest runs into their shift.
        q |= Q(blocked__overlap=DateTimeTZRange(start - DAILY_REST, end))
    return q


def _offer_make(
    req: StaffingRequest,
    entry: ShortlistEntry,
    favourite: bool,
    wave: int,
    deadline: dt.datetime,
    now: dt.datetime,
) -> Offer:
    """A new offer, or the reopening of one closed as filled when the request filled earlier."""
    offer, _created = Offer.objects.update_or_create(
        request=req,
        candidate=entry.candidate,
        defaults={
            "shortlist_entry": entry,
            "wave": wave,
            "is_favourite": favourite,
            "status": Offer.Status.PENDING,
            "deadline": deadline,
            "sent_at": now,
            "responded_at": None,
            "decline_reason": "",
        },
    )
    offer.request = req
    return offer


def _expire_overdue(req: StaffingRequest, now: dt.datetime) -> int:
    expired = list(
        req.offers.filter(status=Offer.Status.PENDING, deadline__lte=now).values_list(
            "candidate_id", flat=True
        )
    )
    if expired:
        req.offers.filter(status=Offer.Status.PENDING, deadline__lte=now).update(
            status=Offer.Status.EXPIRED, updated_at=now
        )
        audit_record(
            actor=None,
            action="offers.expired",
            target=req,
            staffing_request_id=req.pk,
            data={"candidates": expired},
        )
    return len(expired)


def _needs_attention(req: StaffingRequest, by: User | None, reason: str) -> None:
    if req.status != Status.NEEDS_ATTENTION:
        request_status_set(staffing_request=req, status=Status.NEEDS_ATTENTION, by=by)
        audit_record(
            actor=by,
            action="offers.exhausted",
            target=req,
            staffing_request_id=req.pk,
            data={"reason": reason},
        )


def _request_fill(req: StaffingRequest, by: User | None, now: dt.datetime) -> None:
    """Every place is taken: mark the request filled and close the offers still open, kindly."""
    if req.status != Status.FILLED:
        request_status_set(staffing_request=req, status=Status.FILLED, by=by, filled_at=now)
    _pending_offers_close(req, Offer.Status.FILLED, by, action="offers.closed_filled")


def _pending_offers_close(
    req: StaffingRequest, status: str, by: User | None, *, action: str
) -> list[Offer]:
    """Close the request's pending offers (filled or withdrawn), tell each person, audit once."""
    offers = list(req.offers.pending().select_related("candidate__user"))
    for offer in offers:
        offer.status = status
        offer.request = req
        offer.save(update_fields=["status", "updated_at"])
        offer_closed_notify(offer=offer)
    if offers:
        audit_record(
            actor=by,
            action=action,
            target=req,
            staffing_request_id=req.pk,
            data={"candidates": [o.candidate_id for o in offers]},
        )
    return offers


# --- Answers -------------------------------------------------------------------------------------


def offer_accept(*, offer: Offer, by: User | None) -> list[Placement]:
    """Book the person on every shift of the request that still has a free place.

    Raises `OfferNotOpen` when the offer can no longer be accepted (it filled, expired, was
    answered or withdrawn) and `OfferConflict` when the person is already booked at that time;
    either way any change of the offer's status is kept.
    """
    with transaction.atomic():
        req = _lock_request(offer.request_id)
        candidate = Candidate.objects.select_for_update().get(pk=offer.candidate_id)
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        locked.request, locked.candidate = req, candidate
        outcome = _accept(req, locked, by, timezone.now())
    if isinstance(outcome, OfferError):
        raise outcome
    offer.refresh_from_db()
    return outcome


def _closed_error(offer: Offer) -> OfferNotOpen:
    messages: dict[str, str] = {
        Offer.Status.ACCEPTED: _("You have already accepted this offer."),
        Offer.Status.DECLINED: _("You have already declined this offer."),
        Offer.Status.EXPIRED: _("The time to answer this offer has passed."),
        Offer.Status.WITHDRAWN: _("This offer was withdrawn. Thank you for your interest!"),
        Offer.Status.FILLED: _(
            "Thank you! Every place was taken before you answered. We will offer you the next one."
        ),
    }
    return OfferNotOpen(messages.get(offer.status, _("This offer is no longer open.")))


def _close(offer: Offer, status: str, by: User | None, now: dt.datetime) -> OfferNotOpen:
    offer.status = status
    offer.responded_at = now
    offer.save(update_fields=["status", "responded_at", "updated_at"])
    audit_record(
        actor=by,
        action=f"offer.{status}",
        target=offer,
        staffing_request_id=offer.request_id,
        candidate_id=offer.candidate_id,
    )
    return _closed_error(offer)


def _accept(
    req: StaffingRequest, offer: Offer, by: User | None, now: dt.datetime
) -> list[Placement] | OfferError:
    if offer.status != Offer.Status.PENDING:
        return _closed_error(offer)
    if offer.deadline <= now:
        return _close(offer, Offer.Status.EXPIRED, by, now)
    if req.status == Status.FILLED:
        return _close(offer, Offer.Status.FILLED, by, now)
    if req.status not in OFFERABLE:
        return _close(offer, Offer.Status.WITHDRAWN, by, now)
    shifts = [s for s, n in open_places(staffing_request=req, now=now).items() if n > 0]
    if not shifts:
        return _close(offer, Offer.Status.FILLED, by, now)
    try:
        with transaction.atomic():
            placements = [
                Placement.objects.book(request=req, candidate=offer.candidate, shift=shift)
                for shift in shifts
            ]
    except IntegrityError:
        audit_record(
            actor=by,
            action="offer.conflict",
            target=offer,
            staffing_request_id=req.pk,
            candidate_id=offer.candidate_id,
        )
        return OfferConflict(
            _(
                "You already have a shift at that time, or too little rest (11 hours) between "
                "shifts, so we could not book this one."
            )
        )
    offer.status = Offer.Status.ACCEPTED
    offer.responded_at = now
    offer.save(update_fields=["status", "responded_at", "updated_at"])
    Candidate.objects.filter(pk__in=[offer.candidate_id]).touch()
    audit_record(
        actor=by,
        action="offer.accepted",
        target=offer,
        staffing_request_id=req.pk,
        candidate_id=offer.candidate_id,
        data={"placements": [p.pk for p in placements], "shifts": [s.pk for s in shifts]},
    )
    for placement in placements:
        domain_event_publish(
            name=PLACEMENT_CONFIRMED,
            company_id=req.company_id,
            payload=placement_event_payload(placement),
        )
    placement_confirmed_notify(offer=offer, confirmed=req.confirmed_people())
    if _is_filled(req):
        _request_fill(req, by, now)
    return placements


def offer_decline(*, offer: Offer, by: User | None, reason: str = "") -> Offer:
    """Decline an offer (with an optional reason) and ask at once for the next wave."""
    with transaction.atomic():
        req = _lock_request(offer.request_id)
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        locked.request = req
        now = timezone.now()
        if locked.status != Offer.Status.PENDING:
            outcome: OfferError | None = _closed_error(locked)
        elif locked.deadline <= now:
            outcome = _close(locked, Offer.Status.EXPIRED, by, now)
        else:
            outcome = None
            locked.status = Offer.Status.DECLINED
            locked.responded_at = now
            locked.decline_reason = reason.strip()[:300]
            locked.save(update_fields=["status", "responded_at", "decline_reason", "updated_at"])
            audit_record(
                actor=by,
                action="offer.declined",
                target=locked,
                staffing_request_id=req.pk,
                candidate_id=locked.candidate_id,
                data={"reason": locked.decline_reason},
            )
            enqueue_on_commit("staffing.tasks.advance_request_offers", req.pk)
    if outcome is not None:
        raise outcome
    offer.refresh_from_db()
    return locked


def offers_withdraw(*, staffing_request: StaffingRequest, by: User | None) -> list[Offer]:
    """Withdraw every open offer of a request (the client cancelled it); people are told."""
    with transaction.atomic():
        req = _lock_request(staffing_request.pk)
        return _pending_offers_close(req, Offer.Status.WITHDRAWN, by, action="offers.withdrawn")
