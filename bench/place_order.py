"""place_order: orders/s and latency end to end over HTTP on loopback, load from wrk.

`o2o serve --workers 2` (uvicorn) runs as a subprocess against a chain seeded through the services
(40 stores around Shanghai, a warehouse, 200 SKUs with deep stock, 500 customers, each signed in with a
bearer token minted at set-up). The load generator is Debian's `wrk` (C, LuaJIT; see bench/wrk.py), which
costs a small fraction of a core where an httpx client burned about a core per 500 requests/s. Its Lua
script rotates the customers' tokens (Authorization: Bearer) and sends a fresh Idempotency-Key and a
3-line order per request (mode pickup or auto with an address near the store, quantities 1-3).
On the same server, per engine (SQLite and PostgreSQL):

- healthz floor: `GET /healthz` at the same connections/threads, the app's own ceiling;
- hot vs spread: after a warm-up, alternating spread / hot / spread / hot ... segments of N seconds at
  16 connections. Spread = 3 random SKUs at a random store; hot = always the same 3 SKUs at one store
  (stock of those rows deepened so they never sell out). Reported: hot/spread orders/s and p99 ratios;
- flash crowd: 200 connections opened at once (wrk -c200 -t2), a short run: % 503, p99, socket errors;
- one-shot: 200 pre-opened connections (raw asyncio sockets) each send one order at the same instant,
  spread and hot: 503s, p99, connection errors.
PostgreSQL also gets `pgbench -N` on the same cluster at the same client count as a ceiling.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from bench import wrk
from bench.common import (
    O2O_FILE,
    ROOT,
    SRC,
    console,
    cpu_used,
    fresh_database,
    ms_summary,
    o2o_file,
    pg_server,
    pg_settings_used,
    print_table,
    scratch_dir,
    tree_cpu,
    tree_peak_rss,
    write_result,
)
from bench.seed import deepen, near, service_chain
from o2o.inventory import service as inventory

O2O = Path(sys.executable).parent / "o2o"
MODES = ("auto", "pickup")
HOT_EXTRA = 100_000_000  # added to on_hand of the hot rows: a run cannot sell them out
ADDRESS = "上海市徐汇区漕溪北路 88 号"
THREADS = 2
TIMEOUT_S = 10  # wrk's --timeout: slower responses count as timeouts (and leave the latency histogram)
# the goals the team set (printed beside the figures; nothing is asserted)
GOALS = {"hot_spread_ratio_min": 0.9, "hot_p99_over_spread_p99_max": 1.5, "flash_503_pct_max": 5.0,
         "flash_p99_ms_max": 3000.0, "flash_conn_errors": 0, "sqlite_p99_ms_max": 200.0,
         "postgresql_orders_per_s_min": 1000.0, "postgresql_p99_ms_max": 50.0}


# -- the server ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(url: str) -> dict[str, str]:
    """The server's environment: this process's (PYTHONPATH included: the baseline half of `--baseline`
    serves the older tree's o2o), the database and the dev settings."""
    return {**os.environ, "O2O_DATABASE_URL": url, "O2O_ENV": "dev"}


def start_server(url: str, workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    """`o2o serve` on a free port, ready once GET /healthz answers 200 (liveness: every version has it;
    /readyz came later)."""
    port = _free_port()
    env = server_env(url)
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


def server_warnings(log: Path) -> dict[str, Any]:
    """How many WARNING lines the server logged (slow requests among them), and the first few."""
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if " WARNING " in ln]
    slow = [ln for ln in lines if "slow request" in ln]
    return {"warnings": len(lines), "slow_requests": len(slow), "first": lines[:10]}


def server_errors(log: Path) -> list[str]:
    """The first lines of any traceback or ERROR the server logged."""
    lines = log.read_text(errors="replace").splitlines()
    hits = [i for i, ln in enumerate(lines) if re.search(r"Traceback|ERROR|CRITICAL", ln)]
    out: list[str] = []
    for i in hits[:3]:
        out += lines[i:i + 25] + ["..."]
    return out


@dataclass
class Target:
    """A running server and what a run needs to load it."""
    proc: subprocess.Popen
    port: int
    chain: dict
    hot: dict
    tmp: Path
    pg_root: int | None
    runs: list[dict[str, Any]] = field(default_factory=list)  # every wrk run, for the 2xx-vs-database check

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# -- orders -------------------------------------------------------------------------------------
def order_body(rng: random.Random, chain: dict, customer_id: int, hot: dict | None = None) -> dict[str, Any]:
    """An order of the signed-in customer `customer_id`: 3 random SKUs at a random store, or with `hot`,
    its 3 SKUs at its store (address within 50 m, so auto routes there)."""
    store_id, (slat, slng) = hot["store"] if hot else rng.choice(chain["stores"])
    skus = list(hot["skus"]) if hot else rng.sample(chain["skus"], 3)
    mode = rng.choice(MODES)
    body: dict[str, Any] = {"customer_id": customer_id, "mode": mode, "channel": "h5",
                            "lines": [{"sku_id": s, "quantity": rng.randint(1, 3)} for s in skus]}
    if mode == "pickup":
        body["location_id"] = store_id
    else:
        lat, lng = near(rng, slat, slng, 50 if hot else 1_500)
        body["address"] = {"line": ADDRESS, "lat": lat, "lng": lng}
    return body


# the same orders as order_body, built in wrk's Lua (per thread: its own random seed, a rotating customer)
ORDER_LUA = r"""
-- POST /api/v1/orders, generated by bench/place_order.py
local customers = {@CUSTOMERS@}  -- {customer_id, "Bearer <token>"}
local stores = {@STORES@}        -- {location_id, lat, lng}
local skus = {@SKUS@}
local hot = @HOT@                -- true: always these 3 SKUs at this one store
local radius_m = @RADIUS@
local nonce = "@NONCE@"
local n, ci = 0, 0
local headers = {["Content-Type"] = "application/json"}
local addr = '"address":{"line":"@ADDRESS@","lat":%.6f,"lng":%.6f}'

function init(args)
  local id = tid or 1
  math.randomseed(id * 7919 + os.time())
  ci = ((id - 1) * 251) % #customers
end

local function three()
  if hot then return skus[1], skus[2], skus[3] end
  local a = math.random(#skus)
  local b = math.random(#skus)
  while b == a do b = math.random(#skus) end
  local c = math.random(#skus)
  while c == a or c == b do c = math.random(#skus) end
  return skus[a], skus[b], skus[c]
end

function request()
  n = n + 1
  ci = ci % #customers + 1
  local cu = customers[ci]
  local st = stores[math.random(#stores)]
  local a, b, c = three()
  local lines = string.format('[{"sku_id":%d,"quantity":%d},{"sku_id":%d,"quantity":%d},{"sku_id":%d,"quantity":%d}]',
    a, math.random(3), b, math.random(3), c, math.random(3))
  local where
  if math.random(2) == 1 then
    where = string.format('"mode":"pickup","location_id":%d', st[1])
  else
    local d, t = radius_m * math.sqrt(math.random()), 2 * math.pi * math.random()
    local lat = st[2] + d * math.cos(t) / 111320
    local lng = st[3] + d * math.sin(t) / (111320 * math.cos(math.rad(st[2])))
    where = '"mode":"auto",' .. string.format(addr, lat, lng)
  end
  local body = string.format('{"customer_id":%d,"channel":"h5",%s,"lines":%s}', cu[1], where, lines)
  headers["Authorization"] = cu[2]
  headers["Idempotency-Key"] = nonce .. "-" .. (tid or 1) .. "-" .. n
  return wrk.format("POST", "/api/v1/orders", headers, body)
end
"""


def order_lua(chain: dict, hot: dict | None) -> str:
    customers = ", ".join(f"{{{cid}, {wrk.lua_str('Bearer ' + tok)}}}"
                          for cid, tok in zip(chain["customers"], chain["tokens"], strict=True))
    stores = [hot["store"]] if hot else chain["stores"]
    subs = {"CUSTOMERS": customers,
            "STORES": ", ".join(f"{{{sid}, {lat!r}, {lng!r}}}" for sid, (lat, lng) in stores),
            "SKUS": ", ".join(str(s) for s in (hot["skus"] if hot else chain["skus"])),
            "HOT": "true" if hot else "false", "RADIUS": "50" if hot else "1500",
            "NONCE": uuid.uuid4().hex[:12], "ADDRESS": ADDRESS}
    return re.sub(r"@([A-Z]+)@", lambda m: subs[m.group(1)], ORDER_LUA)


# -- runs ---------------------------------------------------------------------------------------
def _with_cpu(t: Target, fn: Any) -> dict[str, Any]:
    s0, p0 = tree_cpu(t.proc.pid), tree_cpu(t.pg_root) if t.pg_root else {}
    load = round(os.getloadavg()[0], 2)
    res = fn()
    res["loadavg_1m_before"] = load  # the machine is shared: a busy neighbour shows here
    secs = res["seconds"] or 1.0
    server = cpu_used(s0, t.proc.pid)
    res["cpu_cores_busy"] = {"load_generator": res.get("wrk_cpu_cores"),
                             "server": round(sum(server.values()) / secs, 2),
                             "server_per_process": {p: round(v / secs, 2) for p, v in server.items() if v > 0.005},
                             "postgresql": round(sum(cpu_used(p0, t.pg_root).values()) / secs, 2) if t.pg_root
                             else None}
    return res


def orders_run(t: Target, label: str, connections: int, seconds: float, hot: bool = False) -> dict[str, Any]:
    res = _with_cpu(t, lambda: wrk.run(t.url + "/", connections=connections, threads=THREADS,
                                       seconds=max(1, round(seconds)), script_dir=t.tmp / "lua", label=label,
                                       timeout_s=TIMEOUT_S, request_lua=order_lua(t.chain, t.hot if hot else None)))
    res["scenario"] = "hot" if hot else "spread"
    t.runs.append(res)
    _print_run(res)
    return res


def healthz_run(t: Target, label: str, connections: int, seconds: float) -> dict[str, Any]:
    res = _with_cpu(t, lambda: wrk.run(t.url + "/healthz", connections=connections, threads=THREADS,
                                       seconds=max(1, round(seconds)), script_dir=t.tmp / "lua", label=label,
                                       timeout_s=TIMEOUT_S))
    res["scenario"] = "healthz"
    _print_run(res)
    return res


def _print_run(r: dict[str, Any]) -> None:
    st, lat = r["status"], r["latency_ms"]
    errs = {k: v for k, v in r["socket_errors"].items() if v}
    console.print(f"  {r['label']:<22} c={r['connections']:>3} {r['requests_per_s']:>8.1f} req/s "
                  f"{r['ok_per_s']:>8.1f} 2xx/s p50={lat['p50']:.1f} p99={lat['p99']:.1f} max={lat['max']:.0f} ms "
                  f"{ {k: v for k, v in st.items() if v} } {errs or ''} cpu wrk/server/pg="
                  f"{r['cpu_cores_busy']['load_generator']}/{r['cpu_cores_busy']['server']}/"
                  f"{r['cpu_cores_busy']['postgresql'] or '-'}")


# -- one-shot: N orders at the same instant on pre-opened connections ---------------------------
async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
    if "content-length" in hdrs:
        return status, await reader.readexactly(int(hdrs["content-length"]))
    body = b""
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        while (size := int((await reader.readline()).strip() or b"0", 16)) > 0:
            body += await reader.readexactly(size)
            await reader.readline()
        await reader.readline()
    return status, body


async def _one_shot(port: int, payloads: list[bytes]) -> list[tuple[str, float | None, str]]:
    host = f"127.0.0.1:{port}".encode()

    async def open_one() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")  # accepted and answered: open
        await asyncio.wait_for(_read_response(reader), TIMEOUT_S)
        return reader, writer

    conns = await asyncio.gather(*(open_one() for _ in payloads), return_exceptions=True)
    go = asyncio.Event()

    async def fire(conn: Any, payload: bytes) -> tuple[str, float | None, str]:
        if isinstance(conn, BaseException):
            return "conn_error", None, f"opening: {conn!r}"[:300]
        reader, writer = conn
        await go.wait()
        t0 = time.perf_counter()
        try:
            writer.write(payload)
            status, body = await asyncio.wait_for(_read_response(reader), TIMEOUT_S)
            key = "2xx" if 200 <= status < 300 else "503" if status == 503 else f"{status // 100}xx"
            return key, time.perf_counter() - t0, f"{status} {body[:300].decode(errors='replace')}"
        except TimeoutError:
            return "timeout", None, "no response"
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            return "conn_error", None, repr(exc)[:300]
        finally:
            writer.close()

    tasks = [asyncio.create_task(fire(c, p)) for c, p in zip(conns, payloads, strict=True)]
    await asyncio.sleep(0.05)  # every task is waiting on `go`
    go.set()
    return list(await asyncio.gather(*tasks))


def one_shot_run(t: Target, label: str, n: int, hot: bool) -> dict[str, Any]:
    rng = random.Random(n * 31 + hot)
    payloads = []
    for i in range(n):
        k = i % len(t.chain["customers"])
        body = json.dumps(order_body(rng, t.chain, t.chain["customers"][k], t.hot if hot else None),
                          ensure_ascii=False).encode()
        payloads.append(b"POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                        b"Authorization: Bearer %s\r\nIdempotency-Key: %s\r\nContent-Length: %d\r\n\r\n%s"
                        % (t.port, t.chain["tokens"][k].encode(), uuid.uuid4().hex.encode(), len(body), body))
    s0, p0 = tree_cpu(t.proc.pid), tree_cpu(t.pg_root) if t.pg_root else {}
    t0 = time.perf_counter()
    out = asyncio.run(_one_shot(t.port, payloads))
    wall = time.perf_counter() - t0
    status = {k: sum(1 for key, _, _ in out if key == k) for k in ("2xx", "4xx", "503", "5xx", "conn_error", "timeout")}
    samples: dict[str, str] = {}
    for key, _, s in out:
        if key != "2xx":
            samples.setdefault(key, s)
    lat_all = [x for _, x, _ in out if x is not None]
    lat_ok = [x for key, x, _ in out if key == "2xx"]
    res = {"label": label, "scenario": f"one-shot {'hot' if hot else 'spread'}", "connections": n, "requests": n,
           "status": status, "pct_503": round(100 * status["503"] / n, 1), "latency_all": ms_summary(lat_all),
           "latency_2xx": ms_summary(lat_ok), "wall_s": round(wall, 2), "samples": samples,
           "cpu_s": {"server": round(sum(cpu_used(s0, t.proc.pid).values()), 2),
                     "postgresql": round(sum(cpu_used(p0, t.pg_root).values()), 2) if t.pg_root else None}}
    console.print(f"  {label:<22} n={n} {status} p50={res['latency_all'].get('p50_ms')} "
                  f"p99={res['latency_all'].get('p99_ms')} max={res['latency_all'].get('max_ms')} ms")
    return res


# -- one engine ---------------------------------------------------------------------------------
def _db_checks(db: Any, hot: dict) -> dict[str, Any]:
    a, b, c = hot["skus"]
    with db.read() as s:
        orders = s.scalar(text("SELECT count(*) FROM sales_order"))
        hot_by_loc = dict(s.execute(text(
            "SELECT o.fulfil_location_id, count(*) FROM sales_order o WHERE 3 = (SELECT count(*) FROM order_line l "
            "WHERE l.order_id = o.id AND l.sku_id IN (:a, :b, :c)) GROUP BY o.fulfil_location_id"),
            {"a": a, "b": b, "c": c}).all())
        modes = {f"{w}->{m}": n for w, m, n in s.execute(text(
            "SELECT wanted_mode, mode, count(*) FROM sales_order GROUP BY wanted_mode, mode ORDER BY 1, 2")).all()}
        lines = s.scalar(text("SELECT count(*) FROM order_line"))
        hot_left = s.scalar(text("SELECT min(on_hand - reserved - safety_stock) FROM stock WHERE location_id = :l "
                                 "AND sku_id IN (:a, :b, :c)"), {"l": hot["store"][0], "a": a, "b": b, "c": c})
    report = inventory.check(db)
    return {"orders_in_db": orders, "lines_per_order": round(lines / orders, 3) if orders else None,
            "orders_by_wanted_mode_to_mode": modes, "orders_with_the_3_hot_skus_by_fulfil_location": hot_by_loc,
            "hot_rows_min_available_after": hot_left, "stock_check_ok": report.ok,
            "stock_check": report.model_dump() if not report.ok else None}


def run_engine(kind: str, *, quick: bool, connections: int, flash: int, seconds: float, pairs: int, workers: int,
               tmp: Path, pg: Any = None) -> dict[str, Any]:
    db = fresh_database(kind, "bench_orders", pg=pg, tmp=tmp, pool_size=5)
    t0 = time.perf_counter()
    chain = service_chain(db)
    store_id, point = chain["stores"][0]
    hot = {"store": (store_id, point), "skus": chain["skus"][:3], "extra_on_hand": HOT_EXTRA}
    deepen(db, [s for s, _ in chain["stores"]] + chain["warehouse"], hot["skus"], HOT_EXTRA)
    setup_s = time.perf_counter() - t0
    console.print(f"[bold]{kind}[/]: chain seeded through the services in {setup_s:.1f}s "
                  f"({len(chain['tokens'])} customers signed in; hot: SKUs {hot['skus']} at store {store_id})")
    warm_s, hz_s, flash_s = (2, 3, 5) if quick else (5, 5, 10)
    log = tmp / f"serve-{kind}-w{workers}.log"
    proc, port = start_server(db.url, workers, log)
    pg_root = pg._proc.pid if pg is not None and pg._proc else None
    t = Target(proc, port, chain, hot, tmp / kind, pg_root)
    try:
        floor = healthz_run(t, f"{kind}-healthz-c{connections}", connections, hz_s)
        warm = orders_run(t, f"{kind}-warmup", connections, warm_s)
        segments = []
        for i in range(pairs):
            segments.append(orders_run(t, f"{kind}-spread-{i + 1}", connections, seconds))
            segments.append(orders_run(t, f"{kind}-hot-{i + 1}", connections, seconds, hot=True))
        floor_flash = healthz_run(t, f"{kind}-healthz-c{flash}", flash, hz_s)
        time.sleep(2)  # idle, then the crowd arrives
        flash_run = orders_run(t, f"{kind}-flash-c{flash}", flash, flash_s)
        time.sleep(2)
        shots = [one_shot_run(t, f"{kind}-one-shot-spread", flash, hot=False)]
        time.sleep(1)
        shots.append(one_shot_run(t, f"{kind}-one-shot-hot", flash, hot=True))
        rss = tree_peak_rss(proc.pid)
        alive = proc.poll() is None
    finally:
        stop_server(proc)
    spread = wrk.merge([s for s in segments if s["scenario"] == "spread"])
    hot_m = wrk.merge([s for s in segments if s["scenario"] == "hot"])
    seen = sum(r["status"]["2xx"] for r in t.runs) + sum(s["status"]["2xx"] for s in shots)
    checks = _db_checks(db, hot)
    db.dispose()
    checks.update({"orders_2xx_seen_by_clients": seen, "orders_in_db_minus_2xx_seen": checks["orders_in_db"] - seen,
                   "expected_difference_at_most": sum(r["connections"] for r in t.runs),
                   "why": "wrk stops at its deadline without counting the responses still in flight (<= one per "
                          "connection per run); those orders exist in the database"})
    console.print(f"  database: {checks['orders_in_db']} orders ({checks['lines_per_order']} lines each; "
                  f"{checks['orders_by_wanted_mode_to_mode']}), clients saw {seen} 2xx; hot orders by location "
                  f"{checks['orders_with_the_3_hot_skus_by_fulfil_location']}; stock check "
                  f"{'ok' if checks['stock_check_ok'] else 'FAILED'}")
    return {"engine": kind, "workers": workers, "setup_s": round(setup_s, 1), "hot": hot,
            "healthz": {str(connections): wrk.round_ms(floor), str(flash): wrk.round_ms(floor_flash)},
            "warmup": wrk.round_ms(warm),
            "spread": wrk.round_ms(spread), "hot_run": wrk.round_ms(hot_m),
            "hot_vs_spread": {"orders_per_s_ratio": _ratio(hot_m["ok_per_s"], spread["ok_per_s"]),
                              "p99_ratio": _ratio(hot_m["latency_ms"]["p99"], spread["latency_ms"]["p99"])},
            "segments": [wrk.round_ms(s) for s in segments], "flash": _flash(wrk.round_ms(flash_run)),
            "one_shot": shots, "server_peak_rss": rss, "server_alive_at_end": alive,
            "server_log_errors": server_errors(log), "server_log_warnings": server_warnings(log),
            "database": checks}


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _flash(r: dict[str, Any]) -> dict[str, Any]:
    r["pct_503"] = round(100 * r["status"]["503"] / r["requests"], 1) if r["requests"] else None
    return r


# -- the report ---------------------------------------------------------------------------------
def _sock(r: dict[str, Any]) -> int:
    return sum(r["socket_errors"].values())


def _rows(e: dict[str, Any], connections: int, flash: int) -> list[list[Any]]:
    hz16 = e["healthz"][str(connections)]["requests_per_s"]
    hz_flash = e["healthz"][str(flash)]["requests_per_s"]
    rows = []
    for name, r, hz in (("spread", e["spread"], hz16), ("hot", e["hot_run"], hz16),
                        ("flash crowd", e["flash"], hz_flash)):
        st = r["status"]
        rows.append([e["engine"], name, e["workers"], r.get("connections", connections),
                     r["ok_per_s"], r["latency_ms"]["p50"], r["latency_ms"]["p99"], st["2xx"], st["4xx"], st["503"],
                     st["5xx"], _sock(r), hz])
    for s in e["one_shot"]:
        st = s["status"]
        rows.append([e["engine"], s["scenario"], e["workers"], s["connections"], "-",
                     s["latency_all"].get("p50_ms"), s["latency_all"].get("p99_ms"), st["2xx"], st["4xx"], st["503"],
                     st["5xx"], st["conn_error"] + st["timeout"], hz_flash])
    return rows


def _goal_rows(e: dict[str, Any]) -> list[list[Any]]:
    kind, sp, hv, fl = e["engine"], e["spread"], e["hot_vs_spread"], e["flash"]
    conn_err = sum(v for k, v in fl["socket_errors"].items() if k != "timeout")
    one = e["one_shot"][0]
    rows = [[kind, "hot/spread orders/s", hv["orders_per_s_ratio"], f">= {GOALS['hot_spread_ratio_min']}",
             _met(hv["orders_per_s_ratio"], GOALS["hot_spread_ratio_min"], ge=True)],
            [kind, "hot p99 / spread p99", hv["p99_ratio"], f"<= {GOALS['hot_p99_over_spread_p99_max']}",
             _met(hv["p99_ratio"], GOALS["hot_p99_over_spread_p99_max"])],
            [kind, "flash % 503", fl["pct_503"], f"<= {GOALS['flash_503_pct_max']}",
             _met(fl["pct_503"], GOALS["flash_503_pct_max"])],
            [kind, "flash p99 ms", fl["latency_ms"]["p99"], f"< {GOALS['flash_p99_ms_max']:.0f}",
             _met(fl["latency_ms"]["p99"], GOALS["flash_p99_ms_max"])],
            [kind, "flash conn errors (+timeouts)", f"{conn_err} (+{fl['socket_errors']['timeout']})", "0",
             _met(conn_err + fl["socket_errors"]["timeout"], 0)],
            [kind, "one-shot % 503 / p99 ms", f"{one['pct_503']} / {one['latency_all'].get('p99_ms')}",
             f"<= {GOALS['flash_503_pct_max']} / < {GOALS['flash_p99_ms_max']:.0f}",
             _met(one["pct_503"], GOALS["flash_503_pct_max"]) if one["status"]["conn_error"] + one["status"]["timeout"]
             == 0 and (one["latency_all"].get("p99_ms") or 1e9) < GOALS["flash_p99_ms_max"] else "no"]]
    if kind == "sqlite":
        rows.append([kind, "spread p99 ms", sp["latency_ms"]["p99"], f"<= {GOALS['sqlite_p99_ms_max']:.0f}",
                     _met(sp["latency_ms"]["p99"], GOALS["sqlite_p99_ms_max"])])
    else:
        rows.append([kind, "spread orders/s", sp["ok_per_s"], f">= {GOALS['postgresql_orders_per_s_min']:.0f}",
                     _met(sp["ok_per_s"], GOALS["postgresql_orders_per_s_min"], ge=True)])
        rows.append([kind, "spread p99 ms", sp["latency_ms"]["p99"], f"<= {GOALS['postgresql_p99_ms_max']:.0f}",
                     _met(sp["latency_ms"]["p99"], GOALS["postgresql_p99_ms_max"])])
    return rows


def _met(v: float | None, goal: float, ge: bool = False) -> str:
    if v is None:
        return "-"
    return "yes" if (v >= goal if ge else v <= goal) else "no"


def main(quick: bool = False, clients: int = 16, burst_clients: int = 200, seconds: float | None = None,
         workers: int = 2, pairs: int | None = None, tmp: Path | None = None, out: Path | None = None) -> dict[str, Any]:
    """Both engines; the JSON goes to bench/results/place_order.json, or to `out`."""
    t0 = time.perf_counter()
    code = {"src": str(SRC), "o2o_file": O2O_FILE, "server_o2o_file": o2o_file(server_env("sqlite://"))}
    console.print(f"[bold]o2o under test[/]: {code['o2o_file']} (server: {code['server_o2o_file']})")
    if not code["server_o2o_file"].startswith(str(SRC)):
        raise RuntimeError(f"o2o serve would import {code['server_o2o_file']}, not the code under test ({SRC})")
    seconds = seconds or (3.0 if quick else 10.0)
    pairs = pairs or (2 if quick else 3)
    tmp = tmp or scratch_dir("bench-orders-")
    kw = {"quick": quick, "connections": clients, "flash": burst_clients, "seconds": seconds, "pairs": pairs,
          "workers": workers, "tmp": tmp}
    engines = [run_engine("sqlite", **kw)]
    with pg_server() as pg:
        settings = pg_settings_used(pg)
        engines.append(run_engine("postgresql", pg=pg, **kw))
        pg.create_database("pgbench")
        pgb_s = 5 if quick else 10
        tps = pg.pgbench_tps("pgbench", clients=clients, seconds=pgb_s)
        console.print(f"  pgbench -N -c {clients} -T {pgb_s}: {tps:,.0f} tps")
    rows = [row for e in engines for row in _rows(e, clients, burst_clients)]
    rows.append(["postgresql", "pgbench -N (ceiling)", "-", clients, tps, "-", "-", "", "", "", "", "", ""])
    print_table(f"place_order over HTTP, load from wrk -t{THREADS} ({seconds:.0f} s segments x {pairs} "
                "spread + hot; p50/p99 of all responses)",
                ["engine", "scenario", "workers", "conns", "orders/s", "p50 ms", "p99 ms", "2xx", "4xx", "503",
                 "5xx", "sock err", "healthz req/s"], rows)
    print_table("against the team's goals (measured, not asserted)", ["engine", "figure", "measured", "goal", "met"],
                [row for e in engines for row in _goal_rows(e)])
    params = {"quick": quick, "connections": clients, "flash_connections": burst_clients, "workers": workers,
              "wrk_threads": THREADS, "wrk_timeout_s": TIMEOUT_S, "segment_seconds": seconds,
              "spread_hot_pairs": pairs, "segment_order": "warm-up (spread), then spread, hot, spread, hot, ...",
              "chain": {"stores": 40, "warehouses": 1, "skus": 200, "customers": 500, "on_hand_per_row": 100_000,
                        "hot_rows_extra_on_hand": HOT_EXTRA},
              "lines_per_order": 3, "quantity": "1-3 per line", "modes": MODES,
              "idempotency_key": "a fresh key per request",
              "auth": "each request carries a signed-in customer's bearer token (minted at set-up); wrk threads "
                      "rotate over the 500 customers",
              "wrk_commands": {e["engine"]: {r["label"]: r["command"] for r in
                                             [*e["healthz"].values(), e["warmup"], *e["segments"], e["flash"]]}
                               for e in engines},
              "postgresql_settings": settings, "pgbench": {"clients": clients, "seconds": pgb_s, "scale": 10},
              "goals": GOALS, "code": code}
    notes = [
        "load generator: Debian's wrk (bench/wrk.py); its CPU is cpu_cores_busy.load_generator per run. wrk, the "
        "server and PostgreSQL share the machine's cores.",
        "latency is wrk's: from writing a request to its full response, for every response whatever its status "
        "(non-2xx counts are reported beside); connect time is not in it. orders/s counts 2xx only.",
        "spread/hot figures merge their segments: counts summed, percentiles from the segments' quantile grids "
        "weighted by request count (bench.wrk.merge).",
        "spread = 3 distinct random SKUs of 200 at a random store of 40 (pickup there, or auto with an address "
        "within 1.5 km); hot = the same 3 SKUs at one store (pickup, or auto with an address within 50 m, see "
        "database.orders_with_the_3_hot_skus_by_fulfil_location for where auto routed them). The hot rows get "
        f"+{HOT_EXTRA:,} on_hand (with receipts) so they cannot sell out.",
        "healthz: GET /healthz (no database, exempt from the back-pressure guard) with the same connections and "
        "threads on the same server: the app's own floor.",
        "flash crowd: wrk opens all its connections at once at start, after 2 s of idle; a 503 + Retry-After is "
        "back-pressure (wrk does not back off).",
        "one-shot: every connection is opened and answered a GET /healthz first, then all send one order at once "
        "(raw asyncio sockets); latency from each send to its full response.",
        f"socket errors are wrk's: connect/read/write, and timeout (no response within {TIMEOUT_S} s; wrk counts a "
        "stuck connection once per 2 s check, so it is not a request count).",
        "database.orders_in_db vs orders_2xx_seen_by_clients checks the counting: the database holds every 2xx "
        "plus the orders in flight when each wrk run stopped.",
        "o2o serve --workers 2 runs uvicorn with access log off; serve-*.log errors are in server_log_errors.",
    ]
    elapsed = time.perf_counter() - t0
    path = write_result("place_order", params, {"engines": engines, "pgbench_tps": tps}, notes, elapsed, path=out)
    return {"elapsed_s": elapsed, "path": path}
