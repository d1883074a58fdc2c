from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def explanation_lines(explanation: dict, part: str = "all") -> list[str]:
    """Readable sentences for a stored explanation, in the current language."""
    try:
        from staffing.matching.explain import explanation_lines as render
    except ImportError:  # TODO(engine): remove once staffing.matching lands
        return [f"{key}: {value}" for key, value in (explanation or {}).items()]
    return render(explanation, part=part)
