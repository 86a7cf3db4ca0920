"""dashboard: server time of the back-office dashboard (GET /admin) on the demo chain, SQLite and PostgreSQL.

The demo chain (o2o.demo: 40 stores, 2 warehouses, 2,000 SKUs, 5,000 customers, 90 days of history,
about 30,000 orders) is generated into a fresh database of each kind, then for the 30- and 90-day
periods:
- before: the figures read straight from the orders, every day of the period (`cached=False`), without
  the sales_order.paid_at index (dropped for this run: the schema before migration 0020);
- uncached: the same with the index;
- cold: the per-day cache empty (the first request after a restart), index present;
- warm: the closed days cached, today read live (every later request);
- page: the whole GET /admin request through the app (an operator signed in), server time as the test
  client measures it (no network): cold = the first /admin after a restart (another page was served
  first, so the app's own first-request costs are not counted), then warm.
`--quick` repeats each measurement fewer times; the data set is the same.
Benchmarks measure; they assert nothing about time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.common import (
    analyze,
    console,
    fresh_database,
    ms_summary,
    pg_server,
    print_table,
    scratch_dir,
    write_result,
)
from o2o import bootstrap
from o2o.analytics import rollups
from o2o.analytics import service as analytics
from o2o.config import Settings, get_settings
from o2o.demo.generator import DemoSize, generate
from o2o.kernel import pii
from o2o.kernel.clock import SystemClock
from o2o.kernel.db import Database
from o2o.locations import service as locations

PERIODS = (30, 90)


def _times(fn: Any, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _index(db: Database, present: bool) -> None:
    with db.engine.begin() as conn:
        if present:
            conn.execute(text("CREATE INDEX IF NOT EXISTS ix_sales_order_paid_at ON sales_order (paid_at)"))
        else:
            conn.execute(text("DROP INDEX IF EXISTS ix_sales_order_paid_at"))
    analyze(db)


def _page_times(db: Database, n: int) -> list[float]:
    from fastapi.testclient import TestClient

    from o2o.main import create_app
    from tests.factories.auth import Auth

    settings = Settings(database_url=db.url, env="dev", payment_secret="bench-secret", cheap_password_hashing=True)
    c = bootstrap.build(settings, db=db, clock=SystemClock())
    headers = Auth(c).staff("operator")
    with TestClient(create_app(c)) as client:
        client.get("/admin/stores", headers=headers)  # the app's own first-request costs (templates, pools)
        rollups.forget(db)
        t0 = time.perf_counter()
        r = client.get("/admin", headers=headers)
        first = time.perf_counter() - t0
        if r.status_code != 200 or "<svg" not in r.text:
            raise RuntimeError(f"GET /admin answered {r.status_code}: {r.text[:200]}")
        return [first, *_times(lambda: client.get("/admin", headers=headers), n)]


def run_engine(kind: str, quick: bool, tmp: Path, pg: Any = None) -> dict[str, Any]:
    db = fresh_database(kind, "bench_dashboard", pg=pg, tmp=tmp)
    t0 = time.perf_counter()
    generate(db, DemoSize(), seed=42)
    generated_s = round(time.perf_counter() - t0, 1)
    analyze(db)
    now = SystemClock().now()
    stores = [s.id for s in locations.list_all(db, "store")]
    reps = 5 if quick else 30
    out: dict[str, Any] = {"demo_generated_s": generated_s}
    for days in PERIODS:
        def direct(days: int = days) -> None:
            analytics.dashboard(db, now, days, top_among=stores, cached=False)

        def cached(days: int = days) -> None:
            analytics.dashboard(db, now, days, top_among=stores)

        _index(db, False)
        before = _times(direct, reps)
        _index(db, True)
        uncached = _times(direct, reps)
        cold = []
        for _ in range(reps):
            rollups.forget(db)
            cold += _times(cached, 1)
        cached()
        warm = _times(cached, reps * 4)
        out[f"{days}d"] = {"before": ms_summary(before), "uncached": ms_summary(uncached),
                           "cold": ms_summary(cold), "warm": ms_summary(warm)}
    rollups.forget(db)
    first, *warm_pages = _page_times(db, reps * 4)
    out["page_30d_cold_ms"] = round(first * 1e3, 1)  # the first request after a restart: the cache filled
    out["page_30d_warm"] = ms_summary(warm_pages)
    db.engine.dispose()
    return out


def main(quick: bool = False) -> None:
    pii.configure(pii.Keyring.from_settings(get_settings()))
    tmp = scratch_dir("bench-dashboard-")
    started = time.perf_counter()
    results = {"sqlite": run_engine("sqlite", quick, tmp)}
    with pg_server() as pg:
        results["postgresql"] = run_engine("postgresql", quick, tmp, pg)
    rows = []
    for kind, r in results.items():
        for days in PERIODS:
            f = r[f"{days}d"]
            rows.append([kind, f"{days} days", f["before"]["p50_ms"], f["uncached"]["p50_ms"], f["cold"]["p50_ms"],
                         f["warm"]["p50_ms"], f["warm"]["p99_ms"]])
        rows.append([kind, "GET /admin (30 days)", "", "", r["page_30d_cold_ms"], r["page_30d_warm"]["p50_ms"],
                     r["page_30d_warm"]["p99_ms"]])
    print_table("dashboard server time (ms)", ["database", "what", "before p50", "uncached p50", "cold p50",
                                               "warm p50", "warm p99"], rows)
    path = write_result("dashboard", {"quick": quick, "demo": "DemoSize() seed 42", "periods": PERIODS},
                        results, notes=["before = figures read from the orders without the paid_at index",
                                        "cold = per-day cache empty; warm = closed days cached, today live",
                                        "page = GET /admin through the app in process, operator signed in"],
                        elapsed_s=round(time.perf_counter() - started, 1))
    console.print(f"written {path}")
