"""Offers and assignments: the candidate's pages, the one-tap email link, and the recruiter's live
offers panel."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staffing.base.access import CANDIDATES, RECRUITERS, role_required
from staffing.models import (
    Offer,
    Placement,
    ReliabilityRecord,
    ServiceRating,
    Shift,
    Shortlist,
    StaffingRequest,
)
from staffing.permissions import (
    offers_for_user,
    own_candidate,
    placements_for_user,
    request_for_user,
)
from staffing.presenters import (
    UNREAD,
    Unread,
    answer_within_forms,
    answer_within_text,
    offer_reasons,
    pay_range_text,
    request_status,
)
from staffing.request_params import text_param
from staffing.services.offers import (
    OfferError,
    offer_accept,
    offer_decline,
    offer_link_read,
)
from staffing.services.placements import (
    LATE_CANCELLATION,
    PlacementError,
    placement_cancel,
    reliability_record_contest,
)


def _offer_rows(offers) -> list[dict]:
    now = timezone.now()
    return [
        {
            "offer": offer,
            "shifts": list(offer.request.shifts.all()),
            "reasons": offer_reasons(
                offer.shortlist_entry.explanation if offer.shortlist_entry else {}
            ),
            "pay": pay_range_text(offer.request.service_profile),
            "answer_within": answer_within_text(deadline=offer.deadline, now=now),
        }
        for offer in offers
    ]


@role_required(*CANDIDATES)
def candidate_offers(request: HttpRequest) -> HttpResponse:
    offers = offers_for_user(request.user).select_related(
        "request__site", "request__company", "request__service_profile", "shortlist_entry"
    )
    now = timezone.now()
    open_offers = [o for o in offers if o.status == Offer.Status.PENDING and o.deadline > now]
    past = [o for o in offers if o not in open_offers][:30]
    context = {
        "open_offers": _offer_rows(open_offers),
        "past_offers": _offer_rows(past),
        "countdown": answer_within_forms(),
    }
    return render(request, "staffing/offers/list.html", context)


def _answer(request: HttpRequest, offer: Offer) -> tuple[int, str]:
    """Take the posted answer (accept / decline); returns how it went, as a message level and
    text for the page to say."""
    try:
        if text_param(request.POST, "answer") == "accept":
            offer_accept(offer=offer, by=request.user)
            return messages.SUCCESS, _("You are booked. Thank you! See you at work.")
        offer_decline(offer=offer, by=request.user, reason=text_param(request.POST, "reason"))
        return messages.INFO, _("You declined the offer. Thank you for answering.")
    except OfferError as error:
        return messages.WARNING, str(error)


@role_required(*CANDIDATES)
@require_POST
def offer_answer(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(offers_for_user(request.user), pk=pk)
    messages.add_message(request, *_answer(request, offer))
    return redirect("candidate_offers")


@role_required(*CANDIDATES)
def offer_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-tap link from the offer email: a confirm page (GET) and the answer (POST).

    The link names the offer and the user it was sent to; it still needs that user logged in
    (another candidate gets 404), and stops working when the offer closes.
    """
    try:
        link = offer_link_read(token=token)
    except signing.BadSignature:
        raise Http404 from None
    if link.user_id is None or link.user_id != request.user.pk:
        raise Http404
    offer = get_object_or_404(offers_for_user(request.user), pk=link.offer_id)
    if request.method == "POST":
        level, text = _answer(request, offer)
        offer.refresh_from_db()
        # A closed offer's page says in its own box how it ended (booked, filled, expired...);
        # the same words again in a banner above it would be said twice.
        if offer.is_open:
            messages.add_message(request, level, text)
        return redirect("offer_link", token=token)
    context = {
        "row": _offer_rows([offer])[0],
        "offer": offer,
        "is_open": offer.is_open,
        "token": token,
        "countdown": answer_within_forms(),
    }
    return render(request, "staffing/offers/confirm.html", context)


@role_required(*CANDIDATES)
def candidate_assignments(request: HttpRequest) -> HttpResponse:
    candidate = own_candidate(request.user)
    placements = list(
        placements_for_user(request.user).select_related(
            "request__site", "request__company", "request__service_profile", "shift"
        )
    )
    records = {
        r.placement_id: r
        for r in ReliabilityRecord.objects.filter(candidate=candidate).order_by("created_at")
    }
    ratings = _ratings(placements)
    now = timezone.now()
    rows = [
        {"placement": p, "record": records.get(p.pk), "rating": ratings.get(p.pk)}
        for p in placements
    ]
    upcoming = [
        r
        for r in rows
        if r["placement"].status == Placement.Status.CONFIRMED
        and r["placement"].shift.ends_at > now
    ]
    context = {
        "upcoming": upcoming,
        "past": [r for r in reversed(rows) if r not in upcoming][:50],
        "late_limit": now + LATE_CANCELLATION,
    }
    return render(request, "staffing/offers/assignments.html", context)


def _ratings(placements: list[Placement]) -> dict[int, ServiceRating]:
    """The client's rating of each placement, once given."""
    return {
        r.placement_id: r
        for r in ServiceRating.objects.filter(placement__in=[p.pk for p in placements])
    }


@role_required(*CANDIDATES)
@require_POST
def assignment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    placement = get_object_or_404(placements_for_user(request.user), pk=pk)
    try:
        placement_cancel(
            placement=placement, by=request.user, reason=text_param(request.POST, "reason")
        )
        messages.info(request, _("Your assignment is cancelled. Thank you for telling us."))
    except PlacementError as error:
        messages.warning(request, str(error))
    return redirect("candidate_assignments")


@role_required(*CANDIDATES)
@require_POST
def record_contest(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(
        ReliabilityRecord.objects.filter(candidate=own_candidate(request.user)), pk=pk
    )
    try:
        reliability_record_contest(
            record=record, by=request.user, reason=text_param(request.POST, "reason")
        )
        messages.info(request, _("Thank you. The agency will look into it and answer you."))
    except PlacementError as error:
        messages.warning(request, str(error))
    return redirect("candidate_assignments")


def offers_panel_context(
    staffing_request: StaffingRequest,
    *,
    shortlist: Shortlist | Unread | None = UNREAD,
    shifts: list[Shift] | None = None,
) -> dict:
    """What the live offers panel shows, and the status the rest of the request page reads
    (`shortlist` and `shifts` as `request_status` takes them, when the page has read them)."""
    if shortlist is UNREAD:
        shortlist = staffing_request.current_shortlist
    return {
        "req": staffing_request,
        "status": request_status(staffing_request, shortlist=shortlist, shifts=shifts),
        "offers": list(staffing_request.offers.select_related("candidate").order_by("wave", "pk")),
        "shortlist_approved": bool(shortlist and shortlist.approved_at),
        "now": timezone.now(),
    }


@role_required(*RECRUITERS)
def request_offers(request: HttpRequest, pk: int) -> HttpResponse:
    """The recruiter's live panel of a request's offers, answers and placements (htmx-polled),
    with the page's badge and Progress swapped in beside it. Opened as a page of its own (a
    bookmark, a new tab), it is the request page at the panel."""
    staffing_request = request_for_user(request.user, pk)
    if not request.htmx:
        url = reverse("recruiter_request_detail", args=[staffing_request.pk])
        return redirect(f"{url}#offers-panel")
    context = {**offers_panel_context(staffing_request), "oob": True}
    return render(request, "staffing/_offers.html", context)
