"""The console's live board over real HTTP (uvicorn on 127.0.0.1, both databases): a store's event stream
announces an order placed by another client within a few seconds, scoped to the store (another store's
staff get 404 and no events, another store's stream hears nothing of it), a reconnect with Last-Event-ID
hears at once of the orders it missed, and idle streams take neither the guard's in-flight slots nor
database connections: with ONE in-flight slot, three open streams leave the board answering."""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from o2o.console import live
from tests.e2e.test_console_support import shop
from tests.factories.http import order_of, pay, pickup_order


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(container) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import uvicorn

    from o2o.main import create_app

    port = _free_port()
    container.settings.max_inflight = 1  # one slot: a stream that held it would starve every page
    container.settings.public_base_url = f"http://127.0.0.1:{port}"
    srv = uvicorn.Server(uvicorn.Config(create_app(container, run_relay=True), host="127.0.0.1", port=port,
                                        log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the test server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=15)


class Stream:
    """An event stream read in a thread: (seconds since open, event name, id, data) in a queue."""

    def __init__(self, base: str, path: str, headers: dict[str, str]) -> None:
        self.events: queue.Queue = queue.Queue()
        self.opened = time.monotonic()
        self.client = httpx.Client(base_url=base, timeout=httpx.Timeout(10, read=30))
        self.response = self.client.send(self.client.build_request("GET", path, headers=headers), stream=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        if self.response.status_code == 200:
            self.thread.start()

    def _read(self) -> None:
        name, ident, data = "message", None, ""
        try:
            for line in self.response.iter_lines():
                if line.startswith(":"):
                    self.events.put((time.monotonic() - self.opened, "comment", None, line))
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("id:"):
                    ident = line[3:].strip()
                elif line.startswith("data:"):
                    data = line[5:].strip()
                elif line == "":
                    if data or name != "message":
                        self.events.put((time.monotonic() - self.opened, name, ident, data))
                    name, ident, data = "message", None, ""
        except (httpx.HTTPError, RuntimeError):
            pass

    def next(self, name: str, within: float) -> tuple:
        deadline = time.monotonic() + within
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {name!r} event within {within} s")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event[1] == name:
                return event

    def heard(self, name: str, seconds: float) -> list[tuple]:
        """Every `name` event in the next `seconds`."""
        deadline, out = time.monotonic() + seconds, []
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                continue
            if event[1] == name:
                out.append(event)
        return out

    def close(self) -> None:
        """Hang up now: shut the socket down (closing it alone waits for the reader thread's recv)."""
        stream = self.response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.response.close()
        self.client.close()


def _place(base: str, s, quantity: int = 1) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """Another client (the customer's phone) orders for pickup at the store and pays."""
    with httpx.Client(base_url=base) as api:
        number = pickup_order(api, s.store, s.milk, quantity, s.customer)
        pay(api, number, s.customer)
        return number, order_of(api, number, s.customer)["fulfillment_ids"][0]


def test_a_new_order_reaches_the_stores_stream_within_seconds_and_nobody_elses(server, container, auth):
    s = shop(container, auth)
    mine = Stream(server, f"/console/{s.store}/events", s.clerk)
    assert mine.response.status_code == 200
    assert mine.response.headers["content-type"].startswith("text/event-stream")
    assert mine.response.headers["cache-control"] == "no-store"
    assert "content-encoding" not in mine.response.headers  # never gzip-buffered
    hello = mine.next("hello", 5)
    assert hello[2] == "0"
    other_store = Stream(server, f"/console/{s.other}/events", auth.staff("clerk", store_id=s.other))
    other_store.next("hello", 5)
    # another store's staff: 404, nothing streamed
    stranger = Stream(server, f"/console/{s.store}/events", auth.staff("clerk", store_id=s.other))
    assert stranger.response.status_code == 404 and stranger.events.empty()
    stranger.close()
    anonymous = httpx.get(f"{server}/console/{s.store}/events", headers={"Accept": "text/event-stream"})
    assert anonymous.status_code in (401, 303)
    try:
        t0 = time.monotonic()
        number, fid = _place(server, s)
        placed = time.monotonic() - t0
        event = mine.next("order", 5)
        assert event[2] == str(fid) and f'"latest":{fid}' in event[3] and '"new":1' in event[3]
        assert event[0] - (t0 - mine.opened) - placed < 3.0  # announced within ~1 s of the payment
        assert other_store.heard("order", 2.5) == []
    finally:
        mine.close()
        other_store.close()


def test_a_reconnect_with_last_event_id_hears_at_once_of_missed_orders(server, container, auth):
    s = shop(container, auth)
    _, first = _place(server, s)
    _, second = _place(server, s)
    again = Stream(server, f"/console/{s.store}/events", {**s.clerk, "Last-Event-ID": str(first)})
    try:
        event = again.next("order", 3)
        assert event[2] == str(second) and event[0] < 2.0
    finally:
        again.close()
    up_to_date = Stream(server, f"/console/{s.store}/events", {**s.clerk, "Last-Event-ID": str(second)})
    try:
        assert up_to_date.next("hello", 3)[2] == str(second)
        assert up_to_date.heard("order", 1.5) == []
    finally:
        up_to_date.close()
    for junk in ("-5", "abc", "9" * 40):  # a forged id is ignored: the stream starts afresh
        odd = Stream(server, f"/console/{s.store}/events", {**s.clerk, "Last-Event-ID": junk})
        try:
            assert odd.next("hello", 3)[2] == str(second)
        finally:
            odd.close()


def test_idle_streams_hold_no_inflight_slot_and_no_database_connection(server, container, auth):
    s = shop(container, auth)
    streams = [Stream(server, f"/console/{s.store}/events", s.clerk) for _ in range(3)]
    try:
        for st in streams:
            st.next("hello", 5)
        time.sleep(1.5)
        assert container.db.engine.pool.checkedout() <= 1  # at most one poll's read at this instant
        t0 = time.monotonic()
        r = httpx.get(f"{server}/console/{s.store}/board", headers=s.clerk, timeout=10)
        assert r.status_code == 200 and time.monotonic() - t0 < 2.0  # the single slot is free
        # the stream's changes are board events too: a pick moves counts
        number, fid = _place(server, s)
        for st in streams:
            assert st.next("order", 5)[2] == str(fid)
        assert live.open_streams() == 3
    finally:
        for st in streams:
            st.close()
    deadline = time.monotonic() + 3  # the server notices the hang-ups (no write needed) and ends them
    while live.open_streams() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live.open_streams() == 0


def test_a_quiet_stream_sends_heartbeats_and_ends_at_its_lifetime(server, container, auth, monkeypatch):
    monkeypatch.setattr(live, "HEARTBEAT_S", 1.0)
    monkeypatch.setattr(live, "LIFETIME_S", 4.0)
    s = shop(container, auth)
    quiet = Stream(server, f"/console/{s.store}/events", s.clerk)
    try:
        quiet.next("hello", 5)
        beat = quiet.next("comment", 4)
        assert beat[3] == ": ping"
        deadline = time.monotonic() + 6  # then the server ends it (the browser reconnects, signed in again)
        while quiet.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not quiet.thread.is_alive()
    finally:
        quiet.close()


def test_past_the_streams_cap_a_process_answers_503_and_the_board_still_works(server, container, auth, monkeypatch):
    monkeypatch.setattr(live, "MAX_STREAMS", 2)
    s = shop(container, auth)
    held = [Stream(server, f"/console/{s.store}/events", s.clerk) for _ in range(2)]
    try:
        for st in held:
            st.next("hello", 5)
        refused = httpx.get(f"{server}/console/{s.store}/events", headers=s.clerk, timeout=5)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert httpx.get(f"{server}/console/{s.store}/board", headers=s.clerk, timeout=5).status_code == 200
    finally:
        for st in held:
            st.close()
