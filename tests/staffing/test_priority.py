"""A worker that gives way on the CPU does so across sessions too (staffing/base/priority.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from staffing.base import priority


def _fake_proc(root, sessions: dict[int, int]):
    """A /proc with processes {pid: session id}, their command names holding ") (" too."""
    for pid, session in sessions.items():
        (root / str(pid)).mkdir()
        (root / str(pid) / "stat").write_text(f"{pid} (odd ) (name) S 1 {session} {session} 0\n")
    (root / "self").mkdir()


@pytest.mark.parametrize(
    ("session", "others", "group_after"),
    [
        (4242, {4243: 99}, "19"),
        (1, {4243: 99}, "/autogroup-1 nice 0\n"),
        (4242, {4243: 4242}, "/autogroup-1 nice 0\n"),
    ],
    ids=[
        "alone in its session: its group too",
        "not the session's leader: the group left alone",
        "leads a session others share (a shell that started the web too): left alone",
    ],
)
def test_the_nice_value_always_and_the_group_only_when_alone_in_the_session(
    monkeypatch, tmp_path, session, others, group_after
):
    group = tmp_path / "autogroup"
    group.write_text("/autogroup-1 nice 0\n")
    proc = tmp_path / "proc"
    proc.mkdir()
    _fake_proc(proc, {4242: session, **others})
    asked = []
    monkeypatch.setattr(priority, "AUTOGROUP", group)
    monkeypatch.setattr(priority, "PROC", proc)
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
