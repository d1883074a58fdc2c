"""Notes and tasks on a person, My tasks, and the morning digest of tasks due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate, CandidateNote, CandidateTask
from candidates.services.notes import NoteError, note_add, task_add, task_digests_send, task_done
from staffing.matching.pool import Pool
from staffing.models import AuditEvent, OutboundEmail
from staffing.services.pool import features_load
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


TODAY = dt.date(2026, 3, 10)  # a Tuesday


@pytest.fixture
def recruiter(client):
    user = f.RecruiterFactory(language="en")
    client.force_login(user)
    return user


def _batch_columns(batch) -> dict:
    """The person's features as the engine sees them (JSON: NaN read back as None)."""
    pool = Pool()
    pool.upsert(batch)
    return pool.features(0).to_json()


def test_a_note_is_never_read_by_matching(recruiter):
    person = f.CandidateFactory(matching_consent=True)
    before = _batch_columns(features_load(ids=[person.pk]))
    version = Candidate.objects.get(pk=person.pk).updated_at
    note_add(candidate=person, by=recruiter, text="Speaks fluent Swedish, prefers evenings")
    # The person's matching data did not move, so no worker reloads them because of a note...
    assert Candidate.objects.get(pk=person.pk).updated_at == version
    # ...and what the engine is given is the same, read by queries that never touch notes.
    with CaptureQueriesContext(connection) as queries:
        after = _batch_columns(features_load(ids=[person.pk]))
    assert after == before
    tables = (CandidateNote._meta.db_table, CandidateTask._meta.db_table)
    assert queries.captured_queries
    assert not [q for q in queries.captured_queries if any(t in q["sql"] for t in tables)]


