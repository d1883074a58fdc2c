"""A process giving way on the CPU to the ones users wait for."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

AUTOGROUP = Path("/proc/self/autogroup")
PROC = Path("/proc")


def cpu_priority_lower(niceness: int) -> None:
    """Lower this process's CPU priority by `niceness` (its children inherit it).

    Linux shares the CPU first between sessions ("autogroups", on by default) and only then by
    nice value inside each: a worker started in a session of its own (by `make run`, by
    `manage.py bench_system`, by a service manager) would still take an equal share beside the
    web's session, niced or not. So a process alone in its session also lowers its group's
    priority; one that shares its session (a container's shell that started the web too, say)
    leaves the group alone, as that would slow the others down as well.
    """
    os.nice(niceness)
    if AUTOGROUP.exists() and _alone_in_session():
        with contextlib.suppress(OSError):  # not allowed: the nice value stays
            AUTOGROUP.write_text(str(min(19, niceness)))


def _alone_in_session() -> bool:
    """Whether this process leads its session and no other process is in it."""
    me = os.getpid()
    session = os.getsid(0)
    if session != me:
        return False
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile, or not ours to read
            continue
        # "pid (command) state ppid pgrp session ...": the command may hold spaces and ")".
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 3 and int(fields[3]) == session:
            return False
    return True
