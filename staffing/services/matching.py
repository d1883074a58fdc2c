"""Build and store shortlists for staffing requests with the matching engine.

The service loads the request, asks the worker's pool (caught up with the database) for a
ranking, checks the chosen people against the database once more, and stores the entries with
their explanations and the inputs needed to replay the ranking.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from candidates.availability import shift_requirements
from candidates.models import Candidate
from staffing.matching.engine import MatchResult, rank
from staffing.matching.features import RequestSpec, ShiftSpec
from staffing.matching.pool import Pool
from staffing.matching.replay import StoredInputs
from staffing.matching.rules import RULES_VERSION, weights_resolve
from staffing.models import Shortlist, ShortlistEntry, StaffingRequest
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
    return RequestSpec(
        company_id=request.company_id,
        role_type=request.role_type,
        site_latitude=request.site.latitude,
        site_longitude=request.site.longitude,
        shifts=tuple(shift_spec(s.starts_at, s.ends_at) for s in request.shifts.active()),
        now=(now or timezone.now()).timestamp(),
        weights=weights_resolve(profile.weights),
        focus=profile.focus,
        languages=tuple(sorted(request.languages.values_list("language", "level"))),
        required_skills=tuple(sorted(request.required_skills.values_list("pk", flat=True))),
        preferred_skills=tuple(sorted(request.preferred_skills.values_list("pk", flat=True))),
        stale_days=settings.AVAILABILITY_STALE_DAYS,
    )


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
    current = dict(Candidate.objects.filter(pk__in=ids).values_list("pk", "updated_at"))
    versions = pool.col("versions")[np.array([e.index for e in entries])]
    return [
        pk
        for pk, version in zip(ids, versions.tolist(), strict=True)
        if pk not in current or _micros(current[pk]) != version
    ]


def _micros(moment: dt.datetime) -> int:
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


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
    ShortlistEntry.objects.bulk_create(
        ShortlistEntry(
            shortlist=shortlist,
            candidate_id=e.candidate_id,
            rank=e.rank,
            score=e.score,
            explanation=e.explanation,
            near_miss=e.near_miss,
        )
        for e in entries
    )
    return shortlist