def test_recruiter_adds_a_note_and_a_task_on_the_page(client, recruiter):
    person = f.CandidateFactory()
    colleague = f.RecruiterFactory(first_name="Ville", last_name="Väänänen")
    url = reverse("recruiter_candidate_detail", args=[person.pk])
    page = client.get(url).content.decode()
    assert "never used for matching" in page
    client.post(reverse("recruiter_note_add", args=[person.pk]), {"text": "Met at the fair"})
    response = client.post(
        reverse("recruiter_task_add", args=[person.pk]),
        {"title": "Call back Tuesday", "due_on": "2026-03-10", "assignee": colleague.pk},
    )
    assert response.status_code == 302 and response.url.endswith("#tasks")
    task = CandidateTask.objects.get()
    assert (task.assignee, task.created_by, task.due_on) == (colleague, recruiter, TODAY)
    page = client.get(url).content.decode()
    assert "Met at the fair" in page and "Call back Tuesday" in page
    actions = set(AuditEvent.objects.filter(candidate=person).values_list("action", flat=True))
    assert {"note.added", "task.added"} <= actions
    assert "Met at the fair" not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_bad_note_and_task_get_a_message_not_an_error(client, recruiter):
    person = f.CandidateFactory()
    candidate_user = f.CandidateUserFactory()
    client.post(reverse("recruiter_note_add", args=[person.pk]), {"text": "   "})
    response = client.post(
        reverse("recruiter_task_add", args=[person.pk]),
        {"title": "x", "due_on": "not a date", "assignee": candidate_user.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "The task was not saved" in response.content.decode()
    assert not CandidateNote.objects.exists() and not CandidateTask.objects.exists()
    with pytest.raises(NoteError):
        task_add(candidate=person, by=recruiter, title="x", due_on=TODAY, assignee=candidate_user)


def test_my_tasks_open_overdue_done_and_mark_done_by_post(client, recruiter):
    person = f.CandidateFactory(first_name="Saara")
    today = timezone.localdate()
    late = task_add(
        candidate=person,
        by=recruiter,
        title="Check references",
        due_on=today - dt.timedelta(1),
        assignee=recruiter,
    )
    soon = task_add(
        candidate=person,
        by=recruiter,
        title="Call back",
        due_on=today + dt.timedelta(2),
        assignee=recruiter,
    )
    others = task_add(
        candidate=person,
        by=recruiter,
        title="Not mine",
        due_on=today,
        assignee=f.RecruiterFactory(),
    )
    url = reverse("recruiter_tasks")
    page = client.get(url).content.decode()
    assert "Check references" in page and "Call back" in page and "Not mine" not in page
    overdue = client.get(url, {"show": "overdue"}).content.decode()
    assert "Check references" in overdue and "Call back" not in overdue
    done_url = reverse("recruiter_task_done", args=[late.pk])
    assert client.get(done_url).status_code == 405  # never on GET
    assert client.post(done_url).status_code == 302
    late.refresh_from_db()
    assert late.done_at is not None and late.done_by == recruiter
    assert "Check references" in client.get(url, {"show": "done"}).content.decode()
    assert "Check references" not in client.get(url).content.decode()
    assert not task_done(task=late, by=recruiter)  # done once
    assert soon.done_at is None and others.done_at is None


def test_task_of_an_erased_or_unknown_person_is_404(client, recruiter):
    person = f.CandidateFactory()
    task = task_add(candidate=person, by=recruiter, title="x", due_on=TODAY, assignee=recruiter)
    Candidate.objects.filter(pk=person.pk).update(status=Candidate.Status.ERASED)
    assert client.post(reverse("recruiter_task_done", args=[task.pk])).status_code == 404
    assert client.post(reverse("recruiter_task_done", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["candidate", "manager"])
def test_clients_and_candidates_get_403_on_every_action(client, role):
    person = f.CandidateFactory()
    recruiter = f.RecruiterFactory()
    task = task_add(candidate=person, by=recruiter, title="x", due_on=TODAY, assignee=recruiter)
    user = f.CandidateUserFactory() if role == "candidate" else f.ClientManagerFactory()
    client.force_login(user)
    for url in (
        reverse("recruiter_note_add", args=[person.pk]),
        reverse("recruiter_task_add", args=[person.pk]),
        reverse("recruiter_task_done", args=[task.pk]),
    ):
        assert client.post(url, {"text": "x", "title": "x"}).status_code == 403
    assert client.get(reverse("recruiter_tasks")).status_code == 403
    assert not CandidateNote.objects.exists()
    task.refresh_from_db()
    assert task.done_at is None


def _digests() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(key__startswith="task-digest:").order_by("id"))


def test_morning_digest_across_days(queued_tasks, django_capture_on_commit_callbacks):
    ana = f.RecruiterFactory(email="ana@agency.fi", language="en")
    ben = f.RecruiterFactory(email="ben@agency.fi", language="fi")
    person = f.CandidateFactory(first_name="Aino", last_name="Aalto")
    add = task_add
    add(candidate=person, by=ana, title="Call back", due_on=TODAY, assignee=ana)
    later = add(
        candidate=person,
        by=ana,
        title="Check references",
        due_on=TODAY + dt.timedelta(1),
        assignee=ana,
    )
    add(
        candidate=person,
        by=ana,
        title="Ask about Sundays",
        due_on=TODAY + dt.timedelta(7),
        assignee=ben,
    )

    # Nothing due before Tuesday: no email at all.
    assert task_digests_send(today=TODAY - dt.timedelta(1)) == 0
    assert _digests() == []

    # Tuesday: Ana's one task; run twice (a doubled beat), still one email.
    with django_capture_on_commit_callbacks(execute=True):
        assert task_digests_send(today=TODAY) == 1
    assert task_digests_send(today=TODAY) == 0
    (tuesday,) = _digests()
    assert tuesday.to == "ana@agency.fi" and "Call back" in tuesday.body
    assert "Aino Aalto" in tuesday.body and "Check references" not in tuesday.body
    assert "1 task due today" in tuesday.subject
    assert ("staffing.tasks.send_email", (tuesday.pk,)) in queued_tasks

    # Wednesday: Tuesday's task still open (overdue) and Wednesday's: one new email with both.
    assert task_digests_send(today=TODAY + dt.timedelta(1)) == 1
    wednesday = _digests()[-1]
    assert "Call back" in wednesday.body and "(overdue)" in wednesday.body
    assert "Check references" in wednesday.body

    # Thursday, everything of Ana's done and Ben's not due yet: nobody gets an email.
    for task in CandidateTask.objects.filter(assignee=ana):
        task_done(task=task, by=ana)
    assert task_digests_send(today=TODAY + dt.timedelta(2)) == 0
    assert len(_digests()) == 2
    later.refresh_from_db()
    assert later.done_at is not None


def test_digest_task_is_scheduled_and_runs_by_name(settings, queued_tasks):
    from tests.conftest import run_queued

    schedule = settings.CELERY_BEAT_SCHEDULE["send-task-digests"]
    assert schedule["task"] == "candidates.tasks.send_task_digests"
    recruiter = f.RecruiterFactory()
    task_add(
        candidate=f.CandidateFactory(),
        by=recruiter,
        title="Call",
        due_on=timezone.localdate(),
        assignee=recruiter,
    )
    queued_tasks.append((schedule["task"], ()))
    run_queued(queued_tasks)
    (digest,) = _digests()
    assert digest.subject and "Call" in digest.body
