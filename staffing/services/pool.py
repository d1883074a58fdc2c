"""The worker-side candidate pool: loaded from PostgreSQL once, then caught up before each match.

PostgreSQL is the source of truth. Every service that changes matching-relevant data about a
person (profile, availability, dates off, languages, skills, assessments, placements, client
marks) calls `Candidate.objects.filter(...).touch()`, which bumps `Candidate.updated_at`.
Before each match the worker reads the (id, updated_at) of people changed since its watermark
minus an overlap window (later commits can carry earlier timestamps), reloads those whose
version differs, and counts new shortlist appearances for the fair-spread factor. See
docs/matching.md for the reasoning.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import fcntl
import functools
import gc
import hashlib
import json
import logging
import math
import os
import re
import threading
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from candidates.models import (
    Assessment,
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    DateOff,
)
from clients.models import CandidateMark, ServiceProfile
from staffing.matching.features import RequestSpec
from staffing.matching.kept import SITE_CACHE_SIZE, prepare
from staffing.matching.pool import LANGUAGES, MARK_KINDS, FeatureBatch, Pool
from staffing.matching.rules import FAIR_SPREAD_DAYS, weights_resolve
from staffing.models import (
    Placement,
    ReliabilityRecord,
    ServiceRating,
    Shortlist,
    ShortlistEntry,
    StaffingRequest,
    TalentPool,
    TalentPoolMember,
)

logger = logging.getLogger(__name__)

LOAD_CHUNK = 100_000  # rows per fetch when loading
# Changes committed up to this long after their timestamp are still seen: keep transactions
# that change matching data shorter than this.
CATCH_UP_OVERLAP = dt.timedelta(seconds=5)
# More shortlists than this are never mid-transaction at once (one per worker process).
SHORTLISTS_IN_FLIGHT = 64


def _t(model) -> str:
    return model._meta.db_table


def _fetch(sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _where_ids(column: str, ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    if ids is None:
        return "TRUE", []
    return f"{column} = ANY(%s)", [list(ids)]


def features_load(
    *, ids: Sequence[int] | None = None, now: dt.datetime | None = None
) -> FeatureBatch:
    """The allow-listed features of matchable people (all, or those of `ids`), from the database.

    Only the columns named in `staffing.matching.features.CANDIDATE_COLUMNS` are selected from
    the candidate row; names, contact details and free text are never read.
    """
    now = now or timezone.now()
    where, params = _where_ids("id", ids)
    data = _numbers(
        f"""SELECT id, (EXTRACT(EPOCH FROM updated_at) * 1000000)::bigint,
                   COALESCE(latitude, 'NaN'), COALESCE(longitude, 'NaN'), max_travel_km,
                   works_retail::int + 2 * works_office::int, availability,
                   COALESCE(EXTRACT(EPOCH FROM availability_confirmed_at), 'NaN')
            FROM {_t(Candidate)}
            WHERE status = 'active' AND matching_consent AND {where} ORDER BY id""",
        params,
        width=8,
        stream=ids is None,
    )
    batch = FeatureBatch.empty(len(data))
    batch.ids[:] = data[:, 0].astype(np.int64)
    batch.versions[:] = data[:, 1].astype(np.int64)
    batch.latitude[:], batch.longitude[:] = data[:, 2], data[:, 3]
    batch.max_travel_km[:] = data[:, 4]
    batch.roles[:] = data[:, 5]
    batch.availability[:] = data[:, 6]
    batch.confirmed[:] = data[:, 7]
    if len(batch):
        _load_side(batch, None if ids is None else batch.ids.tolist(), now)
    return batch


def _positions(batch: FeatureBatch, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batch position of each id, and which ids are in the batch at all."""
    pos = np.minimum(np.searchsorted(batch.ids, ids), len(batch) - 1)
    return pos, batch.ids[pos] == ids


