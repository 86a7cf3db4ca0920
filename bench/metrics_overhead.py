"""What /metrics costs on the hot path: the ASGI Guard around a do-nothing app, with and without the
metrics recording (`o2o.kernel.metrics.observe_request`), in memory (one process) and in prometheus-client's
multiprocess mode (mmap files, as under `serve --workers N`).

    python -m bench.metrics_overhead [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def _run(n: int, rounds: int) -> dict[str, float]:
    from o2o.kernel import asgi, metrics

    class Route:
        path = "/api/v1/orders/{number}"

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        scope["route"] = Route
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    guard = asgi.Guard(app, max_body=1_000_000, max_inflight=6)

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": b""}

    async def send(message):  # type: ignore[no-untyped-def]
        pass

    async def many() -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            scope = {"type": "http", "method": "GET", "path": "/api/v1/orders/SO1", "headers": []}
            await guard(scope, receive, send)
        return (time.perf_counter() - t0) / n * 1e6

    real = metrics.observe_request
    out: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(rounds):
        for label in ("with", "without"):
            asgi.metrics.observe_request = real if label == "with" else (lambda *a: None)  # type: ignore[assignment]
            out[label].append(asyncio.run(many()))
    asgi.metrics.observe_request = real  # type: ignore[assignment]
    return {k: statistics.median(v) for k, v in out.items()}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--child", choices=["memory", "multiprocess"])
    a = p.parse_args()
    n, rounds = (20_000, 5) if a.quick else (100_000, 9)
    if a.child:
        print(json.dumps(_run(n, rounds)))
        return
    results = {}
    for mode in ("memory", "multiprocess"):
        env = dict(os.environ)
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with tempfile.TemporaryDirectory() as d:
            if mode == "multiprocess":
                env["PROMETHEUS_MULTIPROC_DIR"] = d
            out = subprocess.run([sys.executable, "-m", "bench.metrics_overhead", "--child", mode,
                                  *(["--quick"] if a.quick else [])], env=env, capture_output=True, text=True,
                                 check=True).stdout
        r = json.loads(out)
        results[mode] = r
        print(f"{mode:12} Guard per request: {r['without']:.1f} us without metrics, {r['with']:.1f} us with "
              f"(+{r['with'] - r['without']:.1f} us)")


if __name__ == "__main__":
    main()
