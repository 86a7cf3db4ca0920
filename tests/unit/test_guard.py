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


def test_a_flash_crowd_queues_in_line_instead_of_being_refused():
    """200 requests at once, 20 slots, 150 ms each: the last waits ~1.5 s, inside the default deadline."""
    statuses = _run(Guard(_slow_app(0.15), max_body=100, max_inflight=20), 200)
    assert statuses == [200] * 200


def _capture(guard: Guard, headers: list[tuple[bytes, bytes]] | None = None) -> list[dict]:
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/api/v1/orders", "headers": headers or []}
    asyncio.run(guard(scope, None, send))
    return sent


def test_every_response_names_its_request_id_and_a_sane_one_sent_by_the_caller_is_kept():
    mine = _capture(Guard(_slow_app(0), max_body=100, max_inflight=2), [(b"x-request-id", b"lb-42.a")])
    assert (b"x-request-id", b"lb-42.a") in mine[0]["headers"]
    new = _capture(Guard(_slow_app(0), max_body=100, max_inflight=2), [(b"x-request-id", b"<script>\n")])
    rid = dict(new[0]["headers"])[b"x-request-id"]
    assert rid != b"<script>\n" and len(rid) == 16


def test_a_crash_is_answered_500_problem_and_logged_once_with_its_request_id(caplog):
    async def crashing(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    with caplog.at_level("WARNING"):
        sent = _capture(Guard(crashing, max_body=100, max_inflight=2), [(b"x-request-id", b"r1")])
    assert sent[0]["status"] == 500
    assert (b"content-type", b"application/problem+json") in sent[0]["headers"]
    assert b'"internal"' in sent[1]["body"] or b"internal" in sent[1]["body"]
    records = [r for r in caplog.records if r.name == "o2o.http"]
    assert len(records) == 1 and "request=r1" in records[0].getMessage() and records[0].exc_info


def test_a_slow_request_is_logged_once_with_its_time_in_the_queue(caplog):
    with caplog.at_level("WARNING"):
        _capture(Guard(_slow_app(0.05), max_body=100, max_inflight=2, slow_s=0.02), [(b"x-request-id", b"s1")])
        _capture(Guard(_slow_app(0), max_body=100, max_inflight=2, slow_s=0.02))
    lines = [r.getMessage() for r in caplog.records if r.name == "o2o.http"]
    assert len(lines) == 1 and lines[0].startswith("slow request: GET /api/v1/orders 200 in ")
    assert "waiting for a slot" in lines[0] and "request=s1" in lines[0]


def test_slow_requests_are_logged_at_most_once_a_second_with_a_count_of_the_others(caplog):
    guard = Guard(_slow_app(0.03), max_body=100, max_inflight=20, slow_s=0.02)

    async def many() -> None:
        async def send(message: dict) -> None:
            pass

        scope = {"type": "http", "method": "GET", "path": "/api/v1/orders", "headers": []}
        await asyncio.gather(*(guard(dict(scope), None, send) for _ in range(10)))

    with caplog.at_level("WARNING"):
        asyncio.run(many())
        guard._slow_logged_at -= 2  # a second later: the next one is told, with the count
        asyncio.run(many())
    lines = [r.getMessage() for r in caplog.records if r.name == "o2o.http"]
    assert len(lines) == 2
    assert lines[1].endswith("(+9 more slow requests in the last 2 s)")


def _reading_app():  # type: ignore[no-untyped-def]
    """Reads the whole body (as request.body() does) before answering 200."""
    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(len(body)).encode()})
    return app


def _chunked(guard: Guard, chunks: list[bytes]) -> tuple[int, int]:
    """A body sent without Content-Length (Transfer-Encoding: chunked): (status, chunks the app read)."""
    read = [0]

    async def receive() -> dict:
        i = read[0]
        read[0] += 1
        return {"type": "http.request", "body": chunks[i], "more_body": i + 1 < len(chunks)}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/payments/alipay/notify",
             "headers": [(b"transfer-encoding", b"chunked")]}
    asyncio.run(guard(scope, receive, send))
    return sent[0]["status"], read[0]


def test_a_chunked_body_over_the_limit_is_refused_with_413_without_reading_it_all():
    """No Content-Length to check up front: the guard counts what the app reads and stops at the limit
    (before, a chunked body of any size was read into memory)."""
    status, read = _chunked(Guard(_reading_app(), max_body=100, max_inflight=2), [b"x" * 60] * 1000)
    assert status == 413
    assert read == 2


def test_a_chunked_body_within_the_limit_is_served():
    assert _chunked(Guard(_reading_app(), max_body=100, max_inflight=2), [b"x" * 50, b"x" * 50]) == (200, 2)


def test_the_logs_name_the_route_not_a_secret_in_its_path(caplog):
    """The SMS providers' receipt URL carries its shared secret in the path
    (/api/v1/messages/sms/receipts/aliyun/{token}): a slow or crashing request there is logged by the
    route's template, never the token."""
    class Route:
        path = "/api/v1/messages/sms/receipts/aliyun/{token}"

    def routed(app):  # type: ignore[no-untyped-def]
        async def inner(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
            scope["route"] = Route()  # as the router does when the path matches
            await app(scope, receive, send)
        return inner

    async def crashing(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    secret = "s3cr3t-receipt-token"

    def request(guard: Guard) -> None:
        async def send(message: dict) -> None:
            pass
        scope = {"type": "http", "method": "POST", "path": f"/api/v1/messages/sms/receipts/aliyun/{secret}",
                 "headers": []}
        asyncio.run(guard(scope, None, send))

    with caplog.at_level("WARNING"):
        request(Guard(routed(_slow_app(0.03)), max_body=100, max_inflight=2, slow_s=0.01))
        request(Guard(routed(crashing), max_body=100, max_inflight=2))
    lines = [r.getMessage() for r in caplog.records if r.name == "o2o.http"]
    assert len(lines) == 2 and all("/receipts/aliyun/{token}" in line for line in lines), lines
    assert not any(secret in line for line in lines)