def _numbers(
    sql: str, params: Sequence[Any] = (), *, width: int, stream: bool = False
) -> np.ndarray:
    """A numeric query's rows as a float array, streamed in chunks through a server-side cursor.

    Loading a million people reads millions of rows; as Python tuples (or libpq's buffered
    result) they would take several times the pool's own memory for a moment.
    """
    if not stream:  # a few people: one round trip
        return np.array(_fetch(sql, params), dtype=np.float64).reshape(-1, width)
    chunks = []
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(LOAD_CHUNK):
            chunks.append(np.array(rows, dtype=np.float64).reshape(-1, width))
    return np.concatenate(chunks) if chunks else np.zeros((0, width))


def _load_side(batch: FeatureBatch, ids: list[int] | None, now: dt.datetime) -> None:
    _load_languages(batch, ids)
    _load_skills(batch, ids)
    _load_assessments(batch, ids)
    _load_placements(batch, ids, now)
    _load_dates_off(batch, ids, now)
    _load_marks(batch, ids)
    _load_talent_pools(batch, ids)
    _load_recent(batch, ids, now)
    _load_feedback(batch, ids)


def _load_languages(batch: FeatureBatch, ids: list[int] | None) -> None:
    where, params = _where_ids("candidate_id", ids)
    data = _numbers(
        f"SELECT candidate_id, array_position(%s::text[], language) - 1, level "
        f"FROM {_t(CandidateLanguage)} WHERE {where}",
        [list(LANGUAGES), *params],
        width=3,
        stream=ids is None,
    )
    pos, ok = _positions(batch, data[:, 0].astype(np.int64))
    batch.languages[data[ok, 1].astype(np.int64), pos[ok]] = data[ok, 2]
    # A language check's verified level replaces the level the person gave themselves (up or
    # down): the latest check of each language counts, and marks the language verified.
    where, params = _where_ids("candidate_id", ids)
    data = _numbers(
        f"""SELECT DISTINCT ON (candidate_id, language_checked)
                   candidate_id, array_position(%s::text[], language_checked) - 1,
                   language_level_verified
            FROM {_t(Assessment)}
            WHERE language_level_verified IS NOT NULL AND language_checked <> '' AND {where}
            ORDER BY candidate_id, language_checked, assessed_at DESC, id DESC""",
        [list(LANGUAGES), *params],
        width=3,
        stream=ids is None,
    )
    pos, ok = _positions(batch, data[:, 0].astype(np.int64))
    batch.languages[data[ok, 1].astype(np.int64), pos[ok]] = data[ok, 2]
    np.bitwise_or.at(batch.verified, pos[ok], 1 << data[ok, 1].astype(np.int64))


def _load_skills(batch: FeatureBatch, ids: list[int] | None) -> None:
    where, params = _where_ids("candidate_id", ids)
    data = _numbers(
        f"SELECT candidate_id, skill_id, level FROM {_t(CandidateSkill)} WHERE {where}",
        params,
        width=3,
        stream=ids is None,
    )
    pos, ok = _positions(batch, data[:, 0].astype(np.int64))
    batch.skills = (pos[ok], data[ok, 1], data[ok, 2])


def _load_assessments(batch: FeatureBatch, ids: list[int] | None) -> None:
    """The latest rated assessment counts: people improve, and recruiters re-assess to record
    it (a language check that rated only the language leaves the ratings before it)."""
    where, params = _where_ids("candidate_id", ids)
    data = _numbers(
        f"""SELECT DISTINCT ON (candidate_id)
                   candidate_id, service_attitude, communication, sales
            FROM {_t(Assessment)} WHERE {where} AND service_attitude IS NOT NULL
            ORDER BY candidate_id, assessed_at DESC, id DESC""",
        params,
        width=4,
        stream=ids is None,
    )
    pos, ok = _positions(batch, data[:, 0].astype(np.int64))
    batch.assessment[:, pos[ok]] = data[ok, 1:4].T


