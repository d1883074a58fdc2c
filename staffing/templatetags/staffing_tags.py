from __future__ import annotations

from collections.abc import Mapping

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from staffing.explanations import explanation_lines as _explanation_lines
from staffing.explanations import fit_summary as _fit_summary

register = template.Library()


@register.filter
def explanation_lines(explanation: dict, skill_names: Mapping[int, str] | None = None) -> list:
    """The recruiter's reading of a stored explanation, in the current language."""
    return _explanation_lines(explanation or {}, skill_names or {})


@register.filter
def fit_summary(explanation: dict) -> list[str]:
    """Why a person fits, in plain words for a client manager."""
    return _fit_summary(explanation or {})


@register.filter
def elapsed(start, end) -> str:
    """A short duration between two moments: "0,4 s", "12 min", "3 h 5 min" (localised)."""
    if start is None or end is None:
        return ""
    seconds = max(0.0, (end - start).total_seconds())
    if seconds < 60:
        return _("%(seconds)s s") % {"seconds": number_format(seconds, 1)}
    minutes = int(seconds // 60)
    if minutes < 60:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(hours)s h %(minutes)s min") % {"hours": minutes // 60, "minutes": minutes % 60}
