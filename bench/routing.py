"""routing: decision latency of o2o.fulfillment.service.plan(session, RouteRequest, lat, lng, 5000).

Stores spread uniformly over the Shanghai urban area (lat 30.95-31.40, lng 121.20-121.70), each carrying a
1,500-SKU assortment (500 core SKUs every store has + 1,000 from the long tail), one warehouse with every
SKU. The chain grows 40 -> 500 -> 2,000 stores in one database (the first 40 stores of the 2,000 are a
uniform sample too), stock bulk-loaded (COPY on PostgreSQL, executemany on SQLite), then ANALYZE.
Requests: random customer points in the area, 1-5 lines (85% core SKUs), modes auto/pickup/store_delivery
(pickup at the store nearest to the customer). Each decision is one read session; timed single-threaded.
First, bench/sourcing.py: the sourcing engine (issue 13) at 2,000 stores x 50,000 SKUs, 10-line orders,
max_split 3, in one process (alone: `python -m bench.sourcing [--quick]`).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import (
    analyze,
    console,
    fresh_database,
    ms_summary,
    pg_server,
    pg_settings_used,
    print_table,
    random_point,
    scratch_dir,
    self_maxrss_mb,
    write_result,
)
from bench.seed import JIADING_WH, area_points, bulk_catalog, bulk_locations, bulk_stock
from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.routing import RouteRequest
from o2o.kernel.db import Database
from o2o.locations import service as locations

SCALES = (40, 500, 2000)
ASSORTMENT, CORE = 1_500, 500
CORE_SHARE = 0.85
MAX_RADIUS_M = 5_000
MODES = ("auto", "pickup", "store_delivery")


def _store_rows(rng: random.Random, loc: int, skus: list[int]):  # type: ignore[no-untyped-def]
    tail = rng.sample(range(CORE, len(skus)), ASSORTMENT - CORE)
    for i in sorted([*range(CORE), *tail]):
        yield loc, skus[i], 0 if rng.random() < 0.15 else rng.randint(1, 40), 1 if rng.random() < 0.2 else 0


def requests(rng: random.Random, n: int, skus: list[int], pts: np.ndarray, ids: list[int]) -> list[tuple]:
    out = []
    for _ in range(n):
        lat, lng = random_point(rng)
        lines: dict[int, int] = {}
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(CORE) if rng.random() < CORE_SHARE else rng.randrange(CORE, len(skus))
            lines[skus[i]] = rng.randint(1, 3)
        mode = rng.choice(MODES)
        if mode == "pickup":  # the customer picks up at the store nearest to them
            k = int(np.argmin((pts[:, 0] - lat) ** 2 + ((pts[:, 1] - lng) * 0.856) ** 2))
            out.append((RouteRequest(mode, lines, ids[k], False), float(pts[k, 0]), float(pts[k, 1])))
        else:
            out.append((RouteRequest(mode, lines, None, True), lat, lng))
    return out


def measure(db: Database, reqs: list[tuple], warm: int) -> dict[str, Any]:
    plan_s, session_s, cand_s, n_cands = [], [], [], []
    outcome: Counter[str] = Counter()
    for i, (req, lat, lng) in enumerate(reqs):
        t0 = time.perf_counter()
        with db.read() as s:
            t1 = time.perf_counter()
            decision, _stock, loc_ids = fulfillment.plan(s, req, lat, lng, MAX_RADIUS_M)
            t2 = time.perf_counter()
        t3 = time.perf_counter()
        if i >= warm:
            plan_s.append(t2 - t1)
            session_s.append(t3 - t0)
            n_cands.append(len(loc_ids))
            outcome[decision.mode if decision else "none"] += 1
    for req, lat, lng in reqs[warm:]:  # the candidate search alone (H3 cells -> locations), for the split
        with db.read() as s:
            t0 = time.perf_counter()
            locations.candidates(s, lat, lng, MAX_RADIUS_M, [req.chosen_location_id] if req.chosen_location_id else [])
            cand_s.append(time.perf_counter() - t0)
    return {"plan": ms_summary(plan_s), "with_session": ms_summary(session_s), "candidates_only": ms_summary(cand_s),
            "decisions_per_s_single_thread": round(len(session_s) / sum(session_s), 1),
            "candidates_per_request": {"mean": round(float(np.mean(n_cands)), 1), "max": int(max(n_cands))},
            "outcomes": dict(outcome)}


def run_engine(kind: str, n_skus: int, scales: tuple[int, ...], n_req: int, tmp: Path, pg: Any = None,
               label: str = "") -> list[dict[str, Any]]:
    rng = random.Random(2024)
    db = fresh_database(kind, f"bench_routing{label}", pg=pg, tmp=tmp, pool_size=2)
    t0 = time.perf_counter()
    skus = bulk_catalog(db, n_skus, per_product=10, tag="G")
    wh = bulk_locations(db, [JIADING_WH], kind="warehouse", prefix="WH", can_pickup=False, can_store_delivery=False,
                        can_parcel=True)[0]
    rows = bulk_stock(db, ((wh, s, rng.randint(50, 500), 0) for s in skus))
    base_s = time.perf_counter() - t0
    points = area_points(random.Random(7), max(scales))
    ids: list[int] = []
    out = []
    for scale in scales:
        t0 = time.perf_counter()
        new = bulk_locations(db, points[len(ids):scale], start=len(ids))
        rows += bulk_stock(db, (r for loc in new for r in _store_rows(rng, loc, skus)))
        ids += new
        analyze(db)
        setup_s = time.perf_counter() - t0 + base_s
        base_s = 0.0
        pts = np.array(points[:scale])
        warm = min(50, n_req // 5)
        reqs = requests(random.Random(scale), n_req + warm, skus, pts, ids)
        t0 = time.perf_counter()
        m = measure(db, reqs, warm)
        m.update({"engine": kind, "stores": scale, "skus": n_skus, "stock_rows": rows, "setup_s": round(setup_s, 1),
                  "measure_s": round(time.perf_counter() - t0, 1), "bench_peak_rss_mb": self_maxrss_mb()})
        console.print(f"  {kind:10} {scale:>5} stores x {n_skus} SKUs ({rows:,} stock rows, set-up {setup_s:.1f}s): "
                      f"plan p50 {m['plan']['p50_ms']} ms p99 {m['plan']['p99_ms']} ms, "
                      f"{m['candidates_per_request']['mean']} candidates, rss {m['bench_peak_rss_mb']} MB")
        out.append(m)
    db.dispose()
    return out


def main(quick: bool = False, big: bool = False, tmp: Path | None = None) -> dict[str, Any]:
    from bench import sourcing

    sourcing.main(quick=quick)  # the issue-13 engine in one process (bench/results/routing_sourcing.json)
    t_start = time.perf_counter()
    tmp = tmp or scratch_dir("bench-routing-")
    n_req = 300 if quick else 2000
    configs = [(20_000, SCALES, "")] + ([(50_000, (2000,), "_big")] if big else [])
    cells: list[dict[str, Any]] = []
    for n_skus, scales, label in configs:
        cells += run_engine("sqlite", n_skus, scales, n_req, tmp, label=label)
    with pg_server() as pg:
        settings = pg_settings_used(pg)
        for n_skus, scales, label in configs:
            cells += run_engine("postgresql", n_skus, scales, n_req, tmp, pg, label=label)
    rows = [[c["engine"], c["stores"], c["skus"], c["stock_rows"], c["setup_s"], c["plan"]["p50_ms"],
             c["plan"]["p99_ms"], c["with_session"]["p50_ms"], c["with_session"]["p99_ms"],
             c["candidates_only"]["p50_ms"], c["candidates_per_request"]["mean"], c["decisions_per_s_single_thread"],
             " ".join(f"{k}:{v}" for k, v in sorted(c["outcomes"].items())), c["bench_peak_rss_mb"]] for c in cells]
    print_table(f"routing: plan() latency, {n_req} requests per cell, single thread",
                ["engine", "stores", "SKUs", "stock rows", "setup s", "plan p50", "plan p99", "+session p50",
                 "+session p99", "cands p50", "cands/req", "decisions/s", "outcomes", "rss MB"], rows)
    params = {"quick": quick, "big": big, "requests_per_cell": n_req, "scales": SCALES, "skus": [c[0] for c in configs],
              "assortment_per_store": ASSORTMENT, "core_skus": CORE, "core_share_of_lines": CORE_SHARE,
              "max_radius_m": MAX_RADIUS_M, "modes": MODES, "lines": "1-5, qty 1-3",
              "area": "lat 30.95-31.40, lng 121.20-121.70", "postgresql_settings": settings}
    notes = [
        "plan = locations.candidates (H3 disk of cells within max_radius_m -> locations) + one stock query + decide.",
        "with_session adds opening the read session (pool checkout, BEGIN) and closing it (ROLLBACK, checkin).",
        "candidates_only is a second pass over the same requests timing locations.candidates alone.",
        "stock: 15% of store rows at 0 on hand, 20% with safety stock 1; ANALYZE after each load.",
        "peak RSS is ru_maxrss of this benchmark process (cumulative over the run, so it grows with the scales).",
        "the benchmark client and the database share 2 cores; requests run one at a time.",
    ]
    elapsed = time.perf_counter() - t_start
    write_result("routing", params, {"cells": cells}, notes, elapsed)
    return {"elapsed_s": elapsed}