def _load_placements(batch: FeatureBatch, ids: list[int] | None, now: dt.datetime) -> None:
    where, params = _where_ids("p.candidate_id", ids)
    data = _numbers(
        f"""SELECT p.candidate_id, r.company_id, (r.role_type = 'office')::int,
                   (p.status = 'completed')::int, (p.status = 'no_show')::int, count(*)
            FROM {_t(Placement)} p JOIN {_t(StaffingRequest)} r ON r.id = p.request_id
            WHERE p.status IN ('completed', 'no_show') AND {where}
            GROUP BY 1, 2, 3, 4, 5""",
        params,
        width=6,
        stream=ids is None,
    )
    pos, ok = _positions(batch, data[:, 0].astype(np.int64))
    pos, data = pos[ok], data[ok]
    completed, count = data[:, 3] == 1, data[:, 5]
    office = data[:, 2] == 1
    np.add.at(batch.completed_office, pos[completed & office], count[completed & office])
    np.add.at(batch.completed_retail, pos[completed & ~office], count[completed & ~office])
    # Experience per client company: completed placements, summed over role types.
    keys: dict[tuple[int, int], float] = {}
    for p, company, n in zip(
        pos[completed].tolist(), data[completed, 1].tolist(), count[completed].tolist(), strict=True
    ):
        keys[(p, company)] = keys.get((p, company), 0) + n
    batch.client_experience = (
        np.array([k[0] for k in keys], dtype=np.int64),
        np.array([k[1] for k in keys], dtype=np.float64),
        np.array(list(keys.values()), dtype=np.float64),
    )
    where, params = _where_ids("candidate_id", ids)
    data = _numbers(
        f"""SELECT candidate_id, EXTRACT(EPOCH FROM lower(blocked)),
                   EXTRACT(EPOCH FROM upper(blocked))
            FROM {_t(Placement)}
            WHERE status IN ('confirmed', 'completed') AND upper(blocked) > %s AND {where}""",
        [now, *params],
        width=3,
        stream=ids is None,
    )
    pos, ok = _positions(batch, data[:, 0].astype(np.int64))
    batch.blocked = (pos[ok], data[ok, 1], data[ok, 2])


def _load_feedback(batch: FeatureBatch, ids: list[int] | None) -> None:
    """Client ratings, no-shows (recorded, or a placement marked so) and late cancellations;
    a record the agency withdrew after the person contested it does not count."""
    where, params = _where_ids("candidate_id", ids)
    data = _numbers(
        f"SELECT candidate_id, AVG(score), COUNT(*) FROM {_t(ServiceRating)} "
        f"WHERE {where} GROUP BY 1",
        params,
        width=3,
        stream=ids is None,
    )
    pos, ok = _positions(batch, data[:, 0].astype(np.int64))
    batch.rating_average[pos[ok]] = data[ok, 1]
    batch.rating_count[pos[ok]] = data[ok, 2]
    data = _numbers(
        f"""SELECT candidate_id, (kind = 'late_cancellation')::int, COUNT(DISTINCT placement_id)
            FROM (SELECT candidate_id, id AS placement_id, 'no_show' AS kind
                  FROM {_t(Placement)} p WHERE status = 'no_show' AND NOT EXISTS (
                      SELECT 1 FROM {_t(ReliabilityRecord)} w WHERE w.placement_id = p.id
                      AND w.kind = 'no_show' AND w.decision = 'withdrawn')
                  UNION SELECT candidate_id, placement_id, kind FROM {_t(ReliabilityRecord)}
                  WHERE decision <> 'withdrawn'
                 ) lapses
            WHERE {where} GROUP BY 1, 2""",
        params,
        width=3,
        stream=ids is None,
    )
    pos, ok = _positions(batch, data[:, 0].astype(np.int64))
    late = data[:, 1] == 1
    batch.no_shows[pos[ok & ~late]] = data[ok & ~late, 2]
    batch.late_cancellations[pos[ok & late]] = data[ok & late, 2]


