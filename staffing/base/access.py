"""Who may open a page: views declare the roles they admit with `role_required` (or, for the few
pages whose signed link is the credential, `public`).

The roles are kept on the view (`view.roles`), so a test derives the list of pages and checks
that every URL declares some. Scoped lookups (another tenant's object answers 404) live with the
objects they look up: `staffing.permissions`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from staffing.base.models import User

RECRUITERS = (User.Role.RECRUITER, User.Role.ADMIN)
CLIENT_MANAGERS = (User.Role.CLIENT_MANAGER,)
CANDIDATES = (User.Role.CANDIDATE,)
EVERYONE = tuple(User.Role.values)
# What `public` declares: the page admits anonymous visitors on purpose.
ANONYMOUS = "anonymous"


def role_required(*roles: str) -> Callable:
    """Admit logged-in users with one of `roles`; send others to log in, or answer 403.

    The roles are kept on the view (`view.roles`) so a test can check every URL declares some.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs):
            if getattr(request.user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.roles = tuple(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Declare a page open to anonymous visitors: the landing page, the load balancer's health
    check (which names no one), or a page whose signed, single-purpose link is the credential
    (it must look nothing up by a guessable id)."""
    view.roles = (ANONYMOUS,)  # type: ignore[attr-defined]
    return view
