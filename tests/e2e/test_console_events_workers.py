"""The live board under `o2o serve --workers 2` (both databases): streams held by either worker hear of an
order placed through whichever worker, and SIGTERM ends the open streams, so the server stops promptly."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.e2e.test_cli_commands import _env, _free_port, _start, _stop
from tests.e2e.test_console_events import Stream, _place
from tests.e2e.test_console_support import shop
from tests.e2e.test_serve_workers import _wait_ready, _workers


def _stream_owners(port: int) -> set[int]:
    """The pids holding established connections on the server's port."""
    out = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{port} )"], capture_output=True,
                         text=True, check=True).stdout
    return {int(pid) for pid in re.findall(r"pid=(\d+)", out)}


def test_every_worker_announces_an_order_placed_through_any_worker(container, clock, auth, tmp_path: Path):
    clock.advance(seconds=(datetime.now(UTC) - clock.now()).total_seconds())  # the servers' sessions: real time
    s = shop(container, auth)
    env = _env(tmp_path, O2O_DATABASE_URL=container.settings.database_url, O2O_ENV="dev",
               O2O_PAYMENT_SECRET="test-secret", O2O_CHEAP_PASSWORD_HASHING="true")
    port = _free_port()
    server = _start(env, tmp_path, "serve", "--workers", "2", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    streams: list[Stream] = []
    try:
        _wait_ready(port)
        workers = _workers(server.pid)
        assert len(workers) == 2, workers
        while len(streams) < 16 and not (len(streams) >= 4 and _stream_owners(port) >= workers):
            streams.append(Stream(base, f"/console/{s.store}/events", s.clerk))
            assert streams[-1].response.status_code == 200, (streams[-1].response.status_code, streams[-1].response.read()[:300])
            streams[-1].next("hello", 10)
        assert _stream_owners(port) >= workers, "the kernel gave every stream to one worker"
        _, fid = _place(base, s)
        for st in streams:
            assert st.next("order", 6)[2] == str(fid)
        for st in streams[:2]:
            st.close()
        t0 = time.monotonic()
    finally:
        code, out = _stop(server, signal.SIGTERM)
        for st in streams:
            st.close()
    assert code == 0, out
    assert time.monotonic() - t0 < 15, "open streams held the shutdown"
