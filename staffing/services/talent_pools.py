"""Talent pools: named lists of people the agency keeps warm for one client.

Being in a client's pool is a soft factor of matching (`talent_pool`, docs/matching.md): adding
or removing someone touches their matching data, so the next match sees it at once, and asks for
the client's benches to be rebuilt (kept on the bench, so the bench sweep finishes it if the
queued task is lost). Offer waves offer a client's pool right after its favourites.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate
from clients.models import ClientCompany, ServiceProfile
from staffing.base.audit import audit_record
from staffing.base.models import User
from staffing.models import Bench, TalentPool, TalentPoolMember
from staffing.services.bench_requests import bench_refresh_enqueue


class TalentPoolError(ValueError):
    """A pool that cannot be created or changed; the message is for the user."""


def talent_pools_all() -> QuerySet[TalentPool]:
    """Every pool, with its company and profile and how many people it has."""
    return TalentPool.objects.select_related("company", "service_profile").annotate(
        size=Count("members")
    )


@transaction.atomic
def talent_pool_create(
    *, company: ClientCompany, name: str, by: User, service_profile: ServiceProfile | None = None
) -> TalentPool:
    name = name.strip()[:100]
    if not name:
        raise TalentPoolError(_("Give the pool a name."))
    if service_profile is not None and service_profile.company_id != company.pk:
        raise TalentPoolError(_("The service profile is not this client's."))
    try:
        with transaction.atomic():
            pool = TalentPool.objects.create(
                company=company, service_profile=service_profile, name=name, created_by=by
            )
    except IntegrityError:
        raise TalentPoolError(
            _("%(company)s already has a pool called %(name)s.")
            % {"company": company.name, "name": name}
        ) from None
    audit_record(actor=by, action="talent_pool.created", target=pool, data={"name": name})
    return pool


@transaction.atomic
def talent_pool_add(
    *, pool: TalentPool, candidates: Iterable[Candidate], by: User, source: str
) -> int:
    """Put people in the pool (those in it already stay as they were); returns how many were
    added. Matching and the client's benches see them at once."""
    if source not in TalentPoolMember.Source.values:
        source = TalentPoolMember.Source.PROFILE
    people = [c for c in candidates if c.status != Candidate.Status.ERASED]
    present = set(pool.members.filter(candidate__in=people).values_list("candidate_id", flat=True))
    added = [c for c in people if c.pk not in present]
    TalentPoolMember.objects.bulk_create(
        [TalentPoolMember(pool=pool, candidate=c, source=source, added_by=by) for c in added],
        ignore_conflicts=True,
    )
    for candidate in added:
        audit_record(
            actor=by,
            action="talent_pool.added",
            target=pool,
            candidate_id=candidate.pk,
            data={"source": source},
        )
    _matching_changed(pool=pool, candidate_ids=[c.pk for c in added])
    return len(added)


@transaction.atomic
def talent_pool_remove(*, pool: TalentPool, candidate: Candidate, by: User) -> bool:
    removed, _rows = pool.members.filter(candidate=candidate).delete()
    if removed:
        audit_record(actor=by, action="talent_pool.removed", target=pool, candidate_id=candidate.pk)
        _matching_changed(pool=pool, candidate_ids=[candidate.pk])
    return bool(removed)


def _matching_changed(*, pool: TalentPool, candidate_ids: list[int]) -> None:
    """The people's matching data changed: workers reload them before their next match, and
    the client's benches are rebuilt once this commits (or by the bench sweep)."""
    if not candidate_ids:
        return
    Candidate.objects.filter(pk__in=candidate_ids).touch()
    profiles = list(
        ServiceProfile.objects.filter(company_id=pool.company_id, is_active=True).values_list(
            "pk", flat=True
        )
    )
    Bench.objects.filter(profile_id__in=profiles).update(refresh_requested_at=timezone.now())
    for profile_id in profiles:
        bench_refresh_enqueue(profile_id=profile_id)


def talent_pools_of_candidate(*, candidate: Candidate) -> QuerySet[TalentPoolMember]:
    return TalentPoolMember.objects.filter(candidate=candidate).select_related(
        "pool__company", "pool__service_profile"
    )


def talent_pool_members(*, pool: TalentPool) -> QuerySet[TalentPoolMember]:
    return (
        pool.members.exclude(candidate__status=Candidate.Status.ERASED)
        .select_related("candidate", "added_by")
        .order_by("candidate__last_name", "candidate__first_name")
    )


def talent_pool_candidate_ids(*, company_id: int, candidate_ids: list[int]) -> set[int]:
    """Which of these people are in a talent pool of the company."""
    return set(
        TalentPoolMember.objects.filter(
            pool__company_id=company_id, candidate_id__in=candidate_ids
        ).values_list("candidate_id", flat=True)
    )
