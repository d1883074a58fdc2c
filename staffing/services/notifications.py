"""Emails: queued in the database inside the transaction that caused them, sent by Celery after.

Each email is rendered in its recipient's language when queued and stored in `OutboundEmail`
under a key naming the event, so the same event never queues two emails; the sending task claims
the row with a conditional update, so each email goes out at most once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from candidates.models import Candidate
from staffing.celery import enqueue_on_commit, task_enqueue
from staffing.models import Offer, OutboundEmail, Placement, StaffingRequest, User

logger = logging.getLogger(__name__)

# An email whose sending failed this many times is given up (marked failed).
MAX_ATTEMPTS = 5


def email_queue(
    *, key: str, to: str, language: str, template: str, context: dict[str, Any]
) -> OutboundEmail | None:
    """Render `emails/<template>` in `language` and queue it; None when the key was queued before.

    Call inside the transaction that caused the email: the row commits with it, and the send
    task is queued only after the commit.
    """
    if not to:
        return None
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}.txt", context)
    email, created = OutboundEmail.objects.get_or_create(
        key=key,
        defaults={"to": to, "language": language, "subject": subject[:200], "body": body},
    )
    if not created:
        return None
    enqueue_on_commit("staffing.tasks.send_email", email.pk)
    return email


def email_enqueue(*, email_id: int) -> bool:
    """Ask a worker to send a committed email; False when the broker is unreachable (the sweep
    sends it later)."""
    return task_enqueue("staffing.tasks.send_email", email_id)


def emails_unsent_requeue(*, waited: dt.timedelta, limit: int = 500) -> int:
    """Queue again emails still waiting `waited` after they were queued (the broker was down),
    after reclaiming those a dead worker left half-sent; returns how many were queued. Sending
    claims the row, so a duplicate task is harmless."""
    emails_stuck_reclaim()
    cutoff = timezone.now() - waited
    ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:limit]
    )
    for email_id in ids:
        email_enqueue(email_id=email_id)
    return len(ids)


def emails_stuck_reclaim(*, now: dt.datetime | None = None) -> int:
    """Put back emails left `sending` longer than EMAIL_SENDING_TIMEOUT_SECONDS (the worker
    died while sending) so they are sent again, or mark them failed after MAX_ATTEMPTS.

    Whether the dead worker's attempt reached the mail server cannot be known; a resend carries
    the same Message-ID (`email_message_id`), so a receiver can drop the second copy.
    """
    now = now or timezone.now()
    stuck = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING,
        claimed_at__lt=now - dt.timedelta(seconds=settings.EMAIL_SENDING_TIMEOUT_SECONDS),
    )
    failed = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(status=OutboundEmail.Status.FAILED)
    reclaimed = stuck.update(status=OutboundEmail.Status.PENDING, claimed_at=None)
    if failed or reclaimed:
        logger.warning("Reclaimed %s stuck emails; %s given up.", reclaimed, failed)
    return reclaimed


def email_message_id(email: OutboundEmail) -> str:
    """The same Message-ID for every attempt at one email (its key is the event it tells of)."""
    digest = hashlib.sha256(email.key.encode()).hexdigest()[:24]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "staffing.invalid"
    return f"<{email.pk}.{digest}@{domain}>"


def email_send(*, email_id: int) -> bool:
    """Send one queued email if nobody has claimed it yet; True when this call sent it."""
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMessage(
        email.subject,
        email.body,
        settings.DEFAULT_FROM_EMAIL,
        [email.to],
        headers={"Message-ID": email_message_id(email)},
    )
    try:
        message.send()
    except OSError:
        # Nothing went out (the server refused or was unreachable): let the sweep try again.
        email.status = (
            OutboundEmail.Status.FAILED
            if email.attempts >= MAX_ATTEMPTS
            else OutboundEmail.Status.PENDING
        )
        email.save(update_fields=["status"])
        logger.warning("Sending email %s failed.", email_id, exc_info=True)
        return False
    email.status = OutboundEmail.Status.SENT
    email.sent_at = timezone.now()
    email.save(update_fields=["status", "sent_at"])
    return True


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _candidate_address(candidate: Candidate) -> tuple[str, str]:
    user = candidate.user
    if user is not None:
        return user.email, user.language or settings.LANGUAGE_CODE
    return candidate.email, settings.LANGUAGE_CODE


def _client_managers(req: StaffingRequest) -> list[User]:
    """Who hears about a request on the client side: its submitter, else the company's managers."""
    if req.submitted_by is not None and req.submitted_by.is_active:
        return [req.submitted_by]
    return [m.user for m in req.company.memberships.select_related("user") if m.user.is_active]


def _request_context(req: StaffingRequest) -> dict[str, Any]:
    return {
        "req": req,
        "site": req.site,
        "company": req.company,
        "profile": req.service_profile,
        "shifts": list(req.shifts.active()),
    }


