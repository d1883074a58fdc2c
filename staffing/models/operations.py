"""What the System page and `manage.py health` read about the background: which worker processes
are alive, and which tasks failed lately. Written by the workers themselves (staffing.signals)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One Celery worker process, refreshed every few seconds while it lives.

    Kept in the database, not in Redis, so the System page still lists the workers while Redis is
    down; a process that stops refreshing its row is lost (see staffing.services.health).
    """

    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)
    pool_ready = models.BooleanField(_("candidate pool loaded"), default=False)

    class Meta:
        ordering = ["hostname", "pid"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        constraints = [
            models.UniqueConstraint(fields=["hostname", "pid"], name="heartbeat_process_once")
        ]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class TaskFailure(models.Model):
    """A Celery task that raised. Its arguments are summarised to ids, and email addresses are
    masked in the message, so no personal data is kept here."""

    task_name = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    arguments = models.CharField(_("arguments"), max_length=300, blank=True)
    exception_type = models.CharField(_("error type"), max_length=200)
    message = models.TextField(_("error message"), blank=True)
    failed_at = models.DateTimeField(_("failed"), db_index=True)

    class Meta:
        ordering = ["-failed_at", "-pk"]
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")

    def __str__(self) -> str:
        return f"{self.task_name}: {self.exception_type}"
