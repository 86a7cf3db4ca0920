"""Waiting for events to be handled when another relay may hold them.

A browser test's live app runs its own relay. On PostgreSQL an event that relay holds is skipped
(FOR UPDATE SKIP LOCKED), so one `drain()` by the test can return before that event's handler has
committed. `settle` drains and checks again until the expected state is there, or fails after `timeout`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from o2o import bootstrap
from o2o.deps import Container


def settle(c: Container, done: Callable[[], bool], timeout: float = 30.0, what: str = "events handled") -> None:
    relay = bootstrap.relay(c)
    deadline = time.monotonic() + timeout
    while True:
        relay.drain()
        if done():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled after {timeout:.0f} s: {what}")
        time.sleep(0.05)
