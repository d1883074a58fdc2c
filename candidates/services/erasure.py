"""Erase my account: personal data removed or irreversibly anonymised everywhere it lives.

What is kept, and why, is written up in docs/privacy.md: the anonymised candidate row (so that
placements, which accounting and working-time law require us to keep, still point at something),
the placements themselves, shortlist entries (matching logs, kept at least six months, holding
only codes and numbers) and audit rows stripped of their data.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from candidates.models import Candidate, CandidateCV
from candidates.services.consent import bench_refresh_enqueue
from candidates.services.cv import cv_storage
from candidates.services.export import relations_to_person
from staffing.models import AuditEvent, Placement, ShortlistEntry, User
from staffing.services.audit import audit_record
from staffing.services.pool import candidate_touch

# Rows pointing at the person that are kept (pointing at the anonymised row): the law requires
# placements; matching logs hold no personal values; audit rows lose their data.
KEPT_MODELS = {Placement, ShortlistEntry, AuditEvent}
ERASED_NAME = "–"


@transaction.atomic
def candidate_erase(*, candidate: Candidate, by: User | None) -> None:
    """Erase the person. Idempotent: erasing an erased person does nothing more."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    user = candidate.user
    cv_names = list(
        CandidateCV.objects.filter(candidate=candidate).values_list("stored_name", flat=True)
    )
    _delete_related(candidate, user)
    AuditEvent.objects.filter(candidate=candidate).update(data={})
    if user is not None:
        AuditEvent.objects.filter(actor=user).update(data={})
    Candidate.objects.filter(pk=candidate.pk).update(
        user=None,
        first_name=ERASED_NAME,
        last_name=ERASED_NAME,
        email="",
        phone="",
        postal_code="",
        latitude=None,
        longitude=None,
        introduction="",
        availability=0,
        availability_confirmed_at=None,
        matching_consent=False,
        works_retail=False,
        works_office=False,
        status=Candidate.Status.ERASED,
    )
    candidate_touch(candidate_ids=[candidate.pk])
    bench_refresh_enqueue(candidate=candidate)
    if user is not None:
        _sessions_delete(user.pk)
        User.objects.filter(pk=user.pk).delete()
    actor = None if by is None or user is None or by.pk in (None, user.pk) else by
    audit_record(
        actor=actor, action="candidate.erased", target=candidate, candidate_id=candidate.pk
    )
    storage = cv_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in cv_names])
    transaction.on_commit(lambda: cache.delete_many(_cache_keys(candidate.pk)))


def _delete_related(candidate: Candidate, user: User | None) -> None:
    """Delete every other row that points at the person or their login (model walk)."""
    for model, field in relations_to_person():
        if model in KEPT_MODELS or model is Candidate:
            continue
        owner = candidate if field.related_model is Candidate else user
        if owner is None:
            continue
        try:
            model._default_manager.filter(**{field.name: owner}).delete()
        except ProtectedError:
            # Rows another record must keep (e.g. one a placement depends on) stay, pointing
            # at the anonymised person; they hold no personal values of their own.
            continue


def _sessions_delete(user_id: int) -> int:
    """Log the person out everywhere: delete every live session that belongs to them."""
    keys = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == str(user_id)
    ]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


def _cache_keys(candidate_id: int) -> list[str]:
    """Cache entries about one person (none today; listed so that erasure reaches them)."""
    return [f"candidate:{candidate_id}:card", f"candidate:{candidate_id}:completeness"]
