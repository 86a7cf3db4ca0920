"""A plain ASGI guard in front of the app: request ids, security headers, body size limit,
back-pressure, and one log line for a crash.

Plain ASGI, not `@app.middleware("http")`: Starlette's wrapper cost 1-2 ms of CPU per request.
Back-pressure: at most `max_inflight` requests are inside the app (sized to the connection pool);
the others queue in arrival order for up to `wait_s` (a flash crowd is served, not refused), then
get 503 + Retry-After.
Every request gets an id (the caller's `X-Request-ID` if sane, else a new one), sent back in
`X-Request-ID` and named in the logs. An unhandled error is logged once, with its traceback, and
answered 500 problem+json (Starlette's own error middleware logged it twice, without a time).
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

import orjson
from starlette.exceptions import HTTPException

from o2o.kernel import metrics
from o2o.kernel.i18n import negotiate, t
from o2o.kernel.logs import request_id as request_id_var

log = logging.getLogger("o2o.http")
_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")

Scope = dict[str, Any]
# (scope, status) -> (headers, HTML body) for a browser's page request, or None (o2o.web.errors.asgi_page)
AsgiPage = Callable[[Scope, int], tuple[list[tuple[bytes, bytes]], bytes] | None]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def security_headers(https: bool) -> list[tuple[bytes, bytes]]:
    """Sent on every response: no sniffing, no framing, a strict CSP (no inline script), camera and
    location only for our own pages (QR scanning, nearest store)."""
    out = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"same-origin"), (b"content-security-policy", CSP.encode()),
           (b"permissions-policy", b"camera=(self), geolocation=(self), microphone=()"),
           (b"cross-origin-opener-policy", b"same-origin")]
    if https:
        out.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return out


def _problem(status: int, kind: str, title: str, headers: list[tuple[bytes, bytes]] | None = None):  # type: ignore[no-untyped-def]
    body = orjson.dumps({"type": f"https://o2o.dev/problems/{kind}", "title": title, "status": status})
    head = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    return {"type": "http.response.start", "status": status, "headers": head + (headers or [])}, \
        {"type": "http.response.body", "body": body}


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a body without Content-Length (chunked) passes the limit: the app's
    413 handler answers it (FastAPI re-raises HTTPExceptions met while reading a body); the guard
    answers it if the app let it through."""

    def __init__(self) -> None:
        super().__init__(413, "Request body too large")


def _logged_path(scope: Scope) -> str:
    """What the logs name: the matched route's template, else the raw path. A path may carry a secret
    (the SMS receipt URLs' shared token): the template never does."""
    return getattr(scope.get("route"), "path", None) or scope.get("path", "")


def _limited(receive: Any, limit: int) -> Any:
    seen = 0

    async def limited() -> dict[str, Any]:
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body") or b"")
            if seen > limit:
                raise BodyTooLarge()
        return message
    return limited


class Guard:
    def __init__(self, app: Any, max_body: int, max_inflight: int, wait_s: float = 10.0,
                 exempt: tuple[str, ...] = ("/healthz", "/readyz", "/static/"),
                 headers: list[tuple[bytes, bytes]] | None = None, slow_s: float = 1.0,
                 page: AsgiPage | None = None, streams: re.Pattern[str] | None = None) -> None:
        self.app = app
        # paths of long-lived streams (server-sent events): past the in-flight limit, which they would
        # otherwise hold while idle (they hold no database connection while waiting; see console.live)
        self.streams = streams
        self.page = page
        self.slow_s = slow_s
        self._slow_logged_at, self._slow_unlogged = float("-inf"), 0
        self.headers = headers or []
        self.max_body = max_body
        self.max_inflight = max_inflight
        self.wait_s = wait_s
        self.exempt = exempt
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = _header(scope, b"x-request-id")
        rid = sent.decode() if sent and _REQUEST_ID.match(sent) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)  # for the JSON log lines and the outbox events this request writes
        started = 0
        extra = [*self.headers, (b"x-request-id", rid.encode())]
        t0 = time.perf_counter()

        async def sending(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = message["status"]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self._guarded(scope, receive, sending)
            took = time.perf_counter() - t0
            if took >= self.slow_s and not self._streaming(scope):
                self._slow(scope, started, took, rid)
        except Exception:
            log.exception("unhandled error: %s %s request=%s", scope.get("method"), _logged_path(scope), rid)
            if not started:
                locale = negotiate((_header(scope, b"accept-language") or b"").decode("latin-1"))
                for message in self._html(scope, 500) or _problem(500, "internal", t("internal", locale)):
                    await sending(message)
        finally:
            request_id_var.reset(token)
        metrics.observe_request(scope, started, time.perf_counter() - t0)

    def _streaming(self, scope: Scope) -> bool:
        return self.streams is not None and bool(self.streams.match(scope["path"]))

    def _html(self, scope: Scope, status: int, extra: list[tuple[bytes, bytes]] | None = None
              ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The HTML error page's two messages for a browser's page request; None for everyone else."""
        try:
            found = self.page(scope, status) if self.page else None
        except Exception:  # the page must never hide the error it reports: problem+json then
            log.exception("the %s error page failed", status)
            return None
        if found is None:
            return None
        headers, body = found
        head = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        return ({"type": "http.response.start", "status": status,
                 "headers": [*head, (b"content-length", str(len(body)).encode()), *(extra or [])]},
                {"type": "http.response.body", "body": body})

    def _slow(self, scope: Scope, status: int, took: float, rid: str) -> None:
        """One line per slow request, but at most one a second: a flash crowd is one line a second
        naming how many more there were, not thousands."""
        now = time.monotonic()
        if now - self._slow_logged_at < 1.0:
            self._slow_unlogged += 1
            return
        more = f" (+{self._slow_unlogged} more slow requests in the last {now - self._slow_logged_at:.0f} s)" \
            if self._slow_unlogged else ""
        self._slow_logged_at, self._slow_unlogged = now, 0
        log.warning("slow request: %s %s %s in %.0f ms (%.0f ms waiting for a slot) request=%s%s",
                    scope.get("method"), _logged_path(scope), status, took * 1e3,
                    scope["state"].get("queued_s", 0.0) * 1e3, rid, more)

    async def _guarded(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            for message in _problem(413, "too-large", "Request body too large"):
                await send(message)
            return
        # a declared length is enforced by the server (it reads no more); a chunked body is counted
        receive = _limited(receive, self.max_body)
        started = False

        async def watched(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)
        try:
            await self._admitted(scope, receive, watched)
        except BodyTooLarge:
            if started:
                raise
            for message in _problem(413, "too-large", "Request body too large"):
                await send(message)

    async def _admitted(self, scope: Scope, receive: Any, send: Any) -> None:
        if self._streaming(scope):
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_inflight)
        t0 = time.perf_counter()
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_s)
            scope["state"]["queued_s"] = time.perf_counter() - t0
        except TimeoutError:
            busy = self._html(scope, 503, [(b"retry-after", b"1")])
            for message in busy or _problem(503, "busy", "Server busy, retry shortly", [(b"retry-after", b"1")]):
                await send(message)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()