def offer_made_notify(*, offer: Offer, link_path: str) -> OutboundEmail | None:
    """The offer, with a one-tap link (`link_path`, signed by the caller) to answer it."""
    from staffing.presenters import offer_reasons

    to, language = _candidate_address(offer.candidate)
    with translation.override(language):
        reasons = offer_reasons(offer.shortlist_entry.explanation if offer.shortlist_entry else {})
    return email_queue(
        key=f"offer:{offer.pk}:{offer.wave}",
        to=to,
        language=language,
        template="offer_made",
        context={
            **_request_context(offer.request),
            "offer": offer,
            "candidate": offer.candidate,
            "reasons": reasons,
            "link": _absolute(link_path),
        },
    )


def offer_closed_notify(*, offer: Offer) -> OutboundEmail | None:
    """The work was filled by others, or withdrawn, before this person answered."""
    to, language = _candidate_address(offer.candidate)
    return email_queue(
        key=f"offer-closed:{offer.pk}:{offer.wave}",
        to=to,
        language=language,
        template="offer_closed",
        context={
            **_request_context(offer.request),
            "offer": offer,
            "candidate": offer.candidate,
            "offers_link": _absolute(reverse("candidate_offers")),
        },
    )


def placement_confirmed_notify(*, offer: Offer, confirmed: int) -> list[OutboundEmail]:
    """Tell the client a person confirmed, and how many of the headcount are now confirmed."""
    req = offer.request
    sent = []
    for manager in _client_managers(req):
        email = email_queue(
            key=f"confirmed:{offer.pk}:{offer.wave}:{manager.pk}",
            to=manager.email,
            language=manager.language or settings.LANGUAGE_CODE,
            template="client_confirmed",
            context={
                **_request_context(req),
                "first_name": offer.candidate.first_name,
                "confirmed": confirmed,
                "link": _absolute(reverse("client_request_detail", args=[req.pk])),
            },
        )
        if email:
            sent.append(email)
    return sent


def placement_cancelled_notify(*, placement: Placement, by_candidate: bool) -> list[OutboundEmail]:
    """Tell the client and the person that a placement was cancelled."""
    req = placement.request
    context = {
        **_request_context(req),
        "placement": placement,
        "shift": placement.shift,
        "first_name": placement.candidate.first_name,
        "by_candidate": by_candidate,
    }
    sent = []
    for manager in _client_managers(req):
        sent.append(
            email_queue(
                key=f"cancelled-client:{placement.pk}:{manager.pk}",
                to=manager.email,
                language=manager.language or settings.LANGUAGE_CODE,
                template="client_cancelled",
                context={
                    **context,
                    "link": _absolute(reverse("client_request_detail", args=[req.pk])),
                },
            )
        )
    to, language = _candidate_address(placement.candidate)
    sent.append(
        email_queue(
            key=f"cancelled-candidate:{placement.pk}",
            to=to,
            language=language,
            template="candidate_cancelled",
            context={**context, "link": _absolute(reverse("candidate_assignments"))},
        )
    )
    return [e for e in sent if e]


def urgent_request_notify(*, staffing_request: StaffingRequest) -> list[OutboundEmail]:
    """Tell every recruiter that an urgent request came in."""
    recruiters = list(
        User.objects.filter(role__in=[User.Role.RECRUITER, User.Role.ADMIN], is_active=True)
        .order_by("pk")
        .values_list("pk", "email", "language")
    )
    if not recruiters:
        return []
    link = _absolute(reverse("recruiter_request_detail", args=[staffing_request.pk]))
    context = {**_request_context(staffing_request), "link": link}
    sent = []
    for pk, address, language in recruiters:
        email = email_queue(
            key=f"urgent:{staffing_request.pk}:{pk}",
            to=address,
            language=language or settings.LANGUAGE_CODE,
            template="recruiter_urgent",
            context=context,
        )
        if email:
            sent.append(email)
    return sent


def placements_cancelled_tell(*, placement_ids: list[int], reason: str) -> list[OutboundEmail]:
    """Tell people that the client cancelled their placements (a shift, the whole request, or
    declined them); `reason` is the code the client side gave."""
    placements = Placement.objects.filter(pk__in=placement_ids).select_related(
        "request__site", "request__company", "request__service_profile", "shift", "candidate__user"
    )
    sent = []
    for placement in placements:
        to, language = _candidate_address(placement.candidate)
        email = email_queue(
            key=f"cancelled-candidate:{placement.pk}",
            to=to,
            language=language,
            template="candidate_cancelled",
            context={
                **_request_context(placement.request),
                "placement": placement,
                "shift": placement.shift,
                "first_name": placement.candidate.first_name,
                "by_candidate": False,
                "reason": reason,
                "link": _absolute(reverse("candidate_assignments")),
            },
        )
        if email:
            sent.append(email)
    return sent
