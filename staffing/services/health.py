"""Is the system working? One answer for the load balancer (`/health/`), the agency admin's System
page and `manage.py health`: the database and Redis answer, workers are alive, beat runs its
schedules, requests get matched, emails go out and tasks do not fail.

Every Redis call here has a one-second connect and read timeout, so a stalled or stopped Redis
shows as a problem within a second instead of hanging the page.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis
from celery import schedules
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_celery_beat.models import PeriodicTask
from redis.backoff import NoBackoff
from redis.retry import Retry

from staffing.models import OutboundEmail, Shortlist, StaffingRequest, TaskFailure, WorkerHeartbeat

REDIS_TIMEOUT = 1.0
# A worker whose heartbeat is older than this is not alive; it is shown as lost for a while.
WORKER_ALIVE = dt.timedelta(seconds=30)
WORKER_LOST_SHOWN = dt.timedelta(minutes=10)
# A request still "received" this long after it arrived has waited too long for its shortlist.
REQUEST_WAIT = dt.timedelta(seconds=20)
EMAIL_STUCK = dt.timedelta(minutes=5)
EMAIL_FAILED_SHOWN = dt.timedelta(days=1)
TASK_FAILURES_SHOWN = dt.timedelta(hours=1)
# A schedule is late when its next run is overdue by its own interval, at least a minute (beat's
# own slack) and at most an hour (a nightly job an hour late is already worth a look).
SCHEDULE_GRACE_MIN = dt.timedelta(minutes=1)
SCHEDULE_GRACE_MAX = dt.timedelta(hours=1)
LISTED = 20
TITLES = {
    "database": gettext_lazy("Database"),
    "redis": gettext_lazy("Redis and task queues"),
    "workers": gettext_lazy("Workers"),
    "beat": gettext_lazy("Schedules (beat)"),
    "matching": gettext_lazy("Matching"),
    "emails": gettext_lazy("Emails"),
    "tasks": gettext_lazy("Failed tasks in the last hour"),
}


@dataclass(frozen=True)
class Check:
    """One line of the answer: `code` is stable (for scripts), `summary` is for people."""

    code: str
    ok: bool
    summary: str

    @property
    def title(self) -> str:
        return str(TITLES.get(self.code, self.code))


@dataclass(frozen=True)
class WorkerState:
    hostname: str
    pid: int
    started_at: dt.datetime
    last_seen: dt.datetime
    pool_ready: bool
    alive: bool


@dataclass(frozen=True)
class ScheduleState:
    name: str
    task: str
    enabled: bool
    last_run_at: dt.datetime | None
    due_at: dt.datetime | None
    late: bool


@dataclass(frozen=True)
class WaitingRequest:
    pk: int
    company: str
    created_at: dt.datetime


@dataclass
class SystemStatus:
    """Every check, in display order, with what the System page lists under each."""

    checked_at: dt.datetime
    checks: dict[str, Check] = field(default_factory=dict)
    queues: dict[str, int] | None = None
    workers: list[WorkerState] = field(default_factory=list)
    schedules: list[ScheduleState] = field(default_factory=list)
    last_match_at: dt.datetime | None = None
    waiting_requests: list[WaitingRequest] = field(default_factory=list)
    stuck_emails: list[OutboundEmail] = field(default_factory=list)
    failed_emails: list[OutboundEmail] = field(default_factory=list)
    task_failures: list[TaskFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks.values())

    @property
    def problems(self) -> list[Check]:
        return [check for check in self.checks.values() if not check.ok]


def _milliseconds(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def database_check() -> Check:
    """Does PostgreSQL answer a trivial query?"""
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return Check("database", False, _("Does not answer: %s") % type(error).__name__)
    return Check("database", True, _("Answered in %d ms") % _milliseconds(started))


def celery_queue_names() -> list[str]:
    """The queues workers take tasks from: CELERY_TASK_QUEUES when set, else Celery's default."""
    queues = getattr(settings, "CELERY_TASK_QUEUES", None)
    if not queues:
        return [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")]
    if isinstance(queues, dict):
        return [str(name) for name in queues]
    return [str(getattr(queue, "name", queue)) for queue in queues]


def broker_redis() -> redis.Redis:
    """A client for the broker's Redis that gives up after a second and never retries."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        url = "unix://" + url.removeprefix("redis+socket://")
    return redis.Redis.from_url(
        url,
        socket_timeout=REDIS_TIMEOUT,
        socket_connect_timeout=REDIS_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )


def redis_check(*, queues: list[str] | None = None) -> tuple[Check, dict[str, int] | None]:
    """Does the broker's Redis answer, and how many tasks wait in each of `queues`? One round
    trip; the lengths are None when Redis does not answer."""
    started = time.monotonic()
    client = broker_redis()
    try:
        pipe = client.pipeline(transaction=False)
        pipe.ping()
        for name in queues or []:
            pipe.llen(name)
        _pong, *lengths = pipe.execute()
    except Exception as error:
        return Check("redis", False, _("Does not answer: %s") % type(error).__name__), None
    finally:
        client.close()
    summary = _("Answered in %d ms") % _milliseconds(started)
    if queues:
        waiting = sum(lengths)
        summary += "; " + ngettext("%d task queued", "%d tasks queued", waiting) % waiting
    return Check("redis", True, summary), dict(zip(queues or [], lengths, strict=True))


def _workers(status: SystemStatus, now: dt.datetime) -> Check:
    rows = WorkerHeartbeat.objects.filter(last_seen__gte=now - WORKER_LOST_SHOWN)
    status.workers = [
        WorkerState(
            hostname=row.hostname,
            pid=row.pid,
            started_at=row.started_at,
            last_seen=row.last_seen,
            pool_ready=row.pool_ready,
            alive=row.last_seen >= now - WORKER_ALIVE,
        )
        for row in rows
    ]
    alive = sum(worker.alive for worker in status.workers)
    lost = len(status.workers) - alive
    if not alive:
        return Check("workers", False, _("No worker has reported in the last 30 seconds"))
    summary = ngettext("%d worker alive", "%d workers alive", alive) % alive
    if lost:
        summary += (
            "; "
            + ngettext("%d lost in the last 10 minutes", "%d lost in the last 10 minutes", lost)
            % lost
        )
    return Check("workers", True, summary)


def _as_schedule(value: object) -> schedules.BaseSchedule:
    if isinstance(value, int | float):
        return schedules.schedule(run_every=dt.timedelta(seconds=value))
    if isinstance(value, dt.timedelta):
        return schedules.schedule(run_every=value)
    assert isinstance(value, schedules.BaseSchedule)
    return value


def _schedule_state(
    name: str, entry: dict, task: PeriodicTask | None, now: dt.datetime
) -> ScheduleState:
    """When this schedule should have run next, and whether that is long past."""
    if task is None:
        return ScheduleState(name, entry["task"], False, None, None, True)
    schedule = _as_schedule(entry["schedule"])
    # Beat keeps its own row for a schedule it has not run yet: its creation is the reference.
    reference = (task.last_run_at or task.date_changed).astimezone(schedule.tz)
    due_at = now + schedule.remaining_estimate(reference)
    grace = min(max(due_at - reference, SCHEDULE_GRACE_MIN), SCHEDULE_GRACE_MAX)
    late = not task.enabled or now > due_at + grace
    return ScheduleState(name, entry["task"], task.enabled, task.last_run_at, due_at, late)


def _beat(status: SystemStatus, now: dt.datetime) -> Check:
    configured = settings.CELERY_BEAT_SCHEDULE
    tasks = {task.name: task for task in PeriodicTask.objects.filter(name__in=list(configured))}
    status.schedules = [
        _schedule_state(name, entry, tasks.get(name), now) for name, entry in configured.items()
    ]
    late = [s.name for s in status.schedules if s.late]
    if not tasks and configured:
        return Check("beat", False, _("Beat has not run any schedule yet"))
    if late:
        return Check("beat", False, _("Late or not running: %s") % ", ".join(late))
    count = len(status.schedules)
    return Check(
        "beat", True, ngettext("%d schedule on time", "%d schedules on time", count) % count
    )


def _matching(status: SystemStatus, now: dt.datetime) -> Check:
    last = Shortlist.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    status.last_match_at = last
    waiting = StaffingRequest.objects.filter(
        status=StaffingRequest.Status.RECEIVED,
        created_at__lt=now - REQUEST_WAIT,
        shortlists__isnull=True,
    ).order_by("created_at")
    count = waiting.count()
    status.waiting_requests = [
        WaitingRequest(pk, company, created_at)
        for pk, company, created_at in waiting.values_list("pk", "company__name", "created_at")[
            :LISTED
        ]
    ]
    if count:
        return Check(
            "matching",
            False,
            ngettext(
                "%d request has waited over 20 seconds for its shortlist",
                "%d requests have waited over 20 seconds for their shortlist",
                count,
            )
            % count,
        )
    return Check("matching", True, _("No request waiting over 20 seconds"))


def email_claimed_field() -> str:
    """The field that says when a row started `sending`: `claimed_at` where the model has it,
    else when it was queued."""
    try:
        OutboundEmail._meta.get_field("claimed_at")
    except FieldDoesNotExist:
        return "created_at"
    return "claimed_at"


def _emails(status: SystemStatus, now: dt.datetime) -> Check:
    stuck = (
        OutboundEmail.objects.annotate(claimed=Coalesce(F(email_claimed_field()), "created_at"))
        .filter(status=OutboundEmail.Status.SENDING, claimed__lt=now - EMAIL_STUCK)
        .order_by("claimed")
    )
    failed = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.FAILED, created_at__gte=now - EMAIL_FAILED_SHOWN
    )
    stuck_count, failed_count = stuck.count(), failed.count()
    status.stuck_emails = list(stuck.only("key", "status", "created_at")[:LISTED])
    status.failed_emails = list(failed.only("key", "status", "created_at")[:LISTED])
    if stuck_count or failed_count:
        return Check(
            "emails",
            False,
            _("%(stuck)d stuck sending over 5 minutes, %(failed)d failed in the last day")
            % {"stuck": stuck_count, "failed": failed_count},
        )
    return Check("emails", True, _("None stuck or failed"))


def _tasks(status: SystemStatus, now: dt.datetime) -> Check:
    failures = TaskFailure.objects.filter(failed_at__gte=now - TASK_FAILURES_SHOWN)
    count = failures.count()
    status.task_failures = list(failures[:LISTED])
    if count:
        return Check(
            "tasks",
            False,
            ngettext("%d failed in the last hour", "%d failed in the last hour", count) % count,
        )
    return Check("tasks", True, _("None failed in the last hour"))


SECTIONS: list[tuple[str, Callable[[SystemStatus, dt.datetime], Check]]] = [
    ("workers", _workers),
    ("beat", _beat),
    ("matching", _matching),
    ("emails", _emails),
    ("tasks", _tasks),
]


def system_status(*, now: dt.datetime | None = None) -> SystemStatus:
    """Every check. Never raises: a section whose query fails is itself a failed check, and
    while the database does not answer the sections that need it are not tried."""
    now = now or timezone.now()
    status = SystemStatus(checked_at=now)
    status.checks["database"] = database_check()
    status.checks["redis"], status.queues = redis_check(queues=celery_queue_names())
    for code, section in SECTIONS:
        if not status.checks["database"].ok:
            status.checks[code] = Check(code, False, _("Not checked: the database does not answer"))
            continue
        try:
            status.checks[code] = section(status, now)
        except Exception as error:
            status.checks[code] = Check(
                code, False, _("Could not check: %s") % type(error).__name__
            )
    return status