def _load_dates_off(batch: FeatureBatch, ids: list[int] | None, now: dt.datetime) -> None:
    where, params = _where_ids("candidate_id", ids)
    rows = _fetch(
        f"SELECT candidate_id, date FROM {_t(DateOff)} WHERE date >= %s AND {where}",
        [timezone.localdate(now) - dt.timedelta(days=1), *params],
    )
    cand = np.array([r[0] for r in rows], dtype=np.int64)
    days = np.array([r[1].toordinal() for r in rows], dtype=np.float64)
    pos, ok = _positions(batch, cand)
    batch.dates_off = (pos[ok], days[ok], np.zeros(int(ok.sum())))


def _load_marks(batch: FeatureBatch, ids: list[int] | None) -> None:
    where, params = _where_ids("candidate_id", ids)
    rows = _fetch(
        f"SELECT candidate_id, company_id, kind FROM {_t(CandidateMark)} WHERE {where}", params
    )
    cand = np.array([r[0] for r in rows], dtype=np.int64)
    pos, ok = _positions(batch, cand)
    company = np.array([r[1] for r in rows], dtype=np.float64)
    kind = np.array([MARK_KINDS.get(r[2], 0) for r in rows], dtype=np.float64)
    batch.marks = (pos[ok], company[ok], kind[ok])


def _load_talent_pools(batch: FeatureBatch, ids: list[int] | None) -> None:
    """The companies whose talent pool (of any of their profiles) each person is in."""
    where, params = _where_ids("m.candidate_id", ids)
    rows = _fetch(
        f"""SELECT DISTINCT m.candidate_id, p.company_id FROM {_t(TalentPoolMember)} m
            JOIN {_t(TalentPool)} p ON p.id = m.pool_id WHERE {where}""",
        params,
    )
    cand = np.array([r[0] for r in rows], dtype=np.int64)
    pos, ok = _positions(batch, cand)
    company = np.array([r[1] for r in rows], dtype=np.float64)
    batch.talent_pools = (pos[ok], company[ok], np.ones(int(ok.sum())))


def _load_recent(batch: FeatureBatch, ids: list[int] | None, now: dt.datetime) -> None:
    counts = recent_shortlist_counts(ids=ids, now=now)
    if len(counts):
        pos, ok = _positions(batch, counts[:, 0])
        batch.recent_shortlists[pos[ok]] = counts[ok, 1]


def recent_shortlist_counts(*, ids: list[int] | None, now: dt.datetime) -> np.ndarray:
    """(candidate id, ranked shortlist appearances in the last FAIR_SPREAD_DAYS) rows."""
    where, params = _where_ids("e.candidate_id", ids)
    rows = _fetch(
        f"""SELECT e.candidate_id, count(*) FROM {_t(ShortlistEntry)} e
            JOIN {_t(Shortlist)} s ON s.id = e.shortlist_id
            WHERE NOT e.near_miss AND s.created_at > %s AND {where} GROUP BY 1""",
        [now - dt.timedelta(days=FAIR_SPREAD_DAYS), *params],
    )
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


@dataclass
class _Changes:
    people: list[tuple[int, int, dt.datetime]]  # (id, version, updated_at) changed people
    appearances: list[int]  # candidate ids ranked in shortlists not counted yet


_CHANGES_SQL = f"""WITH new AS (
        SELECT id, created_at FROM {_t(Shortlist)}
        WHERE id > %(min_id)s::bigint AND created_at > %(since)s::timestamptz
            AND NOT id = ANY(%(seen)s::bigint[]))
    SELECT 0, id, (EXTRACT(EPOCH FROM updated_at) * 1000000)::bigint, updated_at
    FROM {_t(Candidate)} WHERE updated_at > %(watermark)s::timestamptz
    UNION ALL SELECT 1, id, 0, created_at FROM new
    UNION ALL SELECT 2, e.candidate_id, 0, NULL
    FROM {_t(ShortlistEntry)} e
    WHERE e.shortlist_id = ANY(ARRAY(SELECT id FROM new)) AND NOT e.near_miss"""


