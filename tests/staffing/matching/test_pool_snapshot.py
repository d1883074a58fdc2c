"""The pool snapshot: a starting worker loads what another process wrote and catches up from
the database since its watermark; a stale, foreign or corrupt snapshot is ignored."""

from __future__ import annotations

import datetime as dt
import json
import random

import numpy as np
import pytest

from staffing.services import pool as pool_service
from staffing.services.pool import PoolKeeper, pool_snapshot_write, snapshot_path
from tests.factories import CandidateFactory, ClientCompanyFactory, SkillFactory
from tests.staffing.matching.test_pool_sync import _mutate, assert_pool_matches_database

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def snapshots(settings, tmp_path):
    settings.POOL_SNAPSHOT_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def loads(monkeypatch):
    """How each keeper got its pool: "database" (everyone read) or "snapshot"."""
    how: list[str] = []
    from_database = PoolKeeper._load_database
    from_snapshot = PoolKeeper._load_snapshot

    def database(self):
        how.append("database")
        return from_database(self)

    def snapshot(self):
        taken = from_snapshot(self)
        if taken:
            how.append("snapshot")
        return taken

    monkeypatch.setattr(PoolKeeper, "_load_database", database)
    monkeypatch.setattr(PoolKeeper, "_load_snapshot", snapshot)
    return how


@pytest.mark.parametrize("seed", range(3))
def test_changes_after_the_snapshot_are_in_the_pool_after_catch_up(seed, loads):
    rnd = random.Random(seed)
    companies = ClientCompanyFactory.create_batch(2)
    skills = SkillFactory.create_batch(3)
    CandidateFactory.create_batch(6)
    assert pool_snapshot_write() is not None  # a worker loads from the database, writes it
    assert loads == ["database"]
    for _ in range(15):  # new people, changed ones, consent withdrawn, shortlists...
        _mutate(rnd, companies, skills)

    keeper = PoolKeeper()
    pool = keeper.current()

    assert loads == ["database", "snapshot"]
    assert_pool_matches_database(pool)


def test_the_first_worker_writes_it_and_the_next_one_reads_it(loads):
    CandidateFactory.create_batch(3)
    PoolKeeper().current()
    assert snapshot_path().exists()
    assert len(PoolKeeper().current().col("ids")) == 3
    assert loads == ["database", "snapshot"]


def _rewrite_meta(path, **changes) -> None:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(arrays["snapshot"].tobytes()) | changes
    arrays["snapshot"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with open(path, "wb") as out:
        np.savez(out, **arrays)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), id="cut"),
        pytest.param(lambda p: p.write_bytes(b"not a snapshot"), id="garbage"),
        pytest.param(lambda p: _rewrite_meta(p, checksum=1), id="checksum"),
        pytest.param(lambda p: _rewrite_meta(p, fingerprint="other code"), id="other-code"),
        pytest.param(lambda p: _rewrite_meta(p, database="elsewhere"), id="other-database"),
        pytest.param(
            lambda p: _rewrite_meta(
                p, watermark=(dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).isoformat()
            ),
            id="stale",
        ),
    ],
)
def test_a_bad_snapshot_falls_back_to_loading_everyone(spoil, loads):
    CandidateFactory.create_batch(3)
    path = pool_snapshot_write()
    spoil(path)
    CandidateFactory()

    pool = PoolKeeper().current()

    assert loads == ["database", "database"]
    assert_pool_matches_database(pool)


def test_without_a_directory_there_are_no_snapshots(settings, snapshots, loads):
    settings.POOL_SNAPSHOT_DIR = ""
    CandidateFactory()
    PoolKeeper().current()
    PoolKeeper().current()
    assert pool_snapshot_write() is None
    assert loads == ["database", "database"]
    assert list(snapshots.iterdir()) == []


def test_a_failed_catch_up_leaves_no_half_loaded_pool(monkeypatch, loads):
    CandidateFactory()
    pool_snapshot_write()

    def broken(self):
        raise RuntimeError("database went away")

    monkeypatch.setattr(PoolKeeper, "_catch_up", broken)
    keeper = PoolKeeper()
    with pytest.raises(RuntimeError):
        keeper._load_snapshot()
    assert keeper.pool is None
    assert pool_service.snapshot_read() is not None  # the file itself is fine
