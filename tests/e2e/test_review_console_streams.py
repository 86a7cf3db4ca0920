"""Review: one signed-in caller may hold only a few live-board streams at once (a console tab is one).
Before, a single clerk's session (or a script with it) could open every stream the process allows
(MAX_STREAMS), each polling the database once a second, and every other store's board was refused."""

from __future__ import annotations

import time

import httpx

from o2o.console import live
from tests.e2e.test_console_events import Stream, server  # noqa: F401  (the fixture)
from tests.e2e.test_console_support import shop


def test_one_caller_holds_a_few_streams_and_others_still_get_theirs(server, container, auth,  # noqa: F811
                                                                    monkeypatch):
    monkeypatch.setattr(live, "MAX_STREAMS", 4)
    monkeypatch.setattr(live, "STREAMS_PER_CALLER", 2, raising=False)
    s = shop(container, auth)
    held = [Stream(server, f"/console/{s.store}/events", s.clerk) for _ in range(2)]
    others: list[Stream] = []
    try:
        for st in held:
            st.next("hello", 5)
        for _ in range(3):  # the same clerk again: refused, and the process's other slots stay free
            refused = httpx.get(f"{server}/console/{s.store}/events", headers=s.clerk, timeout=5)
            assert refused.status_code in (429, 503) and refused.headers.get("retry-after")
        others = [Stream(server, f"/console/{s.store}/events", who) for who in (s.manager, auth.staff("clerk",
                                                                                                    store_id=s.store))]
        for st in others:
            assert st.response.status_code == 200
            st.next("hello", 5)
    finally:
        for st in held + others:
            st.close()
    deadline = time.monotonic() + 3
    while live.open_streams() and time.monotonic() < deadline:
        time.sleep(0.05)
    again = Stream(server, f"/console/{s.store}/events", s.clerk)  # its streams ended: it may open one again
    try:
        assert again.response.status_code == 200
        again.next("hello", 5)
    finally:
        again.close()
