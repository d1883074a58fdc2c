"""The Celery app: configured from Django settings with the CELERY_ namespace, JSON only."""

from __future__ import annotations

import logging
import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staffing.settings")

app = Celery("staffing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def task_enqueue(task: Task, *args: object) -> bool:
    """Publish `task(*args)`; False when the broker is unreachable.

    Never raises: every caller's work is already recorded in the database, and a beat task (a
    sweep, the next wave run, the nightly bench rebuild) picks it up when the broker is back.
    """
    try:
        task.delay(*args)
    except Exception:
        logger.warning("Could not queue %s%r; a beat task will.", task.name, args, exc_info=True)
        return False
    return True
