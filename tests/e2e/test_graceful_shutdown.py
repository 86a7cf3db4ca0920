"""`o2o serve --workers 2`: /metrics counts every worker's requests (prometheus multiprocess directory),
and SIGTERM is graceful: /readyz turns 503 at once, new connections stop after the drain time, and a
slow request in flight when the signal came still gets its answer."""

from __future__ import annotations

import fcntl
import os
import signal
import threading
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_cli_commands import _env, _free_port, _start, _stop, o2o
from tests.e2e.test_serve_workers import _wait_ready, _workers

PHONE = "13912345678"


def _healthz_count(base: str) -> float:
    body = httpx.get(f"{base}/metrics", timeout=10, headers={"Connection": "close"}).text
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            if s.name == "o2o_http_requests_total" and s.labels.get("route") == "/healthz":
                return s.value
    return 0.0


def test_metrics_add_up_over_workers_and_sigterm_finishes_the_request_in_flight(tmp_path: Path):
    db = tmp_path / "o2o.db"
    env = _env(tmp_path, O2O_DATABASE_URL=f"sqlite:///{db}", O2O_ENV="dev", O2O_SHUTDOWN_DRAIN_S="2")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    o2o(env, tmp_path, "migrate")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(env, tmp_path, "serve", "--workers", "2", "--port", str(port))
    answers: list[httpx.Response | BaseException] = []
    try:
        _wait_ready(port)
        assert len(_workers(server.pid)) == 2
        # every worker's requests in every scrape (a new connection each: the kernel spreads them)
        for _ in range(20):
            assert httpx.get(f"{base}/healthz", headers={"Connection": "close"}).status_code == 200
        counts = {_healthz_count(base) for _ in range(8)}
        assert counts == {20.0}, counts
        # a worker killed and replaced: what it counted stays counted
        victim = min(_workers(server.pid))
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (victim in _workers(server.pid) or len(_workers(server.pid)) < 2):
            time.sleep(0.2)
        _wait_ready(port)
        assert {_healthz_count(base) for _ in range(8)} == {20.0}

        # a slow request: it waits for SQLite's write lock, which this test holds
        with open(f"{db}.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)

            def sign_in() -> None:
                try:
                    answers.append(httpx.post(f"{base}/api/v1/auth/otp", json={"phone": PHONE}, timeout=60))
                except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                    answers.append(exc)

            slow = threading.Thread(target=sign_in)
            slow.start()
            time.sleep(1.0)
            assert slow.is_alive() and not answers  # in flight
            server.send_signal(signal.SIGTERM)
            # readiness goes 503 at once (the drain time lets a load balancer notice), liveness stays
            deadline, seen = time.monotonic() + 1.5, set()
            while time.monotonic() < deadline:
                try:
                    seen.add(httpx.get(f"{base}/readyz", headers={"Connection": "close"}, timeout=2).status_code)
                except httpx.TransportError:
                    break
                time.sleep(0.1)
            assert 503 in seen and 200 not in seen, seen
            # after the drain no new connection is taken, while the slow request is still waiting
            refused = False
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not refused:
                try:
                    httpx.get(f"{base}/healthz", headers={"Connection": "close"}, timeout=1)
                    time.sleep(0.2)
                except httpx.TransportError:
                    refused = True
            assert refused, "still accepting connections after the drain"
            assert slow.is_alive() and not answers
            assert server.poll() is None  # waiting for the request in flight
            fcntl.flock(lock, fcntl.LOCK_UN)
        slow.join(30)
        assert len(answers) == 1 and isinstance(answers[0], httpx.Response), answers
        assert answers[0].status_code == 202, answers[0].text
    finally:
        code, out = _stop(server, signal.SIGTERM)
    assert code == 0, out
    assert "shutting down: /readyz answers 503" in out
