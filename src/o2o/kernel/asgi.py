"""A plain ASGI guard in front of the app: security headers, body size limit and back-pressure.

Plain ASGI, not `@app.middleware("http")`: Starlette's wrapper cost 1-2 ms of CPU per request.
Back-pressure: at most `max_inflight` requests are inside the app (sized to the connection pool);
a request that cannot get in within `wait_s` gets 503 + Retry-After at once, instead of queueing
for seconds behind a full pool.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

Scope = dict[str, Any]

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


class Guard:
    def __init__(self, app: Any, max_body: int, max_inflight: int, wait_s: float = 1.0,
                 exempt: tuple[str, ...] = ("/healthz", "/static/"),
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.app = app
        self.headers = headers or []
        self.max_body = max_body
        self.max_inflight = max_inflight
        self.wait_s = wait_s
        self.exempt = exempt
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.headers:
            send = self._with_headers(send)
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body:
                for message in _problem(413, "too-large", "Request body too large"):
                    await send(message)
                return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_inflight)
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_s)
        except TimeoutError:
            for message in _problem(503, "busy", "Server busy, retry shortly", [(b"retry-after", b"1")]):
                await send(message)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()

    def _with_headers(self, send: Any) -> Any:
        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)
        return sending
