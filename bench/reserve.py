"""reserve: reservations/s with 0 oversold, ours (one conditional UPDATE) against a naive read-then-write.

Ours   = o2o.inventory.service.reserve(session, ref, [Hold], now, expires) + commit, one transaction per
         reservation, in a session from db.write_sessions(); ReservationFailed is a clean refusal (rollback).
Naive  = SELECT the row (FOR UPDATE on PostgreSQL; plain SELECT inside BEGIN IMMEDIATE on SQLite, which has
         no FOR UPDATE), compute in Python, UPDATE reserved = :computed, insert the same reservation row.
Each cell runs a fixed number of attempts (sized from a short pilot so a cell takes a few seconds) on
1, 8 or 32 threads; afterwards: nothing oversold, live reservations == reserved, inventory.check() ok.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.common import (
    analyze,
    console,
    fresh_database,
    ms_summary,
    pg_server,
    pg_settings_used,
    print_table,
    scratch_dir,
    warm_pool,
    write_result,
)
from bench.seed import bulk_catalog, bulk_locations, bulk_stock, receipts
from o2o.inventory import repository as inv_repo
from o2o.inventory import service as inventory
from o2o.inventory.exceptions import ReservationFailed
from o2o.inventory.models import LIVE
from o2o.inventory.schemas import Hold
from o2o.kernel.db import Database

THREADS = (1, 8, 32)
N_LOCATIONS, N_SKUS = 4, 1000  # spread: 4,000 stock rows over 1,000 SKUs
SPREAD_ON_HAND = 1_000_000
HOT_SAFETY = 5
HOT_SELLABLE_SHARE = 0.8  # hot SKU: sellable units = 80% of the attempts, so ~20% are refused
OK, REFUSED = "ok", "refused"

_NAIVE_SELECT = {
    "postgresql": text("SELECT on_hand, reserved, safety_stock FROM stock "
                       "WHERE location_id = :l AND sku_id = :s FOR UPDATE"),
    "sqlite": text("SELECT on_hand, reserved, safety_stock FROM stock WHERE location_id = :l AND sku_id = :s"),
}
_NAIVE_UPDATE = text("UPDATE stock SET reserved = :r WHERE location_id = :l AND sku_id = :s")


def ours(db: Database, ref: str, loc: int, sku: int) -> str:
    now = datetime.now(UTC)
    with db.write_sessions() as s:
        try:
            inventory.reserve(s, ref, [Hold(loc, sku, 1)], now, now + timedelta(minutes=30))
            s.commit()
            return OK
        except ReservationFailed:
            s.rollback()
            return REFUSED


def naive(db: Database, ref: str, loc: int, sku: int) -> str:
    now = datetime.now(UTC)
    with db.write_sessions() as s:
        on_hand, reserved, safety = s.execute(_NAIVE_SELECT[db.dialect], {"l": loc, "s": sku}).one()
        if on_hand - reserved - safety < 1:
            s.rollback()
            return REFUSED
        s.execute(_NAIVE_UPDATE, {"r": reserved + 1, "l": loc, "s": sku})
        inv_repo.add_reservations(s, [{"ref": ref, "location_id": loc, "sku_id": sku, "quantity": 1, "status": LIVE,
                                       "created_at": now, "expires_at": now + timedelta(minutes=30)}])
        s.commit()
        return OK


IMPLS = {"ours": ours, "naive": naive}


def setup(db: Database) -> dict[str, Any]:
    rng = random.Random(11)
    skus = bulk_catalog(db, N_SKUS, tag="R")
    locs = bulk_locations(db, [(31.2 + rng.random() / 10, 121.45 + rng.random() / 10) for _ in range(N_LOCATIONS)])
    bulk_stock(db, ((loc, sku, SPREAD_ON_HAND, 0) for loc in locs for sku in skus))
    receipts(db, [(loc, sku, SPREAD_ON_HAND) for loc in locs for sku in skus])
    analyze(db)
    return {"rows": [(loc, sku) for loc in locs for sku in skus], "hot": (locs[0], skus[0])}


def reset(db: Database, hot: tuple[int, int], sellable: int) -> None:
    """Forget every reservation; the hot row gets exactly `sellable` units above its safety stock."""
    loc, sku = hot
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM reservation"))
        conn.execute(text("UPDATE stock SET reserved = 0 WHERE reserved <> 0"))
        conn.execute(text("UPDATE stock SET on_hand = :q, safety_stock = :ss WHERE location_id = :l AND sku_id = :s"),
                     {"q": sellable + HOT_SAFETY, "ss": HOT_SAFETY, "l": loc, "s": sku})
        conn.execute(text("DELETE FROM stock_movement WHERE location_id = :l AND sku_id = :s"), {"l": loc, "s": sku})
    receipts(db, [(loc, sku, sellable + HOT_SAFETY)])
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE stock, reservation, stock_movement")


def verify(db: Database) -> dict[str, Any]:
    with db.read() as s:
        oversold = s.scalar(text("SELECT count(*) FROM stock WHERE reserved > on_hand - safety_stock"))
        live = s.scalar(text("SELECT count(*) FROM reservation WHERE status = 'live'"))
        res_sum = s.scalar(text("SELECT coalesce(sum(quantity), 0) FROM reservation WHERE status = 'live'"))
        reserved = s.scalar(text("SELECT coalesce(sum(reserved), 0) FROM stock"))
    report = inventory.check(db)
    return {"oversold_rows": int(oversold), "live_reservations": int(live),
            "live_sum_equals_reserved": int(res_sum) == int(reserved), "check_ok": report.ok}


def run_cell(db: Database, impl: str, scenario: str, threads: int, attempts: int, setup_info: dict,
             max_s: float, tag: str) -> dict[str, Any]:
    hot = setup_info["hot"]
    sellable = int(attempts * HOT_SELLABLE_SHARE) if scenario == "hot" else SPREAD_ON_HAND
    reset(db, hot, sellable)
    fn, rows = IMPLS[impl], setup_info["rows"]
    counter = itertools.count()
    barrier = threading.Barrier(threads + 1)
    outcomes: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = [float("inf")]

    def worker(tid: int) -> None:
        rng, mine, lat, errs = random.Random(tid), Counter(), [], Counter()
        barrier.wait()
        while (i := next(counter)) < attempts and time.perf_counter() < stop_at[0]:
            loc, sku = hot if scenario == "hot" else rng.choice(rows)
            t0 = time.perf_counter()
            try:
                mine[fn(db, f"{tag}-{i}", loc, sku)] += 1
            except Exception as exc:  # counted, never hidden
                mine["error"] += 1
                errs[f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"] += 1
            lat.append(time.perf_counter() - t0)
        with lock:
            outcomes.update(mine)
            errors.update(errs)
            latencies.extend(lat)

    pool = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(threads)]
    for t in pool:
        t.start()
    t0 = time.perf_counter()
    stop_at[0] = t0 + max_s
    barrier.wait()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    done = sum(outcomes.values())
    out = {"impl": impl, "scenario": scenario, "threads": threads, "attempts_planned": attempts, "attempts": done,
           "truncated": done < attempts, "ok": outcomes[OK], "refused": outcomes[REFUSED], "errors": outcomes["error"],
           "error_samples": dict(errors.most_common(5)), "elapsed_s": round(elapsed, 3),
           "reservations_per_s": round(outcomes[OK] / elapsed, 1), "attempts_per_s": round(done / elapsed, 1),
           "latency": ms_summary(latencies), "hot_sellable_units": sellable if scenario == "hot" else None}
    out["verify"] = verify(db)
    out["verify"]["live_equals_successes"] = out["verify"]["live_reservations"] == outcomes[OK]
    if scenario == "hot":
        out["verify"]["sold_exactly_sellable"] = outcomes[OK] == min(sellable, done)
    return out


def run_engine(kind: str, quick: bool, tmp: Path, pg: Any = None) -> dict[str, Any]:
    db = fresh_database(kind, "bench_reserve", pg=pg, tmp=tmp, pool_size=max(THREADS) + 2)
    t0 = time.perf_counter()
    info = setup(db)
    setup_s = time.perf_counter() - t0
    warm_pool(db, max(THREADS))
    cell_s = 1.0 if quick else 3.0
    pilot = run_cell(db, "ours", "spread", 8, 10**9, info, 0.5 if quick else 1.0, "pilot")
    attempts = max(200, min(60_000, int(pilot["attempts_per_s"] * cell_s)))
    console.print(f"[bold]{kind}[/]: set-up {setup_s:.1f}s; pilot {pilot['attempts_per_s']:.0f} attempts/s "
                  f"-> {attempts} attempts per cell")
    cells = []
    for scenario in ("hot", "spread"):
        for threads in THREADS:
            for impl in ("ours", "naive"):
                cell = run_cell(db, impl, scenario, threads, attempts, info, cell_s * 6 + 5, f"{impl[0]}{threads}")
                cell["engine"] = kind
                cells.append(cell)
                console.print(f"  {scenario:6} {threads:>2} threads {impl:5}: {cell['reservations_per_s']:>8.0f} res/s "
                              f"ok={cell['ok']} refused={cell['refused']} errors={cell['errors']} "
                              f"oversold_rows={cell['verify']['oversold_rows']} check={cell['verify']['check_ok']}")
    db.dispose()
    return {"engine": kind, "setup_s": round(setup_s, 2), "attempts_per_cell": attempts, "pilot": pilot,
            "cells": cells}


def ratios(cells: list[dict]) -> list[dict[str, Any]]:
    by = {(c["engine"], c["scenario"], c["threads"], c["impl"]): c for c in cells}
    out = []
    for (eng, sc, th, impl), c in by.items():
        if impl == "ours" and (n := by.get((eng, sc, th, "naive"))):
            r = c["attempts_per_s"] / n["attempts_per_s"] if n["attempts_per_s"] else float("nan")
            out.append({"engine": eng, "scenario": sc, "threads": th, "ours_per_s": c["attempts_per_s"],
                        "naive_per_s": n["attempts_per_s"], "ratio_ours_over_naive": round(r, 3)})
    return out


def main(quick: bool = False, tmp: Path | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    tmp = tmp or scratch_dir("bench-reserve-")
    engines = [run_engine("sqlite", quick, tmp)]
    with pg_server() as pg:
        pg_settings = pg_settings_used(pg)
        engines.append(run_engine("postgresql", quick, tmp, pg))
    cells = [c for e in engines for c in e["cells"]]
    rat = ratios(cells)
    rows = []
    for c in cells:
        r = next((x["ratio_ours_over_naive"] for x in rat if (x["engine"], x["scenario"], x["threads"]) ==
                  (c["engine"], c["scenario"], c["threads"]) and c["impl"] == "ours"), "")
        v = c["verify"]
        rows.append([c["engine"], c["scenario"], c["threads"], c["impl"], c["attempts"], c["ok"], c["refused"],
                     c["errors"], c["attempts_per_s"], c["reservations_per_s"], c["latency"].get("p50_ms"),
                     c["latency"].get("p99_ms"), v["oversold_rows"], "ok" if v["check_ok"] and
                     v["live_equals_successes"] and v["live_sum_equals_reserved"] else "FAIL", r])
    print_table("reserve: one transaction per reservation (attempts/s counts refusals too)",
                ["engine", "scenario", "thr", "impl", "attempts", "ok", "refused", "err", "attempts/s", "res/s",
                 "p50 ms", "p99 ms", "oversold", "check", "ours/naive"], rows)
    params = {"quick": quick, "threads": THREADS, "locations": N_LOCATIONS, "skus": N_SKUS,
              "spread_rows": N_LOCATIONS * N_SKUS, "spread_on_hand": SPREAD_ON_HAND, "hot_safety_stock": HOT_SAFETY,
              "hot_sellable_share_of_attempts": HOT_SELLABLE_SHARE, "quantity_per_reservation": 1,
              "postgresql_settings": pg_settings, "sqlite_settings": "WAL, synchronous=NORMAL, busy_timeout 30s"}
    notes = [
        "ours = inventory.service.reserve (one conditional UPDATE ... WHERE on_hand - reserved - safety_stock >= :q, "
        "checked by rowcount) + reservation insert + commit; one transaction per reservation.",
        "naive on PostgreSQL = SELECT ... FOR UPDATE, then UPDATE stock SET reserved = :computed, same reservation "
        "insert, commit.",
        "naive on SQLite = a plain SELECT then UPDATE inside BEGIN IMMEDIATE: SQLite has no SELECT ... FOR UPDATE; "
        "the write lock taken at BEGIN IMMEDIATE serialises writers, so the naive baseline is also correct there.",
        "ratio = ours attempts/s / naive attempts/s in the same run, same attempts, same threads.",
        "all threads run in one Python process (GIL) on a 2-core machine that also runs the database server.",
    ]
    elapsed = time.perf_counter() - t0
    write_result("reserve", params, {"engines": [{k: v for k, v in e.items() if k != "cells"} for e in engines],
                                     "cells": cells, "ratios": rat}, notes, elapsed)
    return {"elapsed_s": elapsed}
