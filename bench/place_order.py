"""place_order: orders/s and latency end to end over HTTP on loopback.

`o2o serve --workers N` (uvicorn) runs as a subprocess against a chain seeded through the services
(40 stores around Shanghai, a warehouse, 200 SKUs with deep stock, 500 customers, each signed in with a
bearer token minted at set-up). An asyncio load generator (httpx.AsyncClient, bounded pool) keeps C
clients busy, each as one signed-in customer (client i is customer i mod 500, sending their token),
with 3-line orders (random SKUs, an address near a random store, mode auto or pickup, an
Idempotency-Key each) for a fixed time after a warm-up. 2xx/4xx/5xx/503/connection errors/timeouts are counted apart. On SQLite and PostgreSQL, with
pgbench -N on the same server and the same client count as the ceiling; plus an overload variant
(200 clients, shorter) where 503 + Retry-After is back-pressure, not an error.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    ROOT,
    console,
    cpu_used,
    fresh_database,
    ms_summary,
    pg_server,
    pg_settings_used,
    print_table,
    scratch_dir,
    self_cpu_seconds,
    tree_cpu,
    tree_peak_rss,
    write_result,
)
from bench.seed import near, service_chain
from o2o.inventory import service as inventory

O2O = Path(sys.executable).parent / "o2o"
MODES = ("auto", "pickup")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "O2O_DATABASE_URL": url, "O2O_ENV": "dev"}
    with log.open("ab") as fh:
        proc = subprocess.Popen([str(O2O), "serve", "--port", str(port), "--workers", str(workers)], env=env,
                                cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"o2o serve exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"o2o serve not ready after 60 s:\n{log.read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group this benchmark created (the server and its workers)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def order_body(rng: random.Random, chain: dict, customer_id: int) -> dict[str, Any]:
    """An order of the signed-in customer `customer_id` (a customer orders for themselves only)."""
    store_id, (slat, slng) = rng.choice(chain["stores"])
    mode = rng.choice(MODES)
    body: dict[str, Any] = {"customer_id": customer_id, "mode": mode, "channel": "h5",
                            "lines": [{"sku_id": s, "quantity": rng.randint(1, 3)}
                                      for s in rng.sample(chain["skus"], 3)]}
    if mode == "pickup":
        body["location_id"] = store_id
    else:
        lat, lng = near(rng, slat, slng, 1_500)
        body["address"] = {"line": "上海市徐汇区漕溪北路 88 号", "lat": lat, "lng": lng}
    return body


async def load(port: int, chain: dict, clients: int, warm_s: float, run_s: float,
               keepalive: bool = True) -> dict[str, Any]:
    """C closed-loop clients, each with its own one-connection httpx.AsyncClient (one shared pool of
    200 costs the load generator a core) and its own signed-in customer (Authorization: Bearer);
    counts what completes inside the measured window."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1 if keepalive else 0)
    headers = {} if keepalive else {"Connection": "close"}
    t_measure = time.perf_counter() + warm_s
    t_end = t_measure + run_s
    status: Counter[str] = Counter()
    lat_2xx: list[float] = []
    lat_all: list[float] = []
    samples: dict[str, str] = {}

    async def one(i: int) -> None:
        n = i % len(chain["customers"])
        auth = {**headers, "Authorization": f"Bearer {chain['tokens'][n]}"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30.0,
                                     headers=auth) as client:
            await loop(client, i, chain["customers"][n])

    async def loop(client: httpx.AsyncClient, i: int, customer_id: int) -> None:
        rng = random.Random(i * 7919 + int(t_end))
        while time.perf_counter() < t_end:
            body = order_body(rng, chain, customer_id)
            t0 = time.perf_counter()
            retry_after = 0.0
            try:
                r = await client.post("/api/v1/orders", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
                code = r.status_code
                key = "2xx" if code < 300 else "503" if code == 503 else f"{code // 100}xx"
                if code >= 400 and key not in samples:
                    samples[key] = f"{code} {r.text[:300]}"
                if code == 503:
                    retry_after = float(r.headers.get("retry-after", "1") or 1)
            except httpx.TimeoutException as exc:
                key = "timeout"
                samples.setdefault(key, repr(exc)[:300])
            except httpx.TransportError as exc:
                key = "conn_error"
                samples.setdefault(key, repr(exc)[:300])
            t1 = time.perf_counter()
            if t_measure <= t1 <= t_end:
                status[key] += 1
                lat_all.append(t1 - t0)
                if key == "2xx":
                    lat_2xx.append(t1 - t0)
            if retry_after:
                await asyncio.sleep(min(retry_after, 1.0))  # a polite client backs off

    await asyncio.gather(*(one(i) for i in range(clients)))
    return {"status": dict(status), "orders_per_s": round(status["2xx"] / run_s, 1),
            "requests_per_s": round(sum(status.values()) / run_s, 1), "latency_2xx": ms_summary(lat_2xx),
            "latency_all": ms_summary(lat_all), "error_samples": samples}


def server_errors(log: Path) -> list[str]:
    """The first lines of any traceback or ERROR the server logged."""
    lines = log.read_text(errors="replace").splitlines()
    hits = [i for i, ln in enumerate(lines) if re.search(r"Traceback|ERROR|CRITICAL", ln)]
    out: list[str] = []
    for i in hits[:3]:
        out += lines[i:i + 25] + ["..."]
    return out


def run_config(kind: str, db_url: str, chain: dict, workers: int, clients: int, warm_s: float, run_s: float,
               tmp: Path, pg: Any = None, keepalive: bool = True) -> dict[str, Any]:
    log = tmp / f"serve-{kind}-w{workers}-c{clients}{'' if keepalive else '-close'}.log"
    proc, port = start_server(db_url, workers, log)
    try:
        pg_root = pg._proc.pid if pg is not None and pg._proc else None
        c0, s0, p0 = self_cpu_seconds(), tree_cpu(proc.pid), tree_cpu(pg_root) if pg_root else {}
        result = asyncio.run(load(port, chain, clients, warm_s, run_s, keepalive))
        total = warm_s + run_s
        server_cpu = cpu_used(s0, proc.pid)
        result["cpu_cores_busy"] = {"client": round((self_cpu_seconds() - c0) / total, 2),
                                    "server": round(sum(server_cpu.values()) / total, 2),
                                    "server_per_process": {p: round(v / total, 2) for p, v in server_cpu.items()},
                                    "postgresql": round(sum(cpu_used(p0, pg_root).values()) / total, 2)
                                    if pg_root else None}
        result["server_peak_rss"] = tree_peak_rss(proc.pid)
        result["server_alive"] = proc.poll() is None
    finally:
        stop_server(proc)
    result.update({"engine": kind, "workers": workers, "clients": clients, "keepalive": keepalive,
                   "warmup_s": warm_s, "seconds": run_s,
                   "server_log_errors": server_errors(log)})
    st = result["status"]
    console.print(f"  {kind:10} workers={workers} clients={clients:>3}{'' if keepalive else ' close'}: "
                  f"{result['orders_per_s']:>7.1f} orders/s "
                  f"p50={result['latency_2xx'].get('p50_ms', '-')} ms p99={result['latency_2xx'].get('p99_ms', '-')} ms"
                  f" status={st} rss_max={result['server_peak_rss']['max_mb']:.0f} MB")
    return result


def run_engine(kind: str, quick: bool, clients: int, burst: int, seconds: float, tmp: Path,
               pg: Any = None) -> dict[str, Any]:
    db = fresh_database(kind, "bench_orders", pg=pg, tmp=tmp, pool_size=5)
    t0 = time.perf_counter()
    chain = service_chain(db)
    setup_s = time.perf_counter() - t0
    console.print(f"[bold]{kind}[/]: chain seeded through the services in {setup_s:.1f}s "
                  f"({len(chain['tokens'])} customers signed in)")
    warm, burst_warm, burst_s = (1.0, 4.0, 6.0) if quick else (3.0, 6.0, 10.0)
    runs = [run_config(kind, db.url, chain, w, clients, warm, seconds, tmp, pg) for w in (1, 2)]
    runs.append(run_config(kind, db.url, chain, 2, clients, warm, seconds, tmp, pg, keepalive=False))
    runs += [run_config(kind, db.url, chain, w, burst, burst_warm, burst_s, tmp, pg) for w in (1, 2)]
    report = inventory.check(db)
    with db.read() as s:
        from sqlalchemy import text
        orders = s.scalar(text("SELECT count(*) FROM sales_order"))
    db.dispose()
    return {"engine": kind, "setup_s": round(setup_s, 1), "runs": runs, "orders_in_db": orders,
            "stock_check_ok": report.ok, "stock_check": report.model_dump() if not report.ok else None}


def main(quick: bool = False, clients: int = 16, burst_clients: int = 200, seconds: float | None = None,
         tmp: Path | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    seconds = seconds or (5.0 if quick else 20.0)
    tmp = tmp or scratch_dir("bench-orders-")
    engines = [run_engine("sqlite", quick, clients, burst_clients, seconds, tmp)]
    with pg_server() as pg:
        settings = pg_settings_used(pg)
        engines.append(run_engine("postgresql", quick, clients, burst_clients, seconds, tmp, pg))
        pg.create_database("pgbench")
        pgb_s = 5 if quick else 10
        tps = pg.pgbench_tps("pgbench", clients=clients, seconds=pgb_s)
        console.print(f"  pgbench -N -c {clients} -T {pgb_s}: {tps:,.0f} tps")
    rows = []
    for e in engines:
        for r in e["runs"]:
            st = r["status"]
            rows.append([e["engine"], r["workers"], f"{r['clients']}{'' if r['keepalive'] else ' close'}",
                         r["orders_per_s"], r["latency_2xx"].get("p50_ms"),
                         r["latency_2xx"].get("p99_ms"), st.get("2xx", 0), st.get("4xx", 0), st.get("5xx", 0),
                         st.get("503", 0), st.get("conn_error", 0) + st.get("timeout", 0),
                         r["server_peak_rss"]["max_mb"], r["server_peak_rss"]["sum_mb"],
                         f"{r['cpu_cores_busy']['client']}/{r['cpu_cores_busy']['server']}/"
                         f"{r['cpu_cores_busy']['postgresql'] or '-'}"])
    rows.append(["pgbench -N", "-", clients, tps, None, None, "", "", "", "", "", "", "", ""])
    print_table(f"place_order over HTTP ({seconds:.0f} s runs; overload runs shorter)",
                ["engine", "workers", "clients", "orders/s", "p50 ms", "p99 ms", "2xx", "4xx", "5xx", "503",
                 "conn err", "rss max MB", "rss sum MB", "cpu client/server/pg"], rows)
    params = {"quick": quick, "clients": clients, "burst_clients": burst_clients, "seconds": seconds,
              "chain": {"stores": 40, "warehouses": 1, "skus": 200, "customers": 500, "on_hand_per_row": 100_000},
              "lines_per_order": 3, "modes": MODES, "idempotency_key": "a fresh key per request",
              "auth": "each client is one signed-in customer (bearer token minted at set-up; client i = customer i mod 500)",
              "postgresql_settings": settings, "pgbench": {"clients": clients, "seconds": pgb_s, "scale": 10}}
    notes = [
        "orders/s counts 2xx completed inside the measured window; latency is per request, client side.",
        "load generator, server and PostgreSQL share the same 2 cores: see cpu_cores_busy per run.",
        "o2o serve --workers 1 runs uvicorn with log_level=info (access log on); --workers 2 with access_log off.",
        "each client has one keep-alive connection; 'close' runs send Connection: close (a new TCP connection per "
        "request), which spreads requests over uvicorn's worker processes; see server_per_process CPU.",
        "overload runs (burst_clients) get a longer warm-up: the first seconds after 200 clients connect at once stall.",
        "503 + Retry-After is back-pressure from the bounded pool: the client sleeps Retry-After (<= 1 s).",
        "stock rows + their receipts are bulk-inserted; stores, SKUs and customers go through the services.",
        "every request is signed in (Authorization: Bearer, a customer session minted through "
        "o2o.iam.service.sign_in_session at set-up): the guard looks the session up in the database per request.",
    ]
    elapsed = time.perf_counter() - t0
    write_result("place_order", params, {"engines": engines, "pgbench_tps": tps}, notes, elapsed)
    return {"elapsed_s": elapsed}
