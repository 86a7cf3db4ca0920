"""The OpenAPI document says every answer an operation can give, not only its success.

Each operation gets the problem+json responses (RFC 9457, one `Problem` schema) it can answer with,
written once here from what the route is: 400 for a malformed JSON body, 404 for a path naming
nothing, 409 for a write that conflicts with the current state, 413 for a body over the limit, 422
for invalid input, 503 when the server is busy or the database unreachable; and whatever the caller
adds from its own rules (`refusals`: 401/403/429 from the permission table). A route's own
`responses=` keep their descriptions and gain the problem content.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from o2o.kernel.errors import PROBLEM_JSON
from o2o.kernel.ids import MAX_ID

Refusals = Callable[[str, str], dict[int, str]]  # (method, path) -> {status: description}
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details; `type` is stable, `title` is localized (Accept-Language)",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "https://o2o.dev/problems/<kind>"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {"type": "array", "description": "the offending fields (400, 422)",
                   "items": {"type": "object", "required": ["field", "message"],
                             "properties": {"field": {"type": "string", "description": "e.g. lines[0].quantity"},
                                            "message": {"type": "string"}}}},
        "retry_after_s": {"type": "integer", "description": "429: seconds to wait (also in Retry-After)"},
    },
    "additionalProperties": True,
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "required": True,
                               "schema": {"type": "integer", "minimum": 1}}}
DESCRIPTIONS = {
    400: "malformed JSON body",
    401: "sign-in required, or the token or key is unknown, expired or revoked",
    403: "the caller's role or key scope does not allow this, or the CSRF token is missing or wrong",
    404: "nothing found at this address (or not visible to this caller)",
    409: "conflicts with the current state (e.g. an order that can no longer be cancelled)",
    413: "request body too large",
    422: "invalid input: `errors` names each field",
    429: "too many requests or attempts: wait Retry-After seconds",
    503: "server busy or database unreachable: retry after Retry-After seconds",
}


def _refers(schema: Any, components: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """Whether a body schema holds an id of another record (a property named `..._id`)."""
    if isinstance(schema, list):
        return any(_refers(s, components, seen) for s in schema)
    if not isinstance(schema, dict):
        return False
    ref = schema.get("$ref", "").rsplit("/", 1)[-1]
    if ref:
        return ref not in seen and _refers(components.get(ref, {}), components, seen | {ref})
    if any(name.endswith("_id") for name in schema.get("properties", {})):
        return True
    inside = [schema.get(k) for k in ("items", "anyOf", "allOf", "oneOf")] + list(schema.get("properties", {}).values())
    return _refers(inside, components, seen)


def statuses(method: str, op: dict[str, Any], components: dict[str, Any]) -> set[int]:
    """What any operation of this shape can answer, whoever calls it."""
    out = {503}
    params = {p["in"] for p in op.get("parameters", [])}
    body = op.get("requestBody")
    if body:
        out |= {400, 413, 422}
        if _refers([c.get("schema") for c in body.get("content", {}).values()], components):
            out.add(404)  # a record the body names does not exist (or is not the caller's to see)
    if "path" in params:
        out.add(404)
    if params:
        out.add(422)
    if method not in SAFE:
        out.add(409)
    return out


def _problem_response(status: int, description: str) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description,
                           "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    if status in (429, 503):
        out["headers"] = RETRY_AFTER
    return out


def _exact_bounds(node: Any) -> None:
    """FastAPI's OpenAPI model keeps minimum/maximum as floats: 2^63-1 would come out as 2^63."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") and isinstance(value, float):
                node[key] = MAX_ID if value == float(MAX_ID) else int(value) if value.is_integer() else value
            else:
                _exact_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _exact_bounds(value)


def document(doc: dict[str, Any], refusals: Refusals) -> dict[str, Any]:
    """Add the problem responses to every operation of `doc` (the app's own OpenAPI document)."""
    _exact_bounds(doc)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            wanted = {s: DESCRIPTIONS[s] for s in statuses(method.upper(), op, schemas)} | refusals(method.upper(), path)
            responses = op.setdefault("responses", {})
            for status, description in sorted(wanted.items()):
                own = responses.get(str(status), {})
                given = own.get("description") if status != 422 else None  # FastAPI's "Validation Error"
                responses[str(status)] = _problem_response(status, given or description)
            op["responses"] = dict(sorted(responses.items()))
    # FastAPI's own 422 shapes are replaced by Problem
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return doc


def install(app: FastAPI, refusals: Refusals) -> None:
    """`app.openapi()` (and /openapi.json) returns the documented schema, built once."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(plain(), refusals)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
