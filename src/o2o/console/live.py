"""The live board: a server-sent event stream per store, so a new order shows (and rings) at once.

`GET /console/{location_id}/events` (text/event-stream), guarded like every console page (a store role
reaches only its own store: another id is 404 before anything is streamed). What the server does:

- every POLL_S it reads the location's newest open fulfilment and its open fulfilments per status (two
  reads of the (location, status) index's open range, through a pooled connection given back at once):
  the database is the only shared state, so every worker (`o2o serve --workers N`) sees every order,
  whichever worker placed it;
- a new fulfilment -> `event: order` with `id: <fulfilment id>`; counts changed -> `event: board`;
  otherwise a `: ping` comment every HEARTBEAT_S (proxies keep the connection, the client sees it live);
- the browser reconnects by itself with `Last-Event-ID`: orders that arrived meanwhile are announced at
  once on the new stream (compared with that id);
- a stream lives at most LIFETIME_S (the principal is checked again on the reconnect) and ends when the
  process is shutting down.

While idle a stream holds no database connection, no worker thread and no in-flight slot: the ASGI guard
lets these paths past its in-flight limit (`STREAMS`, kernel.asgi.Guard), the polls run on the thread
pool for a few milliseconds each. board.js falls back to the 20 s poll of the board when streams fail.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator

import orjson
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from o2o.console.common import router, store_in_scope
from o2o.deps import ContainerDep, PrincipalDep
from o2o.fulfillment import service as fulfillment
from o2o.kernel import lifecycle
from o2o.kernel.errors import Busy
from o2o.kernel.ids import Id

# the paths whose requests may stay open without taking one of the guard's in-flight slots
STREAMS = re.compile(r"^/console/[0-9]{1,19}/events$")
POLL_S = 1.0
HEARTBEAT_S = 15.0
LIFETIME_S = 300.0
RETRY_MS = 3000
# streams one process keeps open at most (each polls once a second): past it 503 + Retry-After, and
# the board polls every 20 s instead. A console tab is one stream: a few per store, not hundreds.
MAX_STREAMS = 500
# streams one signed-in caller holds at once in this process (a few console tabs): one session, or a
# script with it, cannot take every stream of the process and shut the other stores' boards out
STREAMS_PER_CALLER = 8
_open = 0  # streams open in this process (its event loop's own count)
_by_caller: dict[str, int] = {}  # the same, per caller ("staff:12", "key:3")


def open_streams() -> int:
    return _open


def _last_event_id(request: Request) -> int | None:
    raw = (request.headers.get("last-event-id") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 19 else None  # isdigit() takes "²" too


def _message(event: str, data: dict, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: ".encode() + orjson.dumps(data) + b"\n\n"


@router.get("/console/{location_id}/events")
async def events(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> StreamingResponse:
    store = await run_in_threadpool(store_in_scope, c, p, location_id)
    if _open >= MAX_STREAMS:
        raise Busy(f"{_open} live boards are open in this process: the board refreshes every 20 s instead")
    caller = f"{p.kind}:{p.id}"
    if _by_caller.get(caller, 0) >= STREAMS_PER_CALLER:
        raise Busy(f"this sign-in holds {STREAMS_PER_CALLER} live boards already: the board refreshes every "
                   "20 s instead")
    seen = _last_event_id(request)

    async def stream() -> AsyncIterator[bytes]:
        global _open
        _open += 1
        _by_caller[caller] = _by_caller.get(caller, 0) + 1
        try:
            async for chunk in _events():
                yield chunk
        finally:
            _open -= 1
            left = _by_caller.pop(caller, 1) - 1
            if left > 0:
                _by_caller[caller] = left

    async def _events() -> AsyncIterator[bytes]:
        nonlocal seen
        started = last_write = time.monotonic()
        latest, counts = await run_in_threadpool(fulfillment.board_state, c.db, store.id)
        yield f"retry: {RETRY_MS}\n\n".encode()
        if seen is not None and latest > seen:  # orders arrived while the browser was reconnecting
            yield _message("order", {"latest": latest, "counts": counts}, latest)
            seen = latest
        else:
            seen = max(latest, seen or 0)
            yield _message("hello", {"latest": latest, "counts": counts}, seen)
        while not lifecycle.shutting_down.is_set() and time.monotonic() - started < LIFETIME_S:
            await asyncio.sleep(POLL_S)
            if await request.is_disconnected():
                return
            try:
                now_latest, now_counts = await run_in_threadpool(fulfillment.board_state, c.db, store.id)
            except Exception:  # the database is away for a moment: end; the browser reconnects later
                return
            if now_latest > seen:
                seen = now_latest
                yield _message("order", {"latest": now_latest, "counts": now_counts}, now_latest)
            elif now_counts != counts:
                yield _message("board", {"latest": now_latest, "counts": now_counts}, seen)
            elif time.monotonic() - last_write >= HEARTBEAT_S:
                yield b": ping\n\n"
            else:
                continue
            counts, last_write = now_counts, time.monotonic()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
