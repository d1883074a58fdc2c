"""Signed, single-use invitation links, shared by every kind of invitation (a candidate's, a
client manager's): the link carries the invitation's id and the language it was written in; the
invitation row (with its `accepted_at`) makes it single-use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing

INVITATION_MAX_AGE = 14 * 24 * 3600


def known_language(code: str | None) -> str:
    """`code` if it is one of the site's languages (by its first two letters), else the
    default language."""
    codes = [c for c, _name in settings.LANGUAGES]
    short = (code or "")[:2]
    return short if short in codes else settings.LANGUAGE_CODE


def invitation_token(*, salt: str, invitation_id: int, language: str) -> str:
    """The signed token of an invitation link (`salt` names the kind of invitation)."""
    return signing.dumps({"i": invitation_id, "l": language}, salt=salt)


def invitation_payload(*, salt: str, token: str) -> dict[str, Any] | None:
    """The token's contents; None when bad, of another kind or older than INVITATION_MAX_AGE."""
    try:
        payload = signing.loads(token, salt=salt, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return payload if isinstance(payload, dict) else None


def invitation_id(*, salt: str, token: str) -> int | None:
    """The invitation a token names, or None for a bad or expired token."""
    payload = invitation_payload(salt=salt, token=token)
    value = payload.get("i") if payload else None
    return value if isinstance(value, int) else None


def invitation_language(*, salt: str, token: str) -> str | None:
    """The language the invitation was written in (the join page uses it); None if unknown."""
    payload = invitation_payload(salt=salt, token=token)
    if payload is None or not payload.get("l"):
        return None
    return known_language(payload["l"])
