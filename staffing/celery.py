"""The Celery app: configured from Django settings with the CELERY_ namespace, JSON only.

Work is queued by task name through `staffing.base.queueing`; `staffing.tasks` imports the
services and nothing imports `staffing.tasks`.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staffing.settings")

app = Celery("staffing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
