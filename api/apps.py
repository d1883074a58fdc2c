from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connected here, not imported by the workflow: staffing never imports the API.
        import api.schema  # noqa: F401  (registers the API key scheme with drf-spectacular)
        from api.receivers import domain_event_received
        from staffing.base.events import domain_event

        domain_event.connect(domain_event_received, dispatch_uid="api.webhooks")
