from __future__ import annotations

from collections.abc import Mapping

from django import template

from staffing.matching.explain import explanation_lines as _explanation_lines
from staffing.matching.explain import fit_summary as _fit_summary

register = template.Library()


@register.filter
def explanation_lines(explanation: dict, skill_names: Mapping[int, str] | None = None) -> list:
    """The recruiter's reading of a stored explanation, in the current language."""
    return _explanation_lines(explanation or {}, skill_names or {})


@register.filter
def fit_summary(explanation: dict) -> list[str]:
    """Why a person fits, in plain words for a client manager."""
    return _fit_summary(explanation or {})
