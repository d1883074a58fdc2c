"""Riding out a Redis outage: after a failed call, stop calling for a few seconds.

While Redis is down or stalled every call would wait for its socket timeout. The broker's work
is in the database already (a sweep queues it when Redis is back) and the cache only saves
time, so once a call failed we stop waiting on Redis for a moment and try again after it.
"""

from __future__ import annotations

import threading
import time


class Breaker:
    """Open for `seconds` after `trip()`; callers skip the remote call while it is open."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.open_until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, seconds: float) -> None:
        with self._lock:
            self.open_until = time.monotonic() + seconds

    def reset(self) -> None:
        self.open_until = 0.0


broker_breaker = Breaker("broker")
cache_breaker = Breaker("cache")
