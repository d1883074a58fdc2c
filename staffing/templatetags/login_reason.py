"""`{% login_reason next as reason %}`: why the login page asks someone to log in, when they came
from a link to a page that needs it ("Log in to answer your work offer")."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

register = template.Library()

# The pages people reach from an email or a bookmark, by URL name, and what they come to do.
REASONS = {
    "offer_link": lambda: _("Log in to answer your work offer."),
    "candidate_offers": lambda: _("Log in to answer your work offers."),
    "candidate_assignments": lambda: _("Log in to see your assignments."),
    "client_request_detail": lambda: _("Log in to follow your staffing request."),
    "client_feedback": lambda: _("Log in to rate the service you got."),
    "candidate_availability": lambda: _("Log in to update your availability."),
}


@register.simple_tag
def login_reason(next_url: str | None) -> str:
    """The reason for the page `next_url` leads to; a general one for any other page of ours;
    "" without one (or for anything that is not a path on this site)."""
    if not next_url:
        return ""
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path == "/":
        return ""
    try:
        name = resolve(parts.path).url_name
    except Resolver404:
        return ""
    reason = REASONS.get(name or "")
    return reason() if reason else _("Log in to open the page you followed a link to.")
