"""A worker that gives way on the CPU does so across sessions too (staffing/base/priority.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from staffing.base import priority


@pytest.mark.parametrize(
    ("session", "group_after"),
    [(4242, "19"), (1, "/autogroup-1 nice 0\n")],
    ids=["leads its session: its group too", "shares its session: the group left alone"],
)
def test_the_nice_value_always_and_the_group_only_for_a_session_leader(
    monkeypatch, tmp_path, session, group_after
):
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-1 nice 0\n")
    asked = []
    monkeypatch.setattr(priority, "AUTOGROUP", group)
    monkeypatch.setattr(priority.os, "nice", asked.append)
    monkeypatch.setattr(priority.os, "getsid", lambda pid: session)
    monkeypatch.setattr(priority.os, "getpid", lambda: 4242)
    priority.cpu_priority_lower(19)
    assert asked == [19]
    assert group.read_text() == group_after


def test_a_process_in_a_session_of_its_own_really_gives_way():
    """For real, in a child started in a new session (as bench_system and service managers
    start workers): its nice value and, where Linux groups sessions, its group's."""
    code = textwrap.dedent(
        """
        import os
        from pathlib import Path
        from staffing.base.priority import AUTOGROUP, cpu_priority_lower
        before = os.getpriority(os.PRIO_PROCESS, 0)
        cpu_priority_lower(7)
        group = AUTOGROUP.read_text().split() if AUTOGROUP.exists() else []
        print(os.getpriority(os.PRIO_PROCESS, 0) - before, group[-1] if group else "none")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        start_new_session=True,
        cwd=os.getcwd(),
    ).stdout.split()
    nice_change, group_nice = int(out[0]), out[1]
    assert nice_change == min(7, 19 - os.getpriority(os.PRIO_PROCESS, 0))
    assert group_nice in ("7", "none")
