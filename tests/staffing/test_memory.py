"""Long-lived objects are kept out of the collector's walks (staffing/base/memory.py)."""

from __future__ import annotations

import gc
import subprocess
import sys

from staffing.base.memory import long_lived_freeze


def test_what_is_alive_is_frozen_and_garbage_is_not():
    class Node:
        pass

    garbage = Node()
    garbage.me = garbage  # a cycle: only a collection frees it
    del garbage
    try:
        frozen = long_lived_freeze()
        assert frozen == gc.get_freeze_count() > 1000
        assert not any(type(o) is Node for o in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()


def test_a_web_process_is_frozen_once_its_application_and_urls_are_loaded():
    code = (
        "import gc, sys; import staffing.wsgi; "
        "print(gc.get_freeze_count(), 'staffing.views.recruiter' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) > 50_000 and out[1] == "True"
