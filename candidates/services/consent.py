"""Consents: given with the privacy notice's version, withdrawable one purpose at a time."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate, Consent, ConsentPurpose
from staffing.base.audit import audit_record
from staffing.base.models import User
from staffing.base.queueing import enqueue_on_commit

# Bump this whenever templates/candidates/_privacy_notice.html changes in substance; each consent
# records the version the person saw.
PRIVACY_NOTICE_VERSION = "2025-01"


def consents_active(*, candidate: Candidate) -> dict[str, Consent]:
    """The consents in force, by purpose."""
    return {c.purpose: c for c in candidate.consents.filter(withdrawn_at__isnull=True)}


@transaction.atomic
def consent_give(
    *,
    candidate: Candidate,
    by: User | None,
    purposes: Iterable[str],
    version: str = PRIVACY_NOTICE_VERSION,
) -> list[Consent]:
    """Record consent for each purpose not already in force; matching consent enters the pool."""
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    active = consents_active(candidate=candidate)
    given = [
        Consent.objects.create(candidate=candidate, purpose=purpose, version=version)
        for purpose in dict.fromkeys(purposes)
        if purpose not in active
    ]
    if any(c.purpose == ConsentPurpose.MATCHING for c in given):
        _matching_consent_set(candidate, True)
    if any(c.purpose == ConsentPurpose.PRESENTATION for c in given):
        _presentation_consent_set(candidate, True)
    for consent in given:
        audit_record(
            actor=by,
            action="candidate.consent_given",
            target=consent,
            candidate_id=candidate.pk,
            data={"purpose": consent.purpose, "version": version},
        )
    return given


@transaction.atomic
def consent_withdraw(*, candidate: Candidate, by: User | None, purpose: str) -> bool:
    """Withdraw one purpose. Withdrawing matching takes the person out of new shortlists at once."""
    withdrawn = candidate.consents.filter(purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    if purpose == ConsentPurpose.MATCHING:
        _matching_consent_set(candidate, False)
    if purpose == ConsentPurpose.PRESENTATION:
        _presentation_consent_set(candidate, False)
    if withdrawn:
        audit_record(
            actor=by,
            action="candidate.consent_withdrawn",
            target=candidate,
            candidate_id=candidate.pk,
            data={"purpose": purpose},
        )
    return bool(withdrawn)


def _matching_consent_set(candidate: Candidate, value: bool) -> None:
    candidate.matching_consent = value
    candidate.save(update_fields=["matching_consent"])
    Candidate.objects.filter(pk__in=[candidate.pk]).touch()
    candidate_benches_refresh_enqueue(candidate=candidate)


def _presentation_consent_set(candidate: Candidate, value: bool) -> None:
    # Read by the client's request page (staffing.presenters.presented_people), not the engine.
    candidate.presentation_consent = value
    candidate.save(update_fields=["presentation_consent"])


def candidate_benches_refresh_enqueue(*, candidate: Candidate) -> None:
    """Refresh the benches the person is on or now fits, once the change is committed."""
    enqueue_on_commit("staffing.tasks.refresh_benches_for_candidate", candidate.pk)