@dataclass
class PoolKeeper:
    """One process's pool and how far it has caught up with the database."""

    pool: Pool | None = None
    watermark: dt.datetime | None = None
    shortlist_watermark: dt.datetime | None = None
    seen_shortlists: dict[int, dt.datetime] = field(default_factory=dict)
    shortlist_max_id: int = 0
    recounted_at: float = 0.0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def current(self) -> Pool:
        """The pool, caught up with every change committed before this call.

        A failure while catching up (or recounting) must not leave a half-updated pool that
        every later match trips over: the pool is dropped and loaded afresh, now when the
        database still answers, else by the next match.
        """
        with self.lock:
            if self.pool is None:
                self._load_all()
            else:
                try:
                    self._catch_up()
                except Exception as error:
                    self.pool = None
                    logger.exception("The pool's catch-up failed; loading it afresh")
                    if isinstance(error, DatabaseError):
                        raise  # this transaction is broken: the next match loads the pool
                    self._load_all()
            assert self.pool is not None
            return self.pool

    def reload(self, ids: Sequence[int]) -> None:
        """Reload these people now (the final check found the pool behind for them)."""
        with self.lock:
            if self.pool is not None:
                self._apply(list(ids))

    def _load_all(self) -> None:
        """Load everyone (from the snapshot when there is a good one); the keeper takes the
        pool only once it is whole, so a failure here leaves it unloaded and the next match
        tries again."""
        if self._load_snapshot():
            return
        self._load_database()
        if snapshot_wanted():
            try:
                self._write_snapshot()
            except Exception:  # only a head start for the next worker
                logger.exception("Could not write the pool snapshot")

    def _load_snapshot(self) -> bool:
        """Take the pool from the snapshot and catch it up with the database since its
        watermark (every change committed after it, and the fair-spread counts recounted).
        False, with nothing taken, when there is none or it is stale, foreign or corrupt."""
        snapshot = snapshot_read()
        if snapshot is None:
            return False
        pool, meta = snapshot
        self.pool = pool
        self.watermark = _parse_time(meta["watermark"])
        self.shortlist_watermark = _parse_time(meta["shortlist_watermark"])
        self.shortlist_max_id = int(meta["shortlist_max_id"])
        self.seen_shortlists = {int(k): _parse_time(v) for k, v in meta["seen_shortlists"]}
        self.recounted_at = -math.inf  # recount now: appearances may have aged out since
        try:
            self._catch_up()
            try:
                pool_prepare_profiles(pool)
            except Exception:  # only a head start: the first matches compute what they need
                logger.exception("Could not prepare the pool's kept columns")
        except BaseException:
            self.pool = None
            raise
        pool_memory_settle()
        return True

    def _write_snapshot(self) -> Path | None:
        assert self.pool is not None
        return snapshot_write(
            self.pool,
            {
                "watermark": self.watermark.isoformat() if self.watermark else None,
                "shortlist_watermark": self.shortlist_watermark.isoformat()
                if self.shortlist_watermark
                else None,
                "shortlist_max_id": self.shortlist_max_id,
                "seen_shortlists": [[k, v.isoformat()] for k, v in self.seen_shortlists.items()],
            },
        )

    def _load_database(self) -> None:
        started = _db_now()
        batch = features_load(now=started)
        pool = Pool(capacity=max(1024, int(len(batch) * 1.1)))
        pool.upsert(batch)
        del batch
        shortlist_max_id = _max_shortlist_id()
        try:
            pool_prepare_profiles(pool)
        except Exception:  # only a head start: the first matches compute what they need
            logger.exception("Could not prepare the pool's kept columns")
        pool_memory_settle()
        self.pool = pool
        self.watermark = started
        self.shortlist_watermark = started
        self.shortlist_max_id = shortlist_max_id
        self.recounted_at = time.monotonic()

    def _catch_up(self) -> None:
        assert self.pool is not None and self.watermark is not None
        if time.monotonic() - self.recounted_at > settings.POOL_RECOUNT_SECONDS:
            self._recount_recent()
        changes = self._changes()
        changed: list[int] = []
        if changes.people:
            self.watermark = max(self.watermark, max(r[2] for r in changes.people))
            ids = np.array([r[0] for r in changes.people], dtype=np.int64)
            versions = np.array([r[1] for r in changes.people], dtype=np.int64)
            index = self.pool.index_of(ids)
            known = np.where(index >= 0, self.pool.cols["versions"][np.maximum(index, 0)], -1)
            changed = ids[(index < 0) | (known != versions)].tolist()
            if changed:
                self._apply(changed)
        # People just reloaded already have these appearances in their fresh count.
        reloaded = set(changed)
        index = self.pool.index_of([pk for pk in changes.appearances if pk not in reloaded])
        np.add.at(self.pool.cols["recent_shortlists"], index[index >= 0], 1)

    def _apply(self, ids: list[int]) -> None:
        assert self.pool is not None
        batch = features_load(ids=ids)
        gone = sorted(set(ids) - set(batch.ids.tolist()))
        if len(batch):
            self.pool.upsert(batch)
        if gone:
            self.pool.remove(gone)

    def _changes(self) -> _Changes:
        """Everything committed since the last check, in one round trip: people whose version
        moved, and who was ranked in shortlists not seen yet (for fair spread).

        The shortlists' id bound lets PostgreSQL use the primary key; a shortlist still
        uncommitted has an id at most SHORTLISTS_IN_FLIGHT below the highest one seen. Entries
        are read by `= ANY(ARRAY(...))`: a join with the few new shortlists was planned as a scan
        of every entry (over 100 ms).
        """
        assert self.watermark is not None and self.shortlist_watermark is not None
        since = self.shortlist_watermark - CATCH_UP_OVERLAP
        params = {
            "min_id": self.shortlist_max_id - SHORTLISTS_IN_FLIGHT,
            "since": since,
            "seen": list(self.seen_shortlists),
            "watermark": self.watermark - CATCH_UP_OVERLAP,
        }
        # Not prepared: a generic plan cannot know how few rows are newer than the watermark and
        # would scan every candidate.
        rows = _fetch(_CHANGES_SQL, params)
        changes = _Changes(
            people=[r[1:] for r in rows if r[0] == 0],
            appearances=[r[1] for r in rows if r[0] == 2],
        )
        for kind, shortlist_id, _, created_at in rows:
            if kind == 1:
                self.seen_shortlists[shortlist_id] = created_at
                self.shortlist_watermark = max(self.shortlist_watermark, created_at)
                self.shortlist_max_id = max(self.shortlist_max_id, shortlist_id)
        self.seen_shortlists = {
            k: v for k, v in self.seen_shortlists.items() if v > since - CATCH_UP_OVERLAP
        }
        return changes

    def _recount_recent(self) -> None:
        assert self.pool is not None
        now = _db_now()
        # The shortlists of the last moments are in the recount: the catch-up must not add them
        # again (read first: one committed in between is at worst counted twice, never lost).
        seen = dict(
            _fetch(
                f"SELECT id, created_at FROM {_t(Shortlist)} WHERE created_at > %s",
                [now - 2 * CATCH_UP_OVERLAP],
            )
        )
        counts = recent_shortlist_counts(ids=None, now=now)
        column = self.pool.cols["recent_shortlists"]
        column[:] = 0
        if len(counts):
            index = self.pool.index_of(counts[:, 0])
            column[index[index >= 0]] = counts[index >= 0, 1]
        self.shortlist_watermark = now
        self.shortlist_max_id = max([_max_shortlist_id(), *seen])
        self.seen_shortlists = seen
        self.recounted_at = time.monotonic()


