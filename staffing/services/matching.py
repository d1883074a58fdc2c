"""Build and store shortlists for staffing requests with the matching engine.

The service loads the request, asks the worker's pool (caught up with the database) for a
ranking, checks the chosen people against the database once more, and stores the entries with
their explanations and the inputs needed to replay the ranking.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from candidates.availability import shift_requirements
from candidates.models import Candidate
from clients.models import ServiceProfile, Site
from staffing.base.audit import audit_event
from staffing.base.events import REQUEST_SHORTLISTED, DomainEvent, domain_events_publish
from staffing.matching.engine import MatchResult, rank
from staffing.matching.features import RequestSpec, ShiftSpec
from staffing.matching.pool import Pool
from staffing.matching.replay import inputs_json
from staffing.matching.rules import rules_version_of, weights_resolve
from staffing.models import (
    AuditEvent,
    RequestLanguage,
    Shift,
    ShiftCancellation,
    Shortlist,
    ShortlistEntry,
    StaffingRequest,
)
from staffing.services.pool import pool_current, pool_existing, pool_keeper, pool_reload
from staffing.services.statements import prepared_execute

NEAR_MISS_SIZE = 10
# The rules version of a shortlist built by hand (settings.AUTOMATIC_MATCHING off).
MANUAL_RULES_VERSION = "manual"


def shift_spec(start: dt.datetime, end: dt.datetime) -> ShiftSpec:
    mask, dates = shift_requirements(start, end)
    return ShiftSpec(
        start.timestamp(), end.timestamp(), mask, tuple(sorted(d.toordinal() for d in dates))
    )


def request_spec(*, request: StaffingRequest, now: dt.datetime | None = None) -> RequestSpec:
    """What the engine needs to know about a request: never its free-text notes."""
    profile = request.service_profile
    return _Claimed(
        id=request.pk,
        company_id=request.company_id,
        role_type=request.role_type,
        site_latitude=request.site.latitude,
        site_longitude=request.site.longitude,
        weights=profile.weights,
        focus=profile.focus,
        facts=_request_facts(request.pk),
        profile_id=profile.pk,
        weights_version=profile.weights_version,
    ).spec(now or timezone.now())


def _request_facts(request_id: int) -> dict[str, list]:
    """A request's active shifts, languages and skills in one query (one round trip per match).

    Each value is a sorted array; shift starts and ends, languages and levels pair up by position.
    Written as SQL: compiling the same six subqueries with the ORM took 3 ms of every match.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_request_facts_sql('%(id)s')}", {"id": request_id})
        row = cursor.fetchone()
    return dict(zip(_REQUEST_FACTS, row, strict=True))


_REQUEST_FACTS = (
    "shift_starts",
    "shift_ends",
    "language_codes",
    "language_levels",
    "required_skill_ids",
    "preferred_skill_ids",
)


def _request_facts_sql(request: str) -> str:
    """The six arrays of _REQUEST_FACTS for the request whose id is the SQL `request`."""
    shifts = f"""FROM {Shift._meta.db_table} s WHERE s.request_id = {request} AND NOT EXISTS (
        SELECT 1 FROM {ShiftCancellation._meta.db_table} x WHERE x.shift_id = s.id)
        ORDER BY s.starts_at, s.ends_at, s.id"""
    languages = (
        f"FROM {RequestLanguage._meta.db_table} WHERE request_id = {request} ORDER BY language"
    )
    skills = "FROM {} WHERE staffingrequest_id = {} ORDER BY skill_id"
    required = skills.format(StaffingRequest.required_skills.through._meta.db_table, request)
    preferred = skills.format(StaffingRequest.preferred_skills.through._meta.db_table, request)
    return f"""ARRAY(SELECT s.starts_at {shifts}), ARRAY(SELECT s.ends_at {shifts}),
        ARRAY(SELECT language {languages}), ARRAY(SELECT level {languages}),
        ARRAY(SELECT skill_id {required}), ARRAY(SELECT skill_id {preferred})"""


def match_rank(*, spec: RequestSpec) -> tuple[Pool, MatchResult]:
    """Rank the caught-up pool, then make sure nobody chosen changed in the meantime."""
    pool, (result,) = match_rank_many(specs=[spec])
    return pool, result


