from __future__ import annotations

from django.http import HttpRequest

# The agency's menu has eight items: it folds into the menu button below 1200 px, not 768.
STAFF_ROLES = ("recruiter", "admin")


def navigation(request: HttpRequest) -> dict:
    """The role of the logged-in user, for the navigation bar, and the breakpoint from which
    its menu is shown open."""
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else None
    return {"nav_role": role, "nav_open_from": "xl" if role in STAFF_ROLES else "md"}
