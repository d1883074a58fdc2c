"""`{{ number|phone }}`: a stored phone number as people read it (built into every template)."""

from __future__ import annotations

from django import template

from staffing.base.phones import phone_display

register = template.Library()


@register.filter
def phone(value: str | None) -> str:
    return phone_display(value or "")
