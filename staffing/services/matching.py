"""Build and store shortlists for staffing requests with the matching engine.

The service loads the request, asks the worker's pool (caught up with the database) for a
ranking, checks the chosen people against the database once more, and stores the entries with
their explanations and the inputs needed to replay the ranking.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from candidates.availability import shift_requirements
from candidates.models import Candidate
from staffing.matching.engine import Entry, MatchResult, rank
from staffing.matching.features import RequestSpec, ShiftSpec
from staffing.matching.pool import Pool
from staffing.matching.replay import StoredInputs
from staffing.matching.rules import RULES_VERSION, weights_resolve
from staffing.models import (
    RequestLanguage,
    Shift,
    ShiftCancellation,
    Shortlist,
    ShortlistEntry,
    StaffingRequest,
)
from staffing.services.audit import audit_record
from staffing.services.pool import pool_current, pool_keeper, pool_reload

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
    facts = _request_facts(request.pk)
    return RequestSpec(
        company_id=request.company_id,
        role_type=request.role_type,
        site_latitude=request.site.latitude,
        site_longitude=request.site.longitude,
        shifts=tuple(
            shift_spec(start, end)
            for start, end in zip(facts["shift_starts"], facts["shift_ends"], strict=True)
        ),
        now=(now or timezone.now()).timestamp(),
        weights=weights_resolve(profile.weights),
        focus=profile.focus,
        languages=tuple(zip(facts["language_codes"], facts["language_levels"], strict=True)),
        required_skills=tuple(facts["required_skill_ids"]),
        preferred_skills=tuple(facts["preferred_skill_ids"]),
        stale_days=settings.AVAILABILITY_STALE_DAYS,
    )


def _request_facts(request_id: int) -> dict[str, list]:
    """A request's active shifts, languages and skills in one query (one round trip per match).

    Each value is a sorted array; shift starts and ends, languages and levels pair up by position.
    Written as SQL: compiling the same six subqueries with the ORM took 3 ms of every match.
    """
    with connection.cursor() as cursor:
        cursor.execute(_REQUEST_FACTS_SQL, {"id": request_id})
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
_ACTIVE_SHIFTS = f"""FROM {Shift._meta.db_table} s WHERE s.request_id = %(id)s AND NOT EXISTS (
    SELECT 1 FROM {ShiftCancellation._meta.db_table} c WHERE c.shift_id = s.id)
    ORDER BY s.starts_at, s.ends_at, s.id"""
_LANGUAGES = f"FROM {RequestLanguage._meta.db_table} WHERE request_id = %(id)s ORDER BY language"
_REQUEST_FACTS_SQL = f"""SELECT
    ARRAY(SELECT s.starts_at {_ACTIVE_SHIFTS}),
    ARRAY(SELECT s.ends_at {_ACTIVE_SHIFTS}),
    ARRAY(SELECT language {_LANGUAGES}),
    ARRAY(SELECT level {_LANGUAGES}),
    ARRAY(SELECT skill_id FROM {StaffingRequest.required_skills.through._meta.db_table}
          WHERE staffingrequest_id = %(id)s ORDER BY skill_id),
    ARRAY(SELECT skill_id FROM {StaffingRequest.preferred_skills.through._meta.db_table}
          WHERE staffingrequest_id = %(id)s ORDER BY skill_id)"""


def match_rank(*, spec: RequestSpec) -> tuple[Pool, MatchResult]:
    """Rank the caught-up pool, then make sure nobody chosen changed in the meantime.

    The pool catches up before ranking; a change committed while we rank is caught by comparing
    the chosen people's versions with the database and, if any differ, ranking once more.
    """
    with pool_keeper().lock:
        pool = pool_current()
        result = _rank(pool, spec)
        stale = _stale_ids(pool, result)
        if stale:
            pool_reload(candidate_ids=stale)
            result = _rank(pool, spec)
    return pool, result


def _rank(pool: Pool, spec: RequestSpec) -> MatchResult:
    return rank(pool, spec, size=settings.SHORTLIST_SIZE, near_miss_size=NEAR_MISS_SIZE)


def _stale_ids(pool: Pool, result: MatchResult) -> list[int]:
    entries = [*result.ranked, *result.near_misses]
    if not entries:
        return []
    ids = [e.candidate_id for e in entries]
    # The same expression as the pool's versions (staffing.services.pool.features_load).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, (EXTRACT(EPOCH FROM updated_at) * 1000000)::bigint "
            f"FROM {Candidate._meta.db_table} WHERE id = ANY(%s)",
            [ids],
        )
        current = dict(cursor.fetchall())
    versions = pool.col("versions")[np.array([e.index for e in entries])]
    return [
        pk for pk, version in zip(ids, versions.tolist(), strict=True) if current.get(pk) != version
    ]


def shortlist_build(*, request_id: int) -> Shortlist | None:
    """Rank people for a RECEIVED request and store the shortlist; None if already done."""
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        request = (
            StaffingRequest.objects.select_for_update(of=("self",))
            .select_related("site", "service_profile")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.status != StaffingRequest.Status.RECEIVED:
            return None
        if settings.AUTOMATIC_MATCHING:
            spec = request_spec(request=request)
            pool, result = match_rank(spec=spec)
            shortlist = _shortlist_store(request=request, spec=spec, pool=pool, result=result)
            counts = {"entries": len(result.ranked), "near_misses": len(result.near_misses)}
        else:
            shortlist = _shortlist_manual(request=request)
            counts = {"entries": 0, "near_misses": 0}
        request.status = StaffingRequest.Status.SHORTLISTED
        request.shortlisted_at = timezone.now()
        request.save(update_fields=["status", "shortlisted_at", "updated_at"])
        audit_record(
            actor=None,
            action="shortlist.created",
            target=shortlist,
            staffing_request_id=request.pk,
            data={**counts, "rules_version": shortlist.rules_version},
        )
    return shortlist


def _shortlist_manual(*, request: StaffingRequest) -> Shortlist:
    """An empty shortlist for recruiters to fill by hand (automatic matching switched off).

    Its rules version says no engine ranked it, so nothing tries to replay it; the request still
    becomes SHORTLISTED, where recruiters search and add people (staffing.services.shortlists).
    """
    return Shortlist.objects.create(
        request=request, rules_version=MANUAL_RULES_VERSION, inputs={"manual": True}
    )


def _commit_without_waiting_for_disk() -> None:
    """Let this transaction's commit return before its WAL reaches the disk.

    A crash in that instant loses the shortlist and the status change together, so the request
    is still RECEIVED and the sweep matches it again: nothing is lost but a few milliseconds.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _shortlist_store(
    *, request: StaffingRequest, spec: RequestSpec, pool: Pool, result: MatchResult
) -> Shortlist:
    entries = [*result.ranked, *result.near_misses]
    inputs = StoredInputs(
        spec=spec,
        people=pool.features_many([e.index for e in entries]),
        size=settings.SHORTLIST_SIZE,
        near_miss_size=NEAR_MISS_SIZE,
    )
    shortlist = Shortlist.objects.create(
        request=request,
        rules_version=RULES_VERSION,
        inputs=inputs.to_json(),
        pool_size=result.pool_size,
        eligible_count=result.eligible_count,
    )
    _entries_insert(shortlist_id=shortlist.pk, entries=entries)
    return shortlist


def _entries_insert(*, shortlist_id: int, entries: list[Entry]) -> None:
    """Store the entries with one statement and one JSON document.

    `bulk_create` adapted each explanation separately and built 60 model instances: about 9 ms
    of a match's 40 at 100,000 people, against 5 for this (docs/performance.md).
    """
    if not entries:
        return
    rows = [[e.candidate_id, e.rank, e.score, e.near_miss, e.explanation] for e in entries]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {ShortlistEntry._meta.db_table}
                    (shortlist_id, candidate_id, rank, score, near_miss, explanation)
                SELECT %s, (r->>0)::bigint, (r->>1)::int, (r->>2)::float8, (r->>3)::boolean, r->4
                FROM jsonb_array_elements(%s::jsonb) r""",
            [shortlist_id, json.dumps(rows, separators=(",", ":"), check_circular=False)],
        )
