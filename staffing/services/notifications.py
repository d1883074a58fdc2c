"""What people are told, and when: the staffing workflow's emails, queued in the outbox
(`staffing.base.outbox`) inside the transaction that caused them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from candidates.models import Candidate
from staffing.base.outbox import email_queue, email_render, emails_queue_written
from staffing.base.queueing import enqueue_on_commit, task_enqueue
from staffing.models import Offer, OutboundEmail, Placement, StaffingRequest, User
from staffing.presenters import answer_within_text, offer_reasons, pay_range_text


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
    """What every request email says."""
    return {
        "req": req,
        "site": req.site,
        "company": req.company,
        "profile": req.service_profile,
        "shifts": list(req.shifts.active()),
    }


def offer_made_notify(*, offer: Offer, link_path: str) -> OutboundEmail | None:
    """The offer, with a one-tap link (`link_path`, signed by the caller) to answer it."""
    to, language = _candidate_address(offer.candidate)
    with translation.override(language):
        reasons = offer_reasons(offer.shortlist_entry.explanation if offer.shortlist_entry else {})
        pay = pay_range_text(offer.request.service_profile)
        answer_within = answer_within_text(deadline=offer.deadline, now=timezone.now())
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
            "pay": pay,
            "answer_within": answer_within,
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


ALERT_TASK = "staffing.tasks.alert_urgent_request"
ALERT_LOCK = 1_801  # this alert's advisory-lock namespace (with the request id)
ALERTED_ROLES = (User.Role.RECRUITER, User.Role.ADMIN)  # who hears of urgent requests
_FINAL = (StaffingRequest.Status.FILLED, StaffingRequest.Status.CANCELLED)


def urgent_request_alert_enqueue(*, staffing_request: StaffingRequest) -> None:
    """Have the recruiters told about an urgent request once it is committed.

    Not in the order's own transaction: the client waits for the order's answer, and in a
    burst of orders every millisecond of it delays the others' shortlists. The offers worker
    writes the alert (`urgent_request_alert`); a lost task is found by the emails' sweep
    (`urgent_alerts_unwritten_requeue`)."""
    enqueue_on_commit(ALERT_TASK, staffing_request.pk)


def urgent_request_alert(*, request_id: int) -> list[OutboundEmail]:
    """Tell every recruiter that an urgent request came in, each once: a redelivered task or
    the sweep's finds the recruiters already told and writes nothing for them."""
    req = (
        StaffingRequest.objects.select_related("site", "company", "service_profile")
        .filter(pk=request_id, urgency=StaffingRequest.Urgency.URGENT)
        .exclude(status__in=_FINAL)
        .first()
    )
    if req is None:  # gone, or filled or cancelled before the alert was written: nothing to say
        return []
    with transaction.atomic():
        # Two runs at once (a redelivery beside the sweep's) write one alert: a lock of its
        # own, not the request row's, which the matching worker claims.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ALERT_LOCK, request_id])
        return _urgent_alert_emails(staffing_request=req)


def _urgent_alert_emails(*, staffing_request: StaffingRequest) -> list[OutboundEmail]:
    """The alert's emails: every active recruiter not told yet, each in their language."""
    recruiters = list(
        User.objects.filter(role__in=ALERTED_ROLES, is_active=True)
        .order_by("pk")
        .values_list("pk", "email", "language")
    )
    if not recruiters:
        return []
    # Those told before (a redelivered task, the sweep's) first: nothing is written for them.
    keys = {pk: f"urgent:{staffing_request.pk}:{pk}" for pk, _address, _language in recruiters}
    told = set(OutboundEmail.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    recruiters = [r for r in recruiters if keys[r[0]] not in told]
    if not recruiters:
        return []
    link = _absolute(reverse("recruiter_request_detail", args=[staffing_request.pk]))
    context = {**_request_context(staffing_request), "link": link}
    # The same words for everyone who reads a language: written once per language, and all
    # stored with one insert.
    written: dict[str, tuple[str, str]] = {}
    emails = []
    for pk, address, language in recruiters:
        language = language or settings.LANGUAGE_CODE
        if language not in written:
            written[language] = email_render(
                template="recruiter_urgent", language=language, context=context
            )
        subject, body = written[language]
        emails.append(
            {
                "key": keys[pk],
                "to": address,
                "language": language,
                "subject": subject,
                "body": body,
            }
        )
    return emails_queue_written(emails=emails, new_keys=True)  # read just above, under the lock


def urgent_alerts_unwritten_requeue(
    *, waited: dt.timedelta, within: dt.timedelta = dt.timedelta(hours=24), limit: int = 200
) -> int:
    """Queue again the alerts of urgent requests that came in more than `waited` ago (and
    less than `within`), are still open and have no alert at all (their task was lost: the
    broker was down, a worker was killed); returns how many were queued.

    "No alert at all", not "no alert to a recruiter active now": a recruiter who joins later
    is not sent the past day's alerts when the others were told."""
    recruiters = User.objects.filter(role__in=ALERTED_ROLES, is_active=True).exclude(email="")
    if not recruiters.exists():
        return 0
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _UNALERTED_SQL,
            {
                "urgent": StaffingRequest.Urgency.URGENT.value,
                "since": now - within,
                "until": now - waited,
                "final": [str(status) for status in _FINAL],
                "limit": limit,
            },
        )
        ids = [row[0] for row in cursor.fetchall()]
    queued = 0
    for request_id in ids:
        if not task_enqueue(ALERT_TASK, request_id):
            break  # the broker is down: the next sweep tries again
        queued += 1
    return queued


# An alert exists = an outbox key starting with the request's "urgent:<id>:", for the open
# urgent requests of the window. As a range of the pattern operators (";" follows ":"), which
# the key's varchar_pattern_ops index answers per request: a LIKE with a pattern computed per
# row cannot use it and read the whole outbox for each request.
_UNALERTED_SQL = f"""SELECT r.id FROM {StaffingRequest._meta.db_table} r
    WHERE r.urgency = %(urgent)s AND r.created_at >= %(since)s AND r.created_at < %(until)s
        AND r.status <> ALL(%(final)s)
        AND NOT EXISTS (
            SELECT 1 FROM {OutboundEmail._meta.db_table} e
            WHERE e.key ~>=~ ('urgent:' || r.id || ':') AND e.key ~<~ ('urgent:' || r.id || ';'))
    ORDER BY r.id LIMIT %(limit)s"""


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


def request_entered_notify(*, staffing_request: StaffingRequest) -> list[OutboundEmail]:
    """A recruiter took the client's order by phone: the client manager(s) it is for get the
    request in writing, with a link to follow it (each in their own language)."""
    req = staffing_request
    entered_by = req.entered_by
    context = {
        **_request_context(req),
        "recruiter": (entered_by.get_full_name() or entered_by.email) if entered_by else "",
        "link": _absolute(reverse("client_request_detail", args=[req.pk])),
    }
    sent = []
    for manager in _client_managers(req):
        email = email_queue(
            key=f"entered:{req.pk}:{manager.pk}",
            to=manager.email,
            language=manager.language or settings.LANGUAGE_CODE,
            template="client_request_entered",
            context=context,
        )
        if email:
            sent.append(email)
    return sent
