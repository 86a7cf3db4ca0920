"""The relay's loop keeps going while the database is down, backing off and logging a line now and then."""

from __future__ import annotations

import logging
import time

import psycopg
from sqlalchemy.exc import OperationalError

from o2o.kernel.outbox import RelayThread


class _DownThenUp:
    def __init__(self, down_for: int) -> None:
        self.calls, self.down_for = 0, down_for

    def drain(self) -> int:
        self.calls += 1
        if self.calls <= self.down_for:
            raise OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused"))
        return 0


def test_the_relay_backs_off_quietly_while_the_database_is_down_and_says_when_it_is_back(caplog):
    relay = _DownThenUp(down_for=5)
    thread = RelayThread(relay, interval_s=0.01)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="o2o"):
        thread.start()
        deadline = time.monotonic() + 10
        while relay.calls < 7 and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        thread.stop()
        thread.join(timeout=5)
    assert relay.calls >= 7 and time.monotonic() - started < 5
    lines = [r.getMessage() for r in caplog.records if r.name == "o2o.kernel.outbox"]
    # failures 1, 2 and 4 in a row are told (no traceback for an outage), then the recovery
    assert len(lines) == 4, lines
    assert all(r.exc_info is None for r in caplog.records if r.name == "o2o.kernel.outbox")
    assert lines[-1] == "relay recovered after 5 failed rounds"


def test_the_relay_pauses_longer_after_each_failed_round():
    relay = _DownThenUp(down_for=10_000)
    thread = RelayThread(relay, interval_s=0.01)  # type: ignore[arg-type]
    thread.start()
    time.sleep(1.0)
    thread.stop()
    thread.join(timeout=5)
    # 0.02 + 0.04 + ... : about 6 rounds in a second, not the 100 of a fixed 10 ms pause
    assert relay.calls <= 8, relay.calls