def match_rank_many(*, specs: Sequence[RequestSpec]) -> tuple[Pool, list[MatchResult]]:
    """Rank the caught-up pool for each spec, then make sure nobody chosen changed meanwhile.

    The pool catches up once before ranking; a change committed while we rank is caught by
    comparing the chosen people's versions with the database (one query for every result) and,
    if any differ, reloading them and ranking once more.
    """
    with pool_keeper().lock:
        pool = pool_current()
        results = [_rank(pool, spec) for spec in specs]
        stale = _stale_ids(pool, results)
        if stale:
            pool_reload(candidate_ids=stale)
            results = [_rank(pool, spec) for spec in specs]
    return pool, results


def _rank(pool: Pool, spec: RequestSpec) -> MatchResult:
    return rank(pool, spec, size=settings.SHORTLIST_SIZE, near_miss_size=NEAR_MISS_SIZE)


def _stale_ids(pool: Pool, results: Sequence[MatchResult]) -> list[int]:
    entries = {e.candidate_id: e.index for r in results for e in (*r.ranked, *r.near_misses)}
    if not entries:
        return []
    ids = list(entries)
    # The same expression as the pool's versions (staffing.services.pool.features_load).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, (EXTRACT(EPOCH FROM updated_at) * 1000000)::bigint "
            f"FROM {Candidate._meta.db_table} WHERE id = ANY(%s)",
            [ids],
        )
        current = dict(cursor.fetchall())
    versions = pool.col("versions")[np.array(list(entries.values()))]
    return [
        pk for pk, version in zip(ids, versions.tolist(), strict=True) if current.get(pk) != version
    ]


def shortlist_build(*, request_id: int) -> Shortlist | None:
    """Rank people for a RECEIVED request and store the shortlist; None if already done.

    Waits for the request if another transaction holds it (then finds it done, or not)."""
    built, _ = _build(request_id=request_id, others=0)
    return built.get(request_id)


def shortlists_build(*, request_id: int, batch: int | None = None) -> Shortlist | None:
    """The worker's match: `request_id` together with up to `batch` - 1 other waiting requests.

    When many requests arrive at once (a burst), each worker process takes the oldest waiting
    ones that no other process holds and stores their shortlists in one transaction: the pool's
    catch-up, the final check, the writes and the commit are paid once per batch instead of once
    per request, which is what lets two processes keep up with a burst. A request is never
    waited for in a batch; if another process holds `request_id`, the others are matched first
    and `request_id` is then waited for on its own (by then it is usually done).
    Returns `request_id`'s shortlist, or None if it was done elsewhere or is not waiting.
    """
    batch = batch or settings.MATCHING_BATCH_SIZE
    built, waiting = _build(request_id=request_id, others=batch - 1)
    if request_id in built or not waiting:
        return built.get(request_id)
    return shortlist_build(request_id=request_id)


@dataclass(frozen=True)
class _Claimed:
    """A request to rank (locked for matching, or read by `request_spec`), with what ranking
    needs of it."""

    id: int
    company_id: int
    role_type: str
    site_latitude: float
    site_longitude: float
    weights: dict | None
    focus: str
    facts: dict[str, list]  # _REQUEST_FACTS
    profile_id: int | None = None
    weights_version: int = 0

    @property
    def rules_version(self) -> str:
        return rules_version_of(profile_id=self.profile_id, weights_version=self.weights_version)

    def spec(self, now: dt.datetime) -> RequestSpec:
        """What the engine needs to know about the request: never its free-text notes."""
        facts = self.facts
        return RequestSpec(
            company_id=self.company_id,
            role_type=self.role_type,
            site_latitude=self.site_latitude,
            site_longitude=self.site_longitude,
            shifts=tuple(
                shift_spec(start, end)
                for start, end in zip(facts["shift_starts"], facts["shift_ends"], strict=True)
            ),
            now=now.timestamp(),
            weights=weights_resolve(self.weights),
            focus=self.focus,
            languages=tuple(zip(facts["language_codes"], facts["language_levels"], strict=True)),
            required_skills=tuple(facts["required_skill_ids"]),
            preferred_skills=tuple(facts["preferred_skill_ids"]),
            stale_days=settings.AVAILABILITY_STALE_DAYS,
        )


