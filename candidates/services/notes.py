"""Keeping in touch: recruiters' notes and tasks on a person, and the morning digest of tasks due.

Notes and task titles are free text for people only. Nothing here touches the person's matching
data (no `touch()`, no bench refresh): the engine never reads them, and a test proves it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate, CandidateNote, CandidateTask
from staffing.base.access import RECRUITERS
from staffing.base.audit import audit_record
from staffing.base.models import User
from staffing.base.outbox import email_queue

NOTE_MAX_LENGTH = 4000


class NoteError(ValueError):
    """A note or task that cannot be saved; the message is for the user."""


def task_assignees() -> QuerySet[User]:
    """Who may be given a task: the agency's active recruiters and admins."""
    return User.objects.filter(role__in=RECRUITERS, is_active=True).order_by(
        "first_name", "last_name", "email"
    )


@transaction.atomic
def note_add(*, candidate: Candidate, by: User, text: str) -> CandidateNote:
    """Add a note on the person (the audit row records that one was written, not its text)."""
    text = text.strip()
    if not text:
        raise NoteError(_("Write the note first."))
    if len(text) > NOTE_MAX_LENGTH:
        raise NoteError(_("A note can be at most %(n)d characters.") % {"n": NOTE_MAX_LENGTH})
    note = CandidateNote.objects.create(candidate=candidate, author=by, text=text)
    audit_record(actor=by, action="note.added", target=note, candidate_id=candidate.pk)
    return note


@transaction.atomic
def task_add(
    *, candidate: Candidate, by: User, title: str, due_on: dt.date, assignee: User
) -> CandidateTask:
    """Give someone at the agency a task about the person, due on a date."""
    title = title.strip()
    if not title:
        raise NoteError(_("Say what is to be done."))
    if not task_assignees().filter(pk=assignee.pk).exists():
        raise NoteError(_("A task can be given only to a recruiter."))
    task = CandidateTask.objects.create(
        candidate=candidate, title=title[:200], due_on=due_on, assignee=assignee, created_by=by
    )
    audit_record(
        actor=by,
        action="task.added",
        target=task,
        candidate_id=candidate.pk,
        data={"due_on": due_on.isoformat(), "assignee_id": assignee.pk},
    )
    return task


@transaction.atomic
def task_done(*, task: CandidateTask, by: User) -> bool:
    """Mark the task done; False if it was done already (a double click changes nothing)."""
    now = timezone.now()
    claimed = CandidateTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=now, done_by=by
    )
    if claimed:
        task.done_at, task.done_by = now, by
        audit_record(actor=by, action="task.done", target=task, candidate_id=task.candidate_id)
    return bool(claimed)


TASK_VIEWS = ("open", "overdue", "done")


def tasks_for_user(*, user: User, show: str, today: dt.date | None = None) -> QuerySet:
    """The user's tasks: open (due any day), overdue (open and due before today), or done
    (the latest first)."""
    today = today or timezone.localdate()
    mine = CandidateTask.objects.filter(assignee=user).select_related("candidate", "created_by")
    mine = mine.exclude(candidate__status=Candidate.Status.ERASED)
    if show == "done":
        return mine.filter(done_at__isnull=False).order_by("-done_at")
    if show == "overdue":
        return mine.open().filter(due_on__lt=today)
    return mine.open()


def task_digests_send(*, today: dt.date | None = None) -> int:
    """The morning email: each assignee with open tasks due today or overdue gets one list.

    At most one digest per person per day, however often this runs (the outbox key names the
    day); nobody gets an email on a day nothing is due. Returns the digests queued.
    """
    today = today or timezone.localdate()
    due = (
        CandidateTask.objects.due_by(today)
        .exclude(candidate__status=Candidate.Status.ERASED)
        .filter(assignee__is_active=True, assignee__role__in=RECRUITERS)
        .select_related("candidate", "assignee")
        .order_by("assignee_id", "due_on", "id")
    )
    by_user: dict[int, list[CandidateTask]] = {}
    for task in due:
        by_user.setdefault(task.assignee_id, []).append(task)
    queued = 0
    link = settings.SITE_URL + reverse("recruiter_tasks")
    for tasks in by_user.values():
        user = tasks[0].assignee
        assert user is not None  # filtered on the assignee above
        with transaction.atomic():
            email = email_queue(
                key=f"task-digest:{user.pk}:{today.isoformat()}",
                to=user.email,
                language=user.language,
                template="recruiter_task_digest",
                context={"tasks": tasks, "today": today, "link": link},
            )
        queued += email is not None
    return queued