def pool_prepare_profiles(pool: Pool, *, now: dt.datetime | None = None) -> int:
    """Compute the columns the pool keeps per weekday, and per site and profile for the
    profiles whose requests came last, then for other active profiles, as many as the pool
    keeps (`kept.prepare`): a worker does this after loading, so no urgent request pays for
    them. Returns how many profiles."""
    now = now or timezone.now()
    keys: dict[tuple, RequestSpec] = {}

    def add(company_id, role_type, latitude, longitude, weights, focus) -> None:
        if latitude is None or longitude is None:
            return  # a site without a place: nothing to keep for it
        spec = RequestSpec(
            company_id=company_id,
            role_type=role_type,
            site_latitude=latitude,
            site_longitude=longitude,
            shifts=(),
            now=now.timestamp(),
            weights=weights_resolve(weights),
            focus=focus,
        )
        key = (company_id, role_type, latitude, longitude, focus, *sorted(spec.weights.items()))
        keys.setdefault(key, spec)

    fields = ("company_id", "role_type", "site__latitude", "site__longitude")
    with transaction.atomic():  # a failed read rolls back to here, not the caller's transaction
        requested = list(
            StaffingRequest.objects.order_by("-created_at").values_list(
                *fields, "service_profile__weights", "service_profile__focus"
            )[:PREPARE_LOOKBACK]
        )
        active = list(
            ServiceProfile.objects.filter(is_active=True)
            .order_by("pk")
            .values_list(*fields, "weights", "focus")[: PREPARE_PROFILES * 4]
        )
    for row in [*requested, *active]:
        if len(keys) >= PREPARE_PROFILES:
            break
        add(*row)
    prepare(pool, keys.values())
    return len(keys)