def _build(*, request_id: int, others: int) -> tuple[dict[int, Shortlist], bool]:
    """Lock `request_id` and up to `others` more waiting requests and store their shortlists.

    With `others` = 0 the request is waited for if another transaction holds it; otherwise
    locked requests are skipped. Returns the shortlists built by request id, and whether
    `request_id` was still waiting (status RECEIVED) when looked at.
    """
    with transaction.atomic():
        claimed, waiting = _claim(request_id=request_id, others=others)
        if not claimed:
            return {}, waiting
        results: list[MatchResult | None]
        if settings.AUTOMATIC_MATCHING:
            now = timezone.now()
            specs = [c.spec(now) for c in claimed]
            pool, ranked = match_rank_many(specs=specs)
            shortlists = _shortlists_store(claimed=claimed, specs=specs, pool=pool, results=ranked)
            results = list(ranked)
        else:
            results = [None] * len(claimed)
            shortlists = [_shortlist_manual(request_id=c.id) for c in claimed]
        now = timezone.now()
        StaffingRequest.objects.filter(pk__in=[c.id for c in claimed]).update(
            status=StaffingRequest.Status.SHORTLISTED, shortlisted_at=now, updated_at=now
        )
        AuditEvent.objects.bulk_create(
            audit_event(
                actor=None,
                action="shortlist.created",
                target=shortlist,
                staffing_request_id=shortlist.request_id,
                data={
                    "entries": len(result.ranked) if result else 0,
                    "near_misses": len(result.near_misses) if result else 0,
                    "rules_version": shortlist.rules_version,
                },
            )
            for shortlist, result in zip(shortlists, results, strict=True)
        )
        domain_events_publish(
            [
                DomainEvent(
                    name=REQUEST_SHORTLISTED,
                    company_id=claim.company_id,
                    payload={"request_id": claim.id, "status": StaffingRequest.Status.SHORTLISTED},
                )
                for claim in claimed
            ]
        )
    return {s.request_id: s for s in shortlists}, waiting


def _claim(*, request_id: int, others: int) -> tuple[list[_Claimed], bool]:
    """Lock the waiting requests to match now (`request_id` first, then the oldest others) and
    read what ranking needs of them in the same round trip; and whether `request_id` waits."""
    with connection.cursor() as cursor:
        prepared_execute(
            cursor,
            "staffing_claim_batch" if others else "staffing_claim_one",
            _CLAIM_SQL.format(lock="FOR UPDATE SKIP LOCKED" if others else "FOR UPDATE"),
            {"id": request_id, "limit": others + 1},
            # In the same round trip: let this transaction's commit return before its WAL
            # reaches the disk. A crash in that instant loses the shortlists and the status
            # changes together, so the requests are still RECEIVED and the sweep matches them
            # again: nothing is lost but a few milliseconds.
            prefix="SET LOCAL synchronous_commit TO OFF",
        )
        rows = cursor.fetchall()
    waiting = False
    claimed = []
    for row in rows:
        if row[0] is None:  # the status row
            waiting = row[2] == StaffingRequest.Status.RECEIVED
            continue
        pk, company_id, role_type, lat, lon, weights, focus, profile_id, version, *facts = row
        claimed.append(
            _Claimed(
                pk,
                company_id,
                role_type,
                lat,
                lon,
                json.loads(weights) if weights else None,
                focus,
                dict(zip(_REQUEST_FACTS, facts, strict=True)),
                profile_id,
                version or 0,
            )
        )
    return claimed, waiting


# `request_id` sorts first (false before true), then the oldest. A blocked lock (FOR UPDATE
# without SKIP LOCKED, `others` = 0) re-reads the row when the holder commits, so a request
# matched meanwhile is no longer selected. The last row (id NULL) is `request_id`'s status.
_CLAIM_SQL = f"""WITH claimed AS (
        SELECT id, company_id, role_type, site_id, service_profile_id
        FROM {StaffingRequest._meta.db_table}
        WHERE status = '{StaffingRequest.Status.RECEIVED.value}'
            AND (id = %(id)s::bigint OR %(limit)s::int > 1)
        ORDER BY id <> %(id)s, id
        LIMIT %(limit)s
        {{lock}})
    SELECT c.id, c.company_id, c.role_type, s.latitude, s.longitude, p.weights::text, p.focus,
        p.id, p.weights_version, {_request_facts_sql("c.id")}
    FROM claimed c
    JOIN {Site._meta.db_table} s ON s.id = c.site_id
    JOIN {ServiceProfile._meta.db_table} p ON p.id = c.service_profile_id
    UNION ALL
    SELECT NULL, NULL, status, NULL, NULL, NULL, NULL, NULL, NULL, {", ".join(["NULL"] * 6)}
    FROM {StaffingRequest._meta.db_table} WHERE id = %(id)s"""


