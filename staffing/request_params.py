"""The one way a view reads an id, a choice or a short text from `request.GET` / `request.POST`.

Hostile input never becomes a server error here: "²" passes `str.isdigit()` but not `int()`,
a 40-digit number overflows PostgreSQL's bigint, and a NUL byte cannot be stored in PostgreSQL
text (`RequestSanityMiddleware` already answers 400 to it; this is the second line). Each reader
answers None (or the default) for anything it cannot use, and the view decides what that means:
a filter left off, a form error, or a 404.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# ASCII digits only, at most 18 of them: every such number fits a PostgreSQL bigint.
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


def int_param(params: Mapping[str, str], name: str) -> int | None:
    """A positive whole number (an id), or None when absent or not one."""
    value = params.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return int(value) if _ID.fullmatch(value) else None


def choice_param(params: Mapping[str, str], name: str, choices: Iterable[str], default: str) -> str:
    """The value when it is one of `choices`, else `default`."""
    value = params.get(name)
    return value if isinstance(value, str) and value in set(choices) else default


def text_param(params: Mapping[str, str], name: str, *, max_length: int = 1000) -> str:
    """A short text (a reason, a search), stripped, without NUL bytes, at most `max_length`."""
    value = params.get(name)
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:max_length]