# Profiles prepared after loading: as many sites as the pool keeps, among the last requests.
PREPARE_PROFILES = SITE_CACHE_SIZE
PREPARE_LOOKBACK = 500


def pool_memory_settle() -> None:
    """After loading a pool: hand the loader's freed memory back to the system, so the worker's
    size is the pool's, then keep the memory that ranking reuses.

    Ranking a million people allocates a dozen temporary arrays of 1-8 MB per request. glibc
    serves such sizes with fresh mappings or trims them off the heap when they are freed, and
    the next request pays a page fault per 4 KB touched again: measured, a third of the
    engine's time at 1,000,000 (p50 16.5 -> 14.9 ms, p95 41 -> 23 ms, docs/performance.md).
    Serving them from the heap and keeping up to 1 GB of freed heap makes them warm. Where
    `mallopt` is missing (not glibc), nothing changes.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
        libc.mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)  # glibc's largest allowed
        libc.mallopt(_M_TRIM_THRESHOLD, 2**30)
        libc.mallopt(_M_TOP_PAD, 64 * 2**20)


_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # <malloc.h>


def _max_shortlist_id() -> int:
    return _fetch(f"SELECT COALESCE(MAX(id), 0) FROM {_t(Shortlist)}")[0][0]


def _db_now() -> dt.datetime:
    return _fetch("SELECT clock_timestamp()")[0][0]


_keeper = PoolKeeper()


def pool_current() -> Pool:
    """This process's pool, caught up with the database (loads it on first use)."""
    return _keeper.current()


def pool_warm() -> None:
    """Load the pool now (a worker process's start), closing the thread's connection after."""
    try:
        pool_current()
    finally:
        connection.close()


def pool_snapshot_write() -> Path | None:
    """Write this process's pool, caught up, as the snapshot starting workers load; None when
    snapshots are off (POOL_SNAPSHOT_DIR) or another process is writing one right now."""
    if not snapshot_wanted():
        return None
    with _keeper.lock:
        _keeper.current()
        return _keeper._write_snapshot()


def pool_reload(*, candidate_ids: Sequence[int]) -> None:
    _keeper.reload(candidate_ids)


def pool_reset() -> None:
    """Forget the pool (tests, and after a bulk import: the next match loads it afresh)."""
    global _keeper
    _keeper = PoolKeeper()


def pool_keeper() -> PoolKeeper:
    """This process's keeper; hold its `lock` while reading the pool from several threads."""
    return _keeper


