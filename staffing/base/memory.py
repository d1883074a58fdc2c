"""Long-lived objects out of the garbage collector's way.

A web or worker process holds ~190,000 objects that live as long as it does: modules, models,
settings, URL patterns, the candidate pool's Python side. CPython's oldest generation is
collected when enough new objects survived, and each such collection walks all of them: ~90 ms
of a gunicorn thread's time on this kind of machine, every few dozen requests, in the middle of
some user's page. `gc.freeze()` moves what is alive at start-up into a permanent generation the
collector never walks (what the Python docs advise before forking, so that children also keep
sharing those pages). Garbage made later is collected as before.
"""

from __future__ import annotations

import gc


def long_lived_freeze() -> int:
    """Collect what is garbage now, then freeze the rest; the number of objects frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
