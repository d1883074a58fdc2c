"""The API answers in the language of `Accept-Language` (fi, sv or en), English without one:
a machine's request carries no session or cookie to remember a choice."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

API_DEFAULT_LANGUAGE = "en"


def api_language(header: str) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(header or ""):
        if code == "*":
            break
        try:
            language = get_supported_language_variant(code)
        except LookupError:
            continue
        if language in supported:
            return language
    return API_DEFAULT_LANGUAGE
