"""Who may do what: every role check and every scoped lookup lives here.

Views declare the roles they admit with `role_required`; objects are looked up through the user's
scope with the `*_for_user` helpers, so another tenant's object answers 404, never 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from staffing.models import StaffingRequest, User

RECRUITERS = (User.Role.RECRUITER, User.Role.ADMIN)
CLIENT_MANAGERS = (User.Role.CLIENT_MANAGER,)
CANDIDATES = (User.Role.CANDIDATE,)


def role_required(*roles: str) -> Callable:
    """Admit logged-in users with one of `roles`; send others to log in, or answer 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def company_for_user(user: User):
    """The client company a client manager belongs to (404 when none)."""
    membership = getattr(user, "client_membership", None)
    if membership is None:
        raise Http404
    return membership.company


def requests_for_user(user: User) -> QuerySet[StaffingRequest]:
    """The staffing requests this user may see."""
    if user.role in RECRUITERS:
        return StaffingRequest.objects.all()
    if user.role in CLIENT_MANAGERS:
        return StaffingRequest.objects.filter(company=company_for_user(user))
    return StaffingRequest.objects.none()


def request_for_user(user: User, pk: int) -> StaffingRequest:
    return get_object_or_404(
        requests_for_user(user).select_related("company", "site", "service_profile"), pk=pk
    )