def _shortlist_manual(*, request_id: int) -> Shortlist:
    """An empty shortlist for recruiters to fill by hand (automatic matching switched off).

    Its rules version says no engine ranked it, so nothing tries to replay it; the request still
    becomes SHORTLISTED, where recruiters search and add people (staffing.services.shortlists).
    """
    return Shortlist.objects.create(
        request_id=request_id, rules_version=MANUAL_RULES_VERSION, inputs={"manual": True}
    )


def _shortlists_store(
    *,
    claimed: Sequence[_Claimed],
    specs: Sequence[RequestSpec],
    pool: Pool,
    results: Sequence[MatchResult],
) -> list[Shortlist]:
    """Store the shortlists with their replay inputs (one INSERT from one orjson document), then
    every entry (one COPY).

    COPY is PostgreSQL's fastest way in: no statement holding every explanation to parse and
    plan, each explanation parsed once into its row (docs/performance.md). orjson serialises
    the float-rich explanations about ten times faster than json. `bulk_create` adapted each
    explanation separately and built a model instance per entry: 9 ms of a 40 ms match at
    100,000 people.
    """
    entries = [[*r.ranked, *r.near_misses] for r in results]
    existing = pool_existing([e.candidate_id for batch in entries for e in batch])
    entries = [[e for e in batch if e.candidate_id in existing] for batch in entries]
    people = pool.feature_rows([e.index for batch in entries for e in batch])
    now = timezone.now()
    shortlists, document = [], []
    at = 0
    for c, spec, result, batch in zip(claimed, specs, results, entries, strict=True):
        inputs = inputs_json(
            spec=spec,
            people_rows=people[at : at + len(batch)],
            size=settings.SHORTLIST_SIZE,
            near_miss_size=NEAR_MISS_SIZE,
        )
        at += len(batch)
        shortlists.append(
            Shortlist(
                request_id=c.id,
                rules_version=c.rules_version,
                inputs=inputs,
                pool_size=result.pool_size,
                eligible_count=result.eligible_count,
                created_at=now,
            )
        )
        document.append([c.id, inputs, result.pool_size, result.eligible_count, c.rules_version])
    with connection.cursor() as cursor:
        prepared_execute(
            cursor,
            "staffing_shortlists_insert",
            _LISTS_SQL,
            {"now": now, "doc": orjson.dumps(document).decode()},
        )
        ids = dict(cursor.fetchall())
        entries_copy(
            cursor,
            [
                (ids[c.id], e.candidate_id, e.rank, e.score, e.near_miss, e.explanation)
                for c, batch in zip(claimed, entries, strict=True)
                for e in batch
            ],
        )
    for shortlist in shortlists:
        shortlist.pk = ids[shortlist.request_id]
        shortlist._state.adding, shortlist._state.db = False, connection.alias
    return shortlists


def entries_copy(cursor, rows: Sequence[tuple[int, int, int, float, bool, object]]) -> None:
    """Insert shortlist entries (shortlist id, candidate id, rank, score, near miss,
    explanation) with COPY, in its text format.

    An explanation is compact JSON from orjson: it has no raw tab, newline or carriage return
    (they are escaped inside strings), so doubling its backslashes makes it a COPY field."""
    lines = io.BytesIO()
    for shortlist_id, candidate_id, rank_, score, near_miss, explanation in rows:
        flag = "t" if near_miss else "f"
        lines.write(f"{shortlist_id}\t{candidate_id}\t{rank_}\t{score!r}\t{flag}\t".encode())
        lines.write(orjson.dumps(explanation).replace(b"\\", b"\\\\"))
        lines.write(b"\n")
    lines.seek(0)
    cursor.copy_expert(_ENTRIES_COPY, lines)


_ENTRIES_COPY = (
    f"COPY {ShortlistEntry._meta.db_table} "
    "(shortlist_id, candidate_id, rank, score, near_miss, explanation) FROM STDIN"
)
_LISTS_SQL = f"""INSERT INTO {Shortlist._meta.db_table}
        (request_id, rules_version, inputs, pool_size, eligible_count, created_at)
    SELECT (s->>0)::bigint, s->>4, s->1, (s->>2)::int, (s->>3)::int,
        %(now)s::timestamptz
    FROM json_array_elements(%(doc)s::json) s
    RETURNING request_id, id"""
