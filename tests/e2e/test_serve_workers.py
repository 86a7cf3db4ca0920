"""`o2o serve --workers 2`: a listening socket per worker (the kernel spreads connections), a worker
killed with -9 is replaced, SIGTERM stops them all, and a port already taken stops the server."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_cli_commands import _env, _free_port, _start, _stop, o2o


def _children(pid: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return {int(p) for p in out.split()}


def _workers(pid: int) -> set[int]:
    """The server's worker processes (multiprocessing's spawn helper aside: it serves no requests)."""
    return {p for p in _children(pid) if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text().replace("\0", " ")
            and "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_text()}


def _wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("server not ready")


def test_workers_are_replaced_when_killed_and_all_stop_on_sigterm(tmp_path: Path):
    env = _env(tmp_path, O2O_DATABASE_URL=f"sqlite:///{tmp_path / 'o2o.db'}", O2O_ENV="dev")
    o2o(env, tmp_path, "migrate")
    port = _free_port()
    server = _start(env, tmp_path, "serve", "--workers", "2", "--port", str(port))
    try:
        _wait_ready(port)
        workers = _workers(server.pid)
        assert len(workers) == 2, workers
        # a listening socket each (SO_REUSEPORT): the kernel spreads connections between them
        listening = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True,
                                   check=True).stdout.strip().splitlines()
        assert len(listening) == 2, listening
        assert {int(pid) for line in listening for pid in re.findall(r"pid=(\d+)", line)} == workers
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (victim in _workers(server.pid) or len(_workers(server.pid)) < 2):
            time.sleep(0.2)
        assert len(_workers(server.pid)) == 2 and victim not in _workers(server.pid)
        _wait_ready(port)
        answers = [httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5, headers={"Connection": "close"})
                   for _ in range(20)]
        assert all(r.status_code == 200 for r in answers)
        everyone = _workers(server.pid)
    finally:
        code, out = _stop(server, signal.SIGTERM)
    assert code == 0, out
    assert "starting another" in out
    assert not any(Path(f"/proc/{p}").exists() for p in everyone)


@pytest.mark.parametrize("shared", [False, True], ids=["plain", "another-server-sharing-its-port"])
def test_a_port_already_taken_stops_the_server_with_an_error(tmp_path: Path, shared: bool):
    """Also when the listener there shares its port (SO_REUSEPORT), as an old `o2o serve` left running
    does: joining it would hand part of the traffic to the old server."""
    env = _env(tmp_path, O2O_DATABASE_URL=f"sqlite:///{tmp_path / 'o2o.db'}", O2O_ENV="dev")
    with socket.socket() as taken:
        if shared:
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        r = o2o(env, tmp_path, "serve", "--workers", "2", "--port", str(port), ok=False)
    assert r.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "Traceback" not in r.stderr
