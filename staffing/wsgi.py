import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staffing.settings")
application = get_wsgi_application()


def _warm() -> None:
    """Import the URLconf and its views now rather than in the first user's request, then
    freeze what a web process keeps for its whole life (staffing/base/memory.py)."""
    from django.urls import get_resolver

    from staffing.base.memory import long_lived_freeze

    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    long_lived_freeze()


_warm()
