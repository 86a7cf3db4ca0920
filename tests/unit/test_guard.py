"""The ASGI guard: 413 for big bodies, 503 + Retry-After when the app is full, never a queue of seconds."""

from __future__ import annotations

import asyncio

from o2o.kernel.asgi import Guard


def _run(guard: Guard, n: int, headers: list[tuple[bytes, bytes]] | None = None) -> list[int]:
    async def one() -> int:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "path": "/api/v1/orders", "headers": headers or []}
        await guard(scope, None, send)
        return sent[0]["status"]

    async def many() -> list[int]:
        return list(await asyncio.gather(*(one() for _ in range(n))))

    return asyncio.run(many())


def _slow_app(seconds: float):  # type: ignore[no-untyped-def]
    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await asyncio.sleep(seconds)
        await send({"type": "http.response.start", "status": 200, "headers": []})
    return app


def test_requests_beyond_the_limit_get_503_when_the_app_stays_full():
    statuses = _run(Guard(_slow_app(0.3), max_body=100, max_inflight=2, wait_s=0.05), 5)
    assert sorted(statuses) == [200, 200, 503, 503, 503]


def test_requests_wait_briefly_for_a_free_slot():
    statuses = _run(Guard(_slow_app(0.02), max_body=100, max_inflight=2, wait_s=1.0), 6)
    assert statuses == [200] * 6


def test_big_body_is_refused_with_413():
    assert _run(Guard(_slow_app(0), max_body=100, max_inflight=2), 1, [(b"content-length", b"101")]) == [413]
