"""`o2o serve --workers N`: N uvicorn processes, each on its own listening socket (SO_REUSEPORT).

uvicorn's own multi-process mode shares one socket, and asyncio accepts every pending connection
in one go: in a flash crowd one worker took most of the 200 keep-alive connections and its buyers
waited 2.5x as long as the other's. With a socket each, the kernel spreads new connections evenly.
The parent supervises: SIGTERM/SIGINT stop every worker gracefully; a worker that dies (killed, say)
is started again; one that fails within seconds of starting (the port is taken) stops the server.

Graceful stop (`DrainingServer`, also for a single process): on SIGTERM a worker answers /readyz 503
at once, keeps serving for `O2O_SHUTDOWN_DRAIN_S` (0: none) so a load balancer's probe notices, then
stops accepting connections and finishes the requests in flight before it exits.
Metrics: every worker writes to one PROMETHEUS_MULTIPROC_DIR (a fresh temporary directory unless
set), so /metrics on any worker counts them all (o2o.kernel.metrics).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from types import FrameType
from typing import Any

import uvicorn

from o2o.kernel import lifecycle, metrics

log = logging.getLogger("o2o.serve")
QUICK_DEATH_S = 5.0
STOP_WAIT_S = 20.0  # after the drain, how long the requests in flight may take before workers are killed


def listening_socket(host: str, port: int, shared: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class DrainingServer(uvicorn.Server):
    """uvicorn's server, but the first SIGTERM/SIGINT marks the process as shutting down (/readyz 503)
    and waits `drain_s` before uvicorn stops accepting and finishes the requests in flight; a second
    signal stops at once (uvicorn's own behaviour)."""

    def __init__(self, config: uvicorn.Config, drain_s: float = 0.0) -> None:
        super().__init__(config)
        self.drain_s = drain_s

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if lifecycle.shutting_down.is_set() or self.drain_s <= 0:
            lifecycle.shutting_down.set()
            super().handle_exit(sig, frame)
            return
        lifecycle.shutting_down.set()
        log.info("shutting down: /readyz answers 503, serving %.1f s more, then finishing requests in flight",
                 self.drain_s)
        timer = threading.Timer(self.drain_s, super().handle_exit, args=(sig, None))
        timer.daemon = True
        timer.start()


def _worker(host: str, port: int, log_config: dict[str, Any]) -> None:
    from o2o.config import get_settings

    sock = listening_socket(host, port)
    config = uvicorn.Config("o2o.main:app_factory", factory=True, log_config=log_config, access_log=False)
    DrainingServer(config, get_settings().shutdown_drain_s).run(sockets=[sock])


def serve(host: str, port: int, workers: int, log_config: dict[str, Any]) -> int:
    """Run `workers` processes until SIGTERM/SIGINT; the exit code of the whole server."""
    # fail here, at once, if anything listens there already: without SO_REUSEPORT this bind fails even
    # against another server that shares its port (an old `o2o serve` left running must not get traffic)
    try:
        listening_socket(host, port, shared=False).close()
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", host, port, exc.strerror or exc)
        return 1
    own_dir = None
    if not os.environ.get(metrics.MULTIPROC_ENV):
        own_dir = os.environ[metrics.MULTIPROC_ENV] = tempfile.mkdtemp(prefix="o2o-metrics-")
    metrics.prepare_multiprocess_dir(os.environ[metrics.MULTIPROC_ENV])
    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM, signal.SIGINT)}

    def start() -> tuple[Any, float]:
        p = ctx.Process(target=_worker, args=(host, port, log_config), daemon=False)
        p.start()
        return p, time.monotonic()

    procs = [start() for _ in range(workers)]
    code = 0
    try:
        while not stop.wait(0.5):
            for i, (p, started) in enumerate(procs):
                if p.is_alive():
                    continue
                if (p.exitcode or 0) > 0 and time.monotonic() - started < QUICK_DEATH_S:  # failed to start
                    log.error("worker %s exited %s right after starting: stopping", p.pid, p.exitcode)
                    code = 1
                    stop.set()
                    break
                log.warning("worker %s exited %s: starting another", p.pid, p.exitcode)
                metrics.process_dead(p.pid)
                procs[i] = start()
    finally:
        for p, _ in procs:
            if p.is_alive():
                p.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        from o2o.config import get_settings

        deadline = time.monotonic() + STOP_WAIT_S + get_settings().shutdown_drain_s
        for p, _ in procs:
            p.join(max(0.1, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
        if own_dir:
            del os.environ[metrics.MULTIPROC_ENV]
            shutil.rmtree(own_dir, ignore_errors=True)
    return code
