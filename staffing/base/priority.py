"""A process giving way on the CPU to the ones users wait for."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

AUTOGROUP = Path("/proc/self/autogroup")


def cpu_priority_lower(niceness: int) -> None:
    """Lower this process's CPU priority by `niceness` (its children inherit it).

    Linux shares the CPU first between sessions ("autogroups", on by default) and only then by
    nice value inside each: a worker started in a session of its own (by a service manager, by
    `manage.py bench_system`) would still take an equal share beside the web's session, niced
    or not. So a process that leads its own session also lowers its group's priority; one that
    shares its session (with `make run`'s web, say) leaves the group alone, as that would slow
    the others down too.
    """
    os.nice(niceness)
    if os.getsid(0) == os.getpid() and AUTOGROUP.exists():
        with contextlib.suppress(OSError):  # not Linux, or not allowed: the nice value stays
            AUTOGROUP.write_text(str(min(19, niceness)))
