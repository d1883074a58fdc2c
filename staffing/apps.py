from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Staffing")

    def ready(self) -> None:
        # Connects the Celery signal handlers for heartbeats, failed tasks and request ids.
        from staffing import signals  # noqa: F401
