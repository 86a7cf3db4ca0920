"""routing (sourcing): decision latency of the issue-13 sourcing engine in one process, no database.

2,000 stores spread uniformly over the Shanghai urban area (lat 30.95-31.40, lng 121.20-121.70), each
with a 1,500-SKU assortment out of 50,000 SKUs (500 core SKUs every store carries + 1,000 from the long
tail; 15% of rows at 0, 20% with 1 unit of safety stock), opening 08:00-22:00 (5% around the clock),
delivery radius 3 km, capacity left 0-60 this hour; one warehouse holding 97% of the SKUs. Orders: 10
lines (85% core SKUs, 1-3 units), 90% between 08:00 and 21:00 (10% at night), a customer point in the area; 55% store
delivery (promised in 2 h), 30% pickup at the store nearest to the customer (any store within 5 km may
serve), 15% parcel. max_split 3; two rules configured (22:00-07:00 only 24-hour stores, parcel only
from warehouses).

Timed per order: `total` = candidates (the H3 disk of cells within 5 km -> stores, haversine) + the
engine's nodes (stock of the 10 SKUs per candidate) + `decide`; `decide` alone. Single thread.
`python -m bench.sourcing [--quick]`; `python -m bench routing` runs it too.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from bench.common import console, ms_summary, print_table, random_point, self_maxrss_mb, write_result
from bench.seed import JIADING_WH, area_points
from o2o.fulfillment.sourcing import (
    PARCEL,
    PICKUP,
    SPEC,
    STORE_DELIVERY,
    Node,
    Request,
    Rule,
    SourcingSettings,
    decide,
)
from o2o.kernel import geo

STORES, SKUS, ASSORTMENT, CORE, LINES = 2_000, 50_000, 1_500, 500, 10
CORE_SHARE, MAX_RADIUS_M = 0.85, 5_000
DAYTIME = {d: [["08:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
ALWAYS = {d: [["00:00", "24:00"]] for d in DAYTIME}
RULES = [Rule(1, "night", SPEC.validate_python({"kind": "night_only_24h_stores"})),
         Rule(2, "parcel from warehouses", SPEC.validate_python({"kind": "parcel_only_from_warehouses"}))]
MIDNIGHT = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 00:00 in Shanghai


class Chain:
    """Stores and the warehouse in memory: per location its SKUs (sorted) and units available."""

    def __init__(self, rng: random.Random) -> None:
        self.points = area_points(random.Random(7), STORES)
        self.skus: list[np.ndarray] = []
        self.avail: list[np.ndarray] = []
        self.hours: list[dict] = []
        self.hourly_left: list[int] = []
        nrng = np.random.default_rng(rng.randrange(2**32))
        for _ in range(STORES):
            tail = nrng.choice(np.arange(CORE, SKUS), ASSORTMENT - CORE, replace=False)
            skus = np.sort(np.concatenate([np.arange(CORE), tail]))
            on_hand = np.where(nrng.random(ASSORTMENT) < 0.15, 0, nrng.integers(1, 41, ASSORTMENT))
            safety = (nrng.random(ASSORTMENT) < 0.2).astype(np.int64)
            self.skus.append(skus)
            self.avail.append(np.maximum(0, on_hand - safety))
            self.hours.append(ALWAYS if rng.random() < 0.05 else DAYTIME)
            self.hourly_left.append(rng.randint(0, 60))
        self.wh_avail = np.where(nrng.random(SKUS) < 0.03, 0, nrng.integers(50, 501, SKUS))
        self.by_cell: dict[str, list[int]] = defaultdict(list)
        for i, (lat, lng) in enumerate(self.points):
            self.by_cell[geo.cell_of(lat, lng)].append(i)
        self.pts = np.array(self.points)

    def stock_of(self, i: int, skus: list[int]) -> dict[int, int]:
        arr = self.skus[i]
        pos = np.searchsorted(arr, skus)
        pos[pos >= len(arr)] = 0
        hit = arr[pos] == skus
        av = self.avail[i][pos]
        return {s: int(a) for s, a, h in zip(skus, av, hit, strict=True) if h}

    def nodes(self, lat: float, lng: float, skus: list[int], chosen: int | None) -> list[Node]:
        """What fulfillment.service.source builds from the database: stores in the H3 disk, the warehouse."""
        seen = [i for cell in geo.cells_within(lat, lng, MAX_RADIUS_M) for i in self.by_cell.get(cell, ())]
        if chosen is not None and chosen not in seen:
            seen.append(chosen)
        out = []
        for i in seen:
            plat, plng = self.points[i]
            dist = geo.haversine_m(lat, lng, plat, plng)
            if dist > MAX_RADIUS_M and i != chosen:  # the disk's corners (as service.source drops them)
                continue
            out.append(Node(id=i + 1, kind="store", name=f"S{i}", distance_m=dist,
                            radius_m=3_000, can_pickup=True, can_store_delivery=True, can_parcel=False,
                            stock=self.stock_of(i, skus), hours=self.hours[i], hourly_left=self.hourly_left[i],
                            daily_left=600))
        out.append(Node(id=STORES + 1, kind="warehouse", name="WH", distance_m=geo.haversine_m(lat, lng, *JIADING_WH),
                        radius_m=0, can_pickup=False, can_store_delivery=False, can_parcel=True,
                        stock={s: int(self.wh_avail[s]) for s in skus}, hours=ALWAYS))
        return out

    def nearest(self, lat: float, lng: float) -> int:
        return int(np.argmin((self.pts[:, 0] - lat) ** 2 + ((self.pts[:, 1] - lng) * 0.856) ** 2))


def orders(rng: random.Random, chain: Chain, n: int) -> list[tuple[Request, float, float]]:
    out = []
    for _ in range(n):
        lat, lng = random_point(rng)
        lines: dict[int, int] = {}
        while len(lines) < LINES:
            s = rng.randrange(CORE) if rng.random() < CORE_SHARE else rng.randrange(CORE, SKUS)
            lines[s] = rng.randint(1, 3)
        night = rng.random() < 0.1  # 10% of orders between 21:00 and 08:00, the rest in the day
        now = MIDNIGHT + timedelta(minutes=(21 * 60 + rng.randrange(11 * 60)) % (24 * 60) if night
                                   else 8 * 60 + rng.randrange(13 * 60))
        r = rng.random()
        if r < 0.55:
            req = Request(lines, STORE_DELIVERY, now, now + timedelta(hours=2), has_address=True, lat=lat, lng=lng)
        elif r < 0.85:
            req = Request(lines, PICKUP, now, now + timedelta(hours=1), chosen_location_id=chain.nearest(lat, lng) + 1,
                          lat=lat, lng=lng)
        else:
            req = Request(lines, PARCEL, now, now + timedelta(days=2), has_address=True, lat=lat, lng=lng)
        out.append((req, lat, lng))
    return out


def main(quick: bool = False) -> dict[str, Any]:
    t_start = time.perf_counter()
    n = 300 if quick else 3_000
    rng = random.Random(2026)
    t0 = time.perf_counter()
    chain = Chain(rng)
    setup_s = time.perf_counter() - t0
    cfg = SourcingSettings(max_split=3)
    reqs = orders(random.Random(13), chain, n + 30)
    total_s, decide_s, cpu_s, cands = [], [], [], []
    outcome: Counter[str] = Counter()
    methods: Counter[str] = Counter()
    limits = 0
    for k, (req, lat, lng) in enumerate(reqs):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        nodes = chain.nodes(lat, lng, sorted(req.lines), req.chosen_location_id and req.chosen_location_id - 1)
        t1 = time.perf_counter()
        d = decide(req, nodes, cfg, RULES)
        t2 = time.perf_counter()
        c2 = time.thread_time()
        if k < 30:  # warm-up
            continue
        total_s.append(t2 - t0)
        decide_s.append(t2 - t1)
        cpu_s.append(c2 - c0)
        cands.append(len(nodes))
        outcome[f"{req.mode}:{len(d.allocations) if d.ok else 'none'}"] += 1
        methods[d.search.method] += 1
        limits += d.search.limit is not None
    figures = {"total": ms_summary(total_s), "decide": ms_summary(decide_s), "total_cpu": ms_summary(cpu_s),
               "candidates_per_order": {"mean": round(float(np.mean(cands)), 1), "max": int(max(cands))},
               "outcomes (mode:locations)": dict(sorted(outcome.items())), "methods": dict(methods),
               "limit_hit": limits, "setup_s": round(setup_s, 1), "bench_peak_rss_mb": self_maxrss_mb()}
    print_table(f"routing (sourcing engine): {n} orders of {LINES} lines, {STORES} stores x {SKUS} SKUs, max_split 3",
                ["", "p50 ms", "p90 ms", "p99 ms", "max ms"],
                [[k, figures[k]["p50_ms"], figures[k]["p90_ms"], figures[k]["p99_ms"], figures[k]["max_ms"]]
                 for k in ("total", "decide", "total_cpu")])
    console.print(f"  methods {dict(methods)}, limits hit {limits}, candidates/order {figures['candidates_per_order']}, "
                  f"outcomes {figures['outcomes (mode:locations)']}")
    params = {"quick": quick, "orders": n, "stores": STORES, "skus": SKUS, "assortment_per_store": ASSORTMENT,
              "core_skus": CORE, "core_share_of_lines": CORE_SHARE, "lines_per_order": LINES, "max_split": 3,
              "max_radius_m": MAX_RADIUS_M, "rules": [r.name for r in RULES], "settings": cfg.model_dump(mode="json")}
    notes = ["in one process, no database: the candidates and stock come from in-memory arrays built like the "
             "database's (H3 cells -> stores), so `total` is the engine's share of a decision, not a query's.",
             "total_cpu is the same span in this thread's CPU time (time.thread_time): what the order cost the CPU, "
             "without the waits of a loaded machine (2 cores shared with other work while this runs).",
             "goal (issue 13): p99 <= 10 ms."]
    elapsed = time.perf_counter() - t_start
    write_result("routing_sourcing", params, figures, notes, elapsed)
    return {"elapsed_s": elapsed, **figures}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    main(quick=p.parse_args().quick)
