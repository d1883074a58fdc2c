"""Errors as `application/problem+json` (RFC 9457), in the language of `Accept-Language`.

Every error has `type`, `title`, `status`, `detail` and `instance`; a validation error adds
`errors`, one per field problem, each with a JSON pointer into the request body (or the query
parameter's name) and a message.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from staffing.services.errors import FeedbackError

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Conflict(exceptions.APIException):
    """The request is understood but the resource's state does not allow it (already
    cancelled, the shift has started)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def _titles() -> dict[int, str]:
    return {
        400: _("Invalid request"),
        401: _("Not authenticated"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        415: _("Unsupported media type"),
        422: _("Unprocessable request"),
        429: _("Too many requests"),
    }


def problem_type(slug: str) -> str:
    return f"{settings.SITE_URL}/api/docs/#problem-{slug}"


def _flatten(detail: Any, pointer: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of {pointer, detail, code}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                out += _flatten(value, pointer)
            else:
                out += _flatten(value, f"{pointer}/{key}")
        return out
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [_error(item, pointer) for item in detail]
        out = []
        for index, item in enumerate(detail):
            if item:
                out += _flatten(item, f"{pointer}/{index}")
        return out
    return [_error(detail, pointer)]


def _error(message: Any, pointer: str) -> dict[str, str]:
    return {
        "pointer": f"#{pointer}",
        "detail": str(message),
        "code": getattr(message, "code", None) or "invalid",
    }


def problem_exception_handler(exc: Exception, context: dict) -> Any:
    if isinstance(exc, FeedbackError):
        exc = Conflict(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _titles().get(code, _("Error")),
        "status": code,
    }
    request = context.get("request")
    if request is not None:
        body["instance"] = request.path
    if isinstance(exc, exceptions.ValidationError):
        body["type"] = problem_type("validation")
        body["detail"] = _("The request has invalid fields.")
        body["errors"] = _flatten(response.data)
    elif isinstance(exc, exceptions.ParseError):
        body["detail"] = _("The body is not valid JSON.")
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        body["detail"] = str(detail if detail is not None else body["title"])
        if isinstance(exc, Conflict | IdempotencyKeyReused):
            body["type"] = problem_type(exc.default_code)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
