"""Errors the workflow's services raise for the person who asked: the message is for them."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class FeedbackError(ValidationError):
    """A step that cannot be done; the message is for the person who tried."""
