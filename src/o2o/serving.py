"""`o2o serve --workers N`: N uvicorn processes, each on its own listening socket (SO_REUSEPORT).

uvicorn's own multi-process mode shares one socket, and asyncio accepts every pending connection
in one go: in a flash crowd one worker took most of the 200 keep-alive connections and its buyers
waited 2.5x as long as the other's. With a socket each, the kernel spreads new connections evenly.
The parent supervises: SIGTERM/SIGINT stop every worker gracefully; a worker that dies (killed, say)
is started again; one that fails within seconds of starting (the port is taken) stops the server.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from typing import Any

log = logging.getLogger("o2o.serve")
QUICK_DEATH_S = 5.0


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


def _worker(host: str, port: int, log_config: dict[str, Any]) -> None:
    import uvicorn

    sock = listening_socket(host, port)
    config = uvicorn.Config("o2o.main:app_factory", factory=True, log_config=log_config, access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def serve(host: str, port: int, workers: int, log_config: dict[str, Any]) -> int:
    """Run `workers` processes until SIGTERM/SIGINT; the exit code of the whole server."""
    # fail here, at once, if anything listens there already: without SO_REUSEPORT this bind fails even
    # against another server that shares its port (an old `o2o serve` left running must not get traffic)
    try:
        listening_socket(host, port, shared=False).close()
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", host, port, exc.strerror or exc)
        return 1
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
                procs[i] = start()
    finally:
        for p, _ in procs:
            if p.is_alive():
                p.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + 20
        for p, _ in procs:
            p.join(max(0.1, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return code
