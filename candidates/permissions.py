"""Whose candidate data a user may reach: one scoped lookup per case (others answer 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from candidates.models import Candidate, CandidateImport
from staffing.base.access import CLIENT_MANAGERS, RECRUITERS
from staffing.base.models import User
from staffing.permissions import placements_for_user


def candidates_for_user(user: User) -> QuerySet[Candidate]:
    """Recruiters: the pool. Client managers: people placed with their company (at their sites).
    Others: none."""
    visible = Candidate.objects.listed()
    if user.role in RECRUITERS:
        return visible
    if user.role in CLIENT_MANAGERS:
        # The manager's own placements: their company's, and their sites' when tied to some.
        placed = placements_for_user(user).order_by().values("candidate_id")
        return visible.filter(pk__in=placed)
    return Candidate.objects.none()


def candidate_for_user(user: User, pk: int) -> Candidate:
    return get_object_or_404(candidates_for_user(user), pk=pk)


def imports_for_user(user: User) -> QuerySet[CandidateImport]:
    """Recruiters: the agency's imports. Others: none."""
    if user.role in RECRUITERS:
        return CandidateImport.objects.all()
    return CandidateImport.objects.none()
