"""Django's Redis cache, made to degrade instead of failing while Redis is down.

Everything this project keeps in the cache can be lost: allauth's login rate limits and small
memos. With Redis unreachable a read is a miss, a write is dropped and a lock is granted, with
one log line per outage instead of a server error on the login page; and for
CACHE_BREAKER_SECONDS after a failure Redis is not asked at all, so no request waits on it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from staffing.base.outages import cache_breaker

logger = logging.getLogger(__name__)


def _degrading(fallback: Callable[..., Any]) -> Callable:
    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            if cache_breaker.is_open():
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError):
                if not cache_breaker.is_open():
                    logger.warning(
                        "Redis cache unreachable; working without it (rate limits skipped).",
                        exc_info=True,
                    )
                cache_breaker.trip(settings.CACHE_BREAKER_SECONDS)
                return fallback(*args, **kwargs)

        return wrapped

    return decorate


def _default(key: str, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _true(*args: Any, **kwargs: Any) -> bool:
    """`add` is how allauth takes its lock: granted, since nobody else can hold it either."""
    return True


def _empty(*args: Any, **kwargs: Any) -> dict:
    return {}


def _none_set(*args: Any, **kwargs: Any) -> list:
    return []


class DegradingRedisCache(RedisCache):
    get = _degrading(_default)(RedisCache.get)
    set = _degrading(_nothing)(RedisCache.set)
    add = _degrading(_true)(RedisCache.add)
    touch = _degrading(_false)(RedisCache.touch)
    delete = _degrading(_false)(RedisCache.delete)
    has_key = _degrading(_false)(RedisCache.has_key)
    get_many = _degrading(_empty)(RedisCache.get_many)
    set_many = _degrading(_none_set)(RedisCache.set_many)
    delete_many = _degrading(_nothing)(RedisCache.delete_many)
    clear = _degrading(_false)(RedisCache.clear)
