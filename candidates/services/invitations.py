"""Inviting many people at once from a pasted list, each line on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from candidates.models import Candidate, Invitation
from candidates.services.signup import invitation_send
from staffing.base.models import User

MAX_LINES = 1000
_ANGLE = re.compile(r"^(?P<name>.*?)<(?P<email>[^<>]+)>\s*$")
_SPLIT = re.compile(r"[,;\t]")


@dataclass
class InviteLine:
    number: int
    text: str
    email: str = ""
    invitation: Invitation | None = None
    error: str = ""


def invite_line_parse(text: str) -> tuple[str, str, str]:
    """(email, first name, last name) of a line: an email alone, "first, last, email",
    "name, email" or "Name <email>"."""
    text = text.strip()
    angle = _ANGLE.match(text)
    if angle:
        email, name = angle["email"], angle["name"].strip().strip('"')
    else:
        parts = [p.strip() for p in _SPLIT.split(text) if p.strip()]
        emails = [p for p in parts if "@" in p]
        email = emails[0] if emails else text
        name = " ".join(p for p in parts if p != email)
    first, _sep, last = name.rpartition(" ")
    if not first:
        first, last = last, ""
    return email.strip().lower(), first[:100], last[:100]


def invitations_from_lines(
    *, text: str, by: User, base_url: str, language: str
) -> list[InviteLine]:
    """Invite everyone listed, one line at a time (a bad line does not stop the others): a new
    person is added to the pool, inactive until they accept; someone already in the pool
    without a login and without an open invitation is invited; the rest get a reason."""
    results: list[InviteLine] = []
    seen: set[str] = set()
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    for number, line in lines[:MAX_LINES]:
        result = InviteLine(number=number, text=line.strip()[:200])
        results.append(result)
        email, first, last = invite_line_parse(line)
        result.email = email
        result.error = _line_error(email, seen)
        seen.add(email)
        if not result.error:
            result.invitation, result.error = _line_invite(
                email, first, last, by, base_url, language
            )
    for number, line in lines[MAX_LINES:]:
        results.append(
            InviteLine(number, line.strip()[:200], error=_("At most 1000 lines at a time."))
        )
    return results


def _line_error(email: str, seen: set[str]) -> str:
    try:
        validate_email(email)
    except ValidationError:
        return _("Not an email address.")
    if email in seen:
        return _("This email is on an earlier line.")
    if User.objects.filter(email__iexact=email).exists():
        return _("Someone with this email address already has an account.")
    return ""


@transaction.atomic
def _line_invite(
    email: str, first: str, last: str, by: User, base_url: str, language: str
) -> tuple[Invitation | None, str]:
    existing = list(Candidate.objects.listed().filter(email__iexact=email, user__isnull=True)[:2])
    if len(existing) > 1:
        return None, _("Two people in the pool have this email: merge them first.")
    if existing:
        candidate = existing[0]
        if candidate.invitations.filter(accepted_at__isnull=True).exists():
            return None, _("Already invited: the invitation is waiting for an answer.")
    else:
        candidate = Candidate.objects.create(
            first_name=first, last_name=last, email=email, status=Candidate.Status.INACTIVE
        )
    return invitation_send(candidate=candidate, by=by, base_url=base_url, language=language), ""
