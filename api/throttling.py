"""Rate limits per API key, counted in the Redis cache; over the limit answers 429 with
`Retry-After`."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str:
        # Read per request, so a changed setting (and a test's override) applies at once.
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        key = getattr(request.user, "key", None)
        if key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.pk}
