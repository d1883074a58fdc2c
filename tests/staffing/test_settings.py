"""Settings fail loudly and clearly on a missing secret or a non-PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _django_setup(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "staffing.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_with_debug_off_stops_the_start():
    result = _django_setup(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_does_not_make_up_a_secret_either():
    """No key is written in the source: `make run` makes one per install (below)."""
    result = _django_setup(DEBUG="true")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_make_run_keeps_one_random_key_per_install(tmp_path, monkeypatch):
    from staffing import embedded

    monkeypatch.setattr(embedded, "LOCAL_DIR", tmp_path)
    key = embedded.local_secret_key()
    assert len(key) >= 50 and embedded.local_secret_key() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setattr(embedded, "LOCAL_DIR", tmp_path / "other")
    assert embedded.local_secret_key() != key


def test_only_postgresql_is_accepted():
    result = _django_setup(SECRET_KEY="x", DATABASE_URL="sqlite:////tmp/db.sqlite3")
    assert result.returncode != 0
    assert "must point at PostgreSQL" in result.stderr