# --- the pool snapshot ----------------------------------------------------------------------
# A worker starting at 1,000,000 people took 17-27 s to load them from PostgreSQL. A snapshot,
# written by one process (the background worker every POOL_SNAPSHOT_SECONDS, and a worker that
# had to load from the database), holds the pool's arrays and the keeper's watermarks in one
# uncompressed .npz file (numpy's own format: no pickle, nothing executed when read). Another
# process reads it and catches up from the database since the watermark (the same catch-up as
# before every match, so a change committed after the snapshot is always seen). A snapshot of
# other code (its fingerprint), another database, older than POOL_SNAPSHOT_MAX_AGE_SECONDS or
# failing its checksum is ignored and the pool loaded from the database.
SNAPSHOT_FORMAT = 1
_FINGERPRINT_SOURCES = (
    Path(__file__),  # what the load reads
    Path(__file__).resolve().parent.parent / "matching" / "pool.py",  # how the pool keeps it
    Path(__file__).resolve().parent.parent / "matching" / "features.py",
)


def snapshot_wanted() -> bool:
    return bool(settings.POOL_SNAPSHOT_DIR)


def snapshot_path() -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", str(connection.settings_dict["NAME"]))
    return Path(settings.POOL_SNAPSHOT_DIR) / f"pool-{name}.npz"


@functools.cache
def _fingerprint() -> str:
    digest = hashlib.sha256(str(SNAPSHOT_FORMAT).encode())
    for source in _FINGERPRINT_SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _checksum(arrays: Mapping[str, np.ndarray]) -> int:
    crc = 0
    for name in sorted(arrays):
        crc = zlib.crc32(name.encode(), crc)
        crc = zlib.crc32(np.ascontiguousarray(arrays[name]).data, crc)
    return crc


def snapshot_write(pool: Pool, keeper_state: dict[str, Any]) -> Path | None:
    """Write `pool` and the keeper's watermarks atomically (a temporary file renamed over the
    last snapshot); None when another process holds the snapshot's lock."""
    path = snapshot_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        arrays = pool.to_arrays()
        meta = {
            **keeper_state,
            "format": SNAPSHOT_FORMAT,
            "fingerprint": _fingerprint(),
            "database": str(connection.settings_dict["NAME"]),
            "checksum": _checksum(arrays),
        }
        arrays["snapshot"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            with open(temporary, "wb") as out:
                np.savez(out, **arrays)  # type: ignore[arg-type]
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    return path


def snapshot_read() -> tuple[Pool, dict[str, Any]] | None:
    """The snapshot's pool and metadata, or None (see above) with the reason logged."""
    if not snapshot_wanted():
        return None
    path = snapshot_path()
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["snapshot"].tobytes())
            reason = _snapshot_unusable(meta)
            if reason:
                logger.info("Pool snapshot %s not used: %s", path, reason)
                return None
            arrays = {name: data[name] for name in data.files if name != "snapshot"}
        if _checksum(arrays) != meta["checksum"]:
            raise ValueError("checksum mismatch")
        return Pool.from_arrays(arrays), meta
    except Exception:
        logger.exception("Pool snapshot %s unreadable; loading the pool from the database", path)
        return None


def _snapshot_unusable(meta: dict[str, Any]) -> str:
    if meta.get("format") != SNAPSHOT_FORMAT or meta.get("fingerprint") != _fingerprint():
        return "written by other code"
    if meta.get("database") != str(connection.settings_dict["NAME"]):
        return "of another database"
    if not meta.get("watermark") or not meta.get("shortlist_watermark"):
        return "no watermark"
    age = (timezone.now() - _parse_time(meta["watermark"])).total_seconds()
    if age > settings.POOL_SNAPSHOT_MAX_AGE_SECONDS:
        return f"{age:.0f} s old"
    return ""


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def pool_existing(candidate_ids: Sequence[int]) -> set[int]:
    """Of these people ranked from the pool, the ones whose row is still in the database; the
    others (a row deleted, which the catch-up by `updated_at` cannot see) leave this process's
    pool, so that a stored shortlist or bench never names somebody who is gone. One indexed
    lookup of a shortlist's or a bench's few ids."""
    wanted = set(candidate_ids)
    if not wanted:
        return wanted
    existing = set(Candidate.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if missing := wanted - existing:
        with _keeper.lock:
            if _keeper.pool is not None:
                _keeper.pool.remove(sorted(missing))
        logger.warning("pool: %d people no longer in the database dropped", len(missing))
    return existing
