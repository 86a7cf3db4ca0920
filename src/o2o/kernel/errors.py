"""Problem details (RFC 9457, application/problem+json) with stable types and localized titles."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from o2o.kernel.db import database_unavailable, first_line
from o2o.kernel.i18n import negotiate, t

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
# (request, status, title) -> an HTML page for a browser's page request, or None for problem+json
HtmlPage = Callable[[Request, int, str], Response | None]


class Problem(Exception):
    """A failure the caller can act on. `kind` becomes the stable `type` URI."""

    status = 400
    kind = "bad-request"
    message_key = "invalid_input"
    headers: dict[str, str] | None = None

    def __init__(self, detail: str | None = None, *, title_values: dict[str, Any] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail or self.kind)
        self.detail = detail
        self.title_values = title_values or {}
        self.extra = extra

    def body(self, locale: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": f"https://o2o.dev/problems/{self.kind}",
            "title": t(self.message_key, locale, **self.title_values),
            "status": self.status,
        }
        if self.detail:
            out["detail"] = self.detail
        out.update(self.extra)
        return out


class NotFound(Problem):
    status, kind, message_key = 404, "not-found", "not_found"

    def __init__(self, what: str, ident: Any) -> None:
        super().__init__(f"{what} {ident!s} not found", title_values={"what": what}, resource=what, id=str(ident))


class InvalidInput(Problem):
    """422 naming the offending field(s): errors=[{field, message}]."""

    status, kind, message_key = 422, "invalid-input", "invalid_input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message}])


class Conflict(Problem):
    status, kind, message_key = 409, "conflict", "conflict"


class IllegalTransition(Conflict):
    kind, message_key = "illegal-transition", "illegal_transition"

    def __init__(self, entity: str, src: str, dst: str) -> None:
        Problem.__init__(self, f"{entity} cannot go from {src} to {dst}",
                         title_values={"src": src, "dst": dst}, current_status=src, requested=dst)


class Unauthorized(Problem):
    status, kind, message_key = 401, "unauthorized", "unauthorized"


class SignInRequired(Unauthorized):
    kind, message_key = "sign-in-required", "sign_in_required"
    headers = {"WWW-Authenticate": 'Bearer realm="o2o"'}


class Forbidden(Problem):
    status, kind, message_key = 403, "forbidden", "forbidden"


class Busy(Problem):
    """503 + Retry-After: no connection free in time; a retry shortly will do."""

    status, kind, message_key = 503, "busy", "busy"
    headers = {"Retry-After": "1"}


class DatabaseUnavailable(Busy):
    """503 + Retry-After: the database is unreachable (restarting, say)."""

    kind, message_key = "database-unavailable", "database_unavailable"


class NotMigrated(Busy):
    """503 on /readyz: the database's schema is not at this code's migration head."""

    kind, message_key = "not-migrated", "not_migrated"
    headers = {"Retry-After": "5"}


class ShuttingDown(Busy):
    """503 on /readyz: this process got SIGTERM and finishes the requests in flight."""

    kind, message_key = "shutting-down", "shutting_down"


class TooManyRequests(Problem):
    """429 with Retry-After: a rate limit or a lock-out after repeated failures."""

    status, kind, message_key = 429, "too-many-requests", "too_many_requests"

    def __init__(self, detail: str, retry_after_s: int, kind: str | None = None) -> None:
        super().__init__(detail, retry_after_s=max(1, int(retry_after_s)))
        self.headers = {"Retry-After": str(max(1, int(retry_after_s)))}
        if kind:
            self.kind = kind


def _response(problem_body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem_body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _locale(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", "-"))


def _allowed(request: Request) -> str:
    """Every method of every route at this path (Starlette's 405 names only the first route's)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if route.methods and regex is not None and regex.match(request.url.path):
            methods |= route.methods
    return ", ".join(sorted(methods))


def install(app: FastAPI, html_page: HtmlPage | None = None) -> None:
    """`html_page` (o2o.web.errors.page_for) answers browsers' page requests with an HTML page; the API
    and every other caller get problem+json."""

    def _response(problem_body: dict[str, Any], status: int, headers: dict[str, str] | None = None,
                  request: Request | None = None) -> Response:
        page = html_page(request, status, str(problem_body.get("title", ""))) if html_page and request else None
        if page is None:
            return JSONResponse(problem_body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
        page.headers.update(headers or {})
        return page

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return _response(exc.body(_locale(request)), exc.status, exc.headers, request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        locale = _locale(request)
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            body = {"type": "https://o2o.dev/problems/malformed-json", "title": t("malformed_json", locale),
                    "status": 400, "errors": [{"field": "body", "message": errors[0].get("msg", "")}]}
            return _response(body, 400, request=request)
        in_path = [e for e in errors if tuple(e.get("loc", ()))[:1] == ("path",)]
        if in_path:
            # a path that cannot name anything (an id beyond 64 bits, or not a number) names nothing found
            name = str(in_path[0]["loc"][-1])
            missing = NotFound(name.removesuffix("_id"), request.path_params.get(name, ""))
            return _response(missing.body(locale), 404, request=request)
        fields = [{"field": _field(e.get("loc", ())), "message": e.get("msg", "")} for e in errors]
        body = {"type": "https://o2o.dev/problems/invalid-input", "title": t("invalid_input", locale),
                "status": 422, "detail": "; ".join(f"{f['field']}: {f['message']}" for f in fields),
                "errors": fields}
        return _response(body, 422, request=request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}.get(exc.status_code, "http-error")
        body = {"type": f"https://o2o.dev/problems/{kind}", "title": str(exc.detail), "status": exc.status_code}
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed(request)}
        return _response(body, exc.status_code, headers, request)

    @app.exception_handler(PoolTimeout)
    async def _busy(request: Request, exc: PoolTimeout) -> Response:
        return await _problem(request, Busy())

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> Response:
        if not database_unavailable(exc):
            raise exc  # a bug, not an outage: the guard logs it once with its traceback and answers 500
        where = getattr(request.scope.get("route"), "path", None) or request.url.path  # a template: no token
        log.warning("database unavailable: %s %s request=%s: %s", request.method, where,
                    request_id(request), first_line(exc))
        return await _problem(request, DatabaseUnavailable())

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method,
                      getattr(request.scope.get("route"), "path", None) or request.url.path)
        body = {"type": "https://o2o.dev/problems/internal", "title": t("internal", _locale(request)), "status": 500}
        return _response(body, 500, request=request)
