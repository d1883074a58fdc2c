"""Scoped lookups: objects are looked up through the user's scope with the `*_for_user` helpers,
so another tenant's object answers 404, never 403. (Which roles may open a page is declared on
the view with `staffing.base.access.role_required`.)
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from candidates.models import Candidate
from clients.models import ClientCompany, ClientMembership, ServiceProfile, Site
from staffing.base.access import CANDIDATES, CLIENT_MANAGERS, RECRUITERS
from staffing.models import Offer, Placement, StaffingRequest, TalentPool, User


def company_for_user(user: User):
    """The client company a client manager belongs to (404 when none)."""
    membership = _membership(user)
    if membership is None:
        raise Http404
    return membership.company


def _membership(user: User) -> ClientMembership | None:
    """The user's client membership with its company, read once (one query, not two) and
    kept on the user as Django's own accessor `user.client_membership` keeps it."""
    cache = user._state.fields_cache
    if "client_membership" not in cache:
        membership = None
        if user.pk is not None:
            # Whether it names sites comes in the same query (every page of a manager asks).
            names = ClientMembership.sites.through.objects.filter(
                clientmembership_id=OuterRef("pk")
            )
            membership = (
                ClientMembership.objects.select_related("company")
                .annotate(_names_sites=Exists(names))
                .filter(user_id=user.pk)
                .first()
            )
        cache["client_membership"] = membership
    return cache["client_membership"]


def sites_for_user(user: User) -> QuerySet[Site]:
    """The sites a client manager orders for and sees the requests of: those their membership
    names, or all their company's when it names none (none for other roles)."""
    membership = _membership(user) if user.role in CLIENT_MANAGERS else None
    if membership is None:
        return Site.objects.none()
    return membership.sites.all() if membership.names_sites() else membership.company.sites.all()


_Scoped = TypeVar("_Scoped", bound=QuerySet)


def _site_scoped(user: User, queryset: _Scoped, site_field: str) -> _Scoped:
    """`queryset` narrowed to the manager's sites when their membership names some."""
    membership = _membership(user)
    if membership is not None and membership.names_sites():
        return queryset.filter(**{f"{site_field}__in": membership.sites.all()})
    return queryset


def requests_for_user(user: User) -> QuerySet[StaffingRequest]:
    """The staffing requests this user may see (a client manager tied to some sites: only
    those sites' requests)."""
    if user.role in RECRUITERS:
        return StaffingRequest.objects.all()
    if user.role in CLIENT_MANAGERS:
        requests = StaffingRequest.objects.filter(company=company_for_user(user))
        return _site_scoped(user, requests, "site")
    return StaffingRequest.objects.none()


def request_for_user(user: User, pk: int) -> StaffingRequest:
    return get_object_or_404(
        requests_for_user(user).select_related("company", "site", "service_profile"), pk=pk
    )


def own_candidate(user: User) -> Candidate:
    """The logged-in person's own profile (404 when they have none, or it is erased)."""
    candidate = getattr(user, "candidate", None)
    if candidate is None or candidate.status == Candidate.Status.ERASED:
        raise Http404
    return candidate


def offers_for_user(user: User) -> QuerySet[Offer]:
    """The offers made to this user (candidates only; everyone else sees none here)."""
    if user.role not in CANDIDATES:
        return Offer.objects.none()
    return Offer.objects.filter(candidate=own_candidate(user)).order_by("-sent_at", "-pk")


def placements_for_user(user: User) -> QuerySet[Placement]:
    """The placements this user may see, in shift order: recruiters all of them, a client
    manager the active ones with their company (the person of a cancelled or no-show placement is
    no longer placed with them: their name is not theirs to see), a candidate their own."""
    if user.role in RECRUITERS:
        placements = Placement.objects.all()
    elif user.role in CLIENT_MANAGERS:
        placements = _site_scoped(
            user,
            Placement.objects.filter(
                request__company=company_for_user(user),
                status__in=Placement.ACTIVE_STATUSES,
            ),
            "request__site",
        )
    elif user.role in CANDIDATES:
        placements = Placement.objects.filter(candidate=own_candidate(user))
    else:
        return Placement.objects.none()
    return placements.order_by("shift__starts_at", "pk")


def placement_for_user(user: User, pk: int) -> Placement:
    return get_object_or_404(
        placements_for_user(user).select_related("candidate", "shift", "request__site"), pk=pk
    )


def profiles_for_user(user: User) -> QuerySet[ServiceProfile]:
    """The active service profiles whose bench this user may see (recruiters: all of them)."""
    if user.role not in RECRUITERS:
        return ServiceProfile.objects.none()
    return ServiceProfile.objects.filter(is_active=True)


def profile_for_user(user: User, pk: int) -> ServiceProfile:
    return get_object_or_404(profiles_for_user(user).select_related("company", "site"), pk=pk)


def talent_pools_for_user(user: User) -> QuerySet[TalentPool]:
    """The talent pools this user may see and fill: the agency's (recruiters), none otherwise."""
    if user.role not in RECRUITERS:
        return TalentPool.objects.none()
    return TalentPool.objects.select_related("company", "service_profile")


def talent_pool_for_user(user: User, pk: int) -> TalentPool:
    return get_object_or_404(talent_pools_for_user(user), pk=pk)


# The agency's back office: recruiters and agency admins see every client.


def clients_for_user(user: User) -> QuerySet[ClientCompany]:
    return ClientCompany.objects.all() if user.role in RECRUITERS else ClientCompany.objects.none()


def client_for_user(user: User, pk: int) -> ClientCompany:
    return get_object_or_404(clients_for_user(user), pk=pk)


def client_site_for_user(user: User, pk: int) -> Site:
    return get_object_or_404(
        Site.objects.filter(company__in=clients_for_user(user)).select_related("company"), pk=pk
    )


def client_profile_for_user(user: User, pk: int) -> ServiceProfile:
    """Any service profile of a client (active or not), for the back office."""
    profiles = ServiceProfile.objects.filter(company__in=clients_for_user(user))
    return get_object_or_404(profiles.select_related("company", "site"), pk=pk)


def client_contact_for_user(user: User, pk: int) -> ClientMembership:
    memberships = ClientMembership.objects.filter(company__in=clients_for_user(user))
    return get_object_or_404(memberships.select_related("user", "company"), pk=pk)
