"""The email outbox: every email is a row queued inside the transaction that caused it, and sent
by a worker after the commit.

Each email is rendered in its recipient's language when queued and stored under a key naming
the event, so the same event never queues two emails; the sending task claims the row with a
conditional update, so each email goes out at most once in the normal case. A row a dead worker
left `sending` is reclaimed by the sweep and sent again with the same Message-ID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from staffing.base.models import OutboundEmail
from staffing.base.queueing import enqueue_on_commit, task_enqueue

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
    subject, body = email_render(template=template, language=language, context=context)
    return email_queue_written(key=key, to=to, language=language, subject=subject, body=body)


def email_render(*, template: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of `emails/<template>` in `language`."""
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}.txt", context)
    return subject, body


def email_queue_written(
    *, key: str, to: str, language: str, subject: str, body: str
) -> OutboundEmail | None:
    """Queue an email already written in `language`; None when the key was queued before."""
    if not to:
        return None
    email, created = OutboundEmail.objects.get_or_create(
        key=key,
        defaults={"to": to, "language": language, "subject": subject[:200], "body": body},
    )
    if not created:
        return None
    enqueue_on_commit("staffing.tasks.send_email", email.pk)
    return email


# A bulk action publishes this many send tasks at once; the outbox sweep sends the rest
# (EMAIL_REQUEUE_SECONDS after they were queued, 500 a sweep), so that inviting an imported
# list of 10,000 does not keep its worker publishing for minutes.
BULK_PUBLISH_NOW = 200


def emails_queue_written(
    *, emails: list[dict[str, str]], new_keys: bool = False
) -> list[OutboundEmail]:
    """Queue many emails already written (each a dict of key, to, language, subject, body)
    with one insert, for a bulk action such as inviting an imported list; keys queued before
    are skipped (`new_keys`: the caller knows none can have been, as they name a row its
    transaction created). The first BULK_PUBLISH_NOW send tasks are published after the
    commit."""
    keys = [e["key"] for e in emails if e["to"]]
    taken = (
        set()
        if new_keys
        else set(OutboundEmail.objects.filter(key__in=keys).values_list("key", flat=True))
    )
    rows = [
        OutboundEmail(
            key=e["key"],
            to=e["to"],
            language=e["language"],
            subject=e["subject"][:200],
            body=e["body"],
        )
        for e in emails
        if e["to"] and e["key"] not in taken
    ]
    created = OutboundEmail.objects.bulk_create(rows, batch_size=1000)
    ids = [row.pk for row in created[:BULK_PUBLISH_NOW]]
    if ids:
        transaction.on_commit(lambda: emails_enqueue(email_ids=ids))
    return created


# One send task carries at most this many emails (each claimed and sent in turn), so a list
# costs its publisher one message per this many, not one each.
SEND_BATCH = 25


def emails_enqueue(*, email_ids: list[int]) -> bool:
    """Ask a worker to send committed emails, SEND_BATCH to a task; False when the broker is
    unreachable (the sweep sends them later)."""
    if len(email_ids) == 1:
        return email_enqueue(email_id=email_ids[0])
    batches = [email_ids[i : i + SEND_BATCH] for i in range(0, len(email_ids), SEND_BATCH)]
    return all([task_enqueue("staffing.tasks.send_emails", batch) for batch in batches])


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
    if ids:
        emails_enqueue(email_ids=ids)
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
    return emails_send(email_ids=[email_id]) == 1


def emails_send(*, email_ids: list[int]) -> int:
    """Send those of these queued emails nobody has claimed yet, over one connection to the
    mail server; returns how many this call sent.

    All are claimed with one statement (a row another worker holds is skipped, never waited
    for), and those sent are marked with one: a batch costs the database four statements, not
    three per email. One the server refuses goes back to the queue for the sweep (or is given
    up after MAX_ATTEMPTS) and does not stop the others.
    """
    with transaction.atomic():
        claimed = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=email_ids, status=OutboundEmail.Status.PENDING)
            .order_by("pk")
        )
        if not claimed:
            return 0
        OutboundEmail.objects.filter(pk__in=[e.pk for e in claimed]).update(
            status=OutboundEmail.Status.SENDING,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    sent: list[int] = []
    refused: list[OutboundEmail] = []
    try:
        with get_connection() as mail_server:
            for email in claimed:
                try:
                    mail_server.send_messages([_message(email, mail_server)])
                except OSError:
                    refused.append(email)
                    logger.warning("Sending email %s failed.", email.pk, exc_info=True)
                else:
                    sent.append(email.pk)
    except OSError:  # the server was unreachable (or went away): nothing more went out
        logger.warning("The mail server could not be reached.", exc_info=True)
        refused += [e for e in claimed if e.pk not in sent and e not in refused]
    if sent:
        OutboundEmail.objects.filter(pk__in=sent).update(
            status=OutboundEmail.Status.SENT, sent_at=timezone.now()
        )
    for email in refused:
        # Nothing went out: the sweep tries again, up to MAX_ATTEMPTS.
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundEmail.Status.FAILED
            if email.attempts + 1 >= MAX_ATTEMPTS
            else OutboundEmail.Status.PENDING
        )
    return len(sent)


def _message(email: OutboundEmail, mail_server: Any) -> EmailMessage:
    return EmailMessage(
        email.subject,
        email.body,
        settings.DEFAULT_FROM_EMAIL,
        [email.to],
        headers={"Message-ID": email_message_id(email)},
        connection=mail_server,
    )
