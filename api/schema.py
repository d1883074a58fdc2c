"""OpenAPI details drf-spectacular cannot see: the API key scheme, and the problem+json
answers every operation can give."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM = {
    "type": "object",
    "description": "An error (RFC 9457).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string"},
                    "detail": {"type": "string"},
                    "code": {"type": "string"},
                },
                "required": ["pointer", "detail", "code"],
            },
        },
    },
    "required": ["type", "title", "status"],
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before the next request.",
    }
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A company API key: `Authorization: Bearer <key>`.",
        }


def _problem_response(description: str, headers: dict | None = None) -> dict:
    response: dict = {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if headers:
        response["headers"] = headers
    return response


def problem_responses_add(result, generator, request, public):
    """Every operation may answer 400, 401, 403, 404, 405, 406, 415 and 429 as problem+json;
    writes may also answer 409 and 422."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    errors = {
        "400": "Invalid request: field errors in `errors`.",
        "401": "No key, a wrong key or a revoked key.",
        "403": "The key's scope does not allow this.",
        "404": "Not found (or another company's).",
        "405": "Method not allowed.",
        "406": "Not acceptable.",
        "415": "Unsupported media type.",
    }
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            for code, description in errors.items():
                responses.setdefault(code, _problem_response(description))
            responses.setdefault("429", _problem_response("Too many requests.", RETRY_AFTER))
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault("409", _problem_response("The state does not allow it."))
                responses.setdefault(
                    "422", _problem_response("Idempotency-Key reused with another body.")
                )
    return result
