"""points: earns and redeems per second on SQLite and PostgreSQL at 8 worker threads, 0 negative balances.

Each worker runs a fixed number of operations, one transaction each, on members picked at random from a
small pool (so several workers hit the same balance row at once):
- earn   = loyalty.service.earn_for_order for a completed order of its own (the relay handler's work: spend
           recorded, tier settled, a lot credited once per order);
- redeem = loyalty.service.redeem_at_till (one conditional UPDATE on the balance row, oldest lots consumed,
           idempotent by client key); refused cleanly (InsufficientPoints) when the balance does not hold it.
Afterwards, for every member: balance == ledger sum == lots remaining, and no balance below zero.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.common import (
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
from o2o.config import get_settings
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.kernel import pii
from o2o.kernel.clock import SystemClock
from o2o.kernel.db import Database
from o2o.kernel.uow import UnitOfWork
from o2o.loyalty import service as loyalty
from o2o.loyalty.exceptions import InsufficientPoints
from o2o.loyalty.schemas import TillRedeemIn
from o2o.orders.schemas import OrderFacts

WORKERS = 8
MEMBERS = 40
EARN_SHARE = 0.5


def _members(db: Database, n: int) -> list[int]:
    ids = []
    for i in range(n):
        ids.append(customers.create(UnitOfWork(db), CustomerIn(name=f"会员{i}", phone=f"137{i:08d}")).id)
    return ids


def run_engine(kind: str, quick: bool, tmp: Path, pg: Any = None) -> dict[str, Any]:
    db = fresh_database(kind, "bench_points", pg=pg, tmp=tmp, pool_size=WORKERS + 4)
    warm_pool(db, WORKERS)
    members = _members(db, MEMBERS)
    ops_per_worker = 60 if quick else 600
    orders = itertools.count(1)
    keys = itertools.count(1)
    lock = threading.Lock()
    counts = {"earn": 0, "redeem_ok": 0, "redeem_refused": 0, "errors": 0}
    lat: dict[str, list[float]] = {"earn": [], "redeem": []}
    start = threading.Barrier(WORKERS)
    clock = SystemClock()

    def work(seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        for _ in range(ops_per_worker):
            member = rng.choice(members)
            t0 = time.perf_counter()
            try:
                if rng.random() < EARN_SHARE:
                    with lock:
                        order_id = next(orders)
                    uow = UnitOfWork(db, clock)
                    with uow:
                        loyalty.earn_for_order(uow, OrderFacts(
                            id=order_id, number=f"SO{order_id}", customer_id=member, status="completed",
                            channel=rng.choice(["h5", "pos"]), fulfil_location_id=1, subtotal_fen=0,
                            delivery_fee_fen=0, discount_fen=0, total_fen=rng.randint(500, 30_000),
                            completed_at=clock.now()))
                        uow.commit()
                    kind_ = "earn"
                    with lock:
                        counts["earn"] += 1
                else:
                    with lock:
                        key = next(keys)
                    kind_ = "redeem"
                    try:
                        loyalty.redeem_at_till(UnitOfWork(db, clock), 1, TillRedeemIn(
                            customer_id=member, points=rng.randint(20, 250), bill_fen=100_000,
                            client_key=f"bench-{key}"))
                        with lock:
                            counts["redeem_ok"] += 1
                    except InsufficientPoints:
                        with lock:
                            counts["redeem_refused"] += 1
                lat[kind_].append(time.perf_counter() - t0)
            except Exception as exc:  # counted and shown: a benchmark measures, it does not stop
                with lock:
                    counts["errors"] += 1
                console.print(f"[red]{kind}: {type(exc).__name__}: {str(exc)[:120]}[/]")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    inconsistent = 0
    for m in members:
        balance, ledger, lots = loyalty.check(db, m)
        inconsistent += not (balance == ledger == lots >= 0)
    with db.engine.connect() as conn:
        negative = int(conn.execute(text("SELECT count(*) FROM points_account WHERE balance < 0")).scalar_one())
        total_points = int(conn.execute(text("SELECT coalesce(sum(balance), 0) FROM points_account")).scalar_one())
    db.dispose()
    ops = counts["earn"] + counts["redeem_ok"] + counts["redeem_refused"]
    return {"engine": kind, "workers": WORKERS, "members": MEMBERS, "operations": ops, "seconds": round(seconds, 2),
            "ops_per_s": round(ops / seconds, 1), "earns_per_s": round(counts["earn"] / seconds, 1),
            "redeems_per_s": round(counts["redeem_ok"] / seconds, 1), **counts,
            "earn_latency": ms_summary(lat["earn"]), "redeem_latency": ms_summary(lat["redeem"]),
            "negative_balances": negative, "inconsistent_members": inconsistent, "points_outstanding": total_points}


def main(quick: bool = False, tmp: Path | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    pii.configure(pii.Keyring.from_settings(get_settings()))
    tmp = tmp or scratch_dir("bench-points-")
    engines = [run_engine("sqlite", quick, tmp)]
    with pg_server() as pg:
        pg_settings = pg_settings_used(pg)
        engines.append(run_engine("postgresql", quick, tmp, pg))
    rows = [[e["engine"], e["workers"], e["operations"], e["earns_per_s"], e["redeems_per_s"], e["redeem_refused"],
             e["errors"], e["earn_latency"].get("p50_ms"), e["earn_latency"].get("p99_ms"),
             e["redeem_latency"].get("p50_ms"), e["redeem_latency"].get("p99_ms"), e["negative_balances"],
             e["inconsistent_members"]] for e in engines]
    print_table("points: one transaction per earn or redemption, 8 workers on 40 members",
                ["engine", "workers", "ops", "earns/s", "redeems/s", "refused", "err", "earn p50 ms", "earn p99 ms",
                 "redeem p50 ms", "redeem p99 ms", "negative", "inconsistent"], rows)
    params = {"quick": quick, "workers": WORKERS, "members": MEMBERS, "earn_share": EARN_SHARE,
              "postgresql_settings": pg_settings, "sqlite_settings": "WAL, synchronous=NORMAL, busy_timeout 30s"}
    notes = [
        "earn = loyalty.service.earn_for_order (spend row, tier settled, lot credited once per order) + commit.",
        "redeem = loyalty.service.redeem_at_till: one conditional UPDATE balance = balance - n WHERE balance >= n, "
        "oldest lots consumed, ledger entry, idempotent by client key; refusals are clean (InsufficientPoints).",
        "negative = balances below zero after the run; inconsistent = members whose balance, ledger sum and lots "
        "remaining differ. Both must be 0.",
        "all workers are threads of one Python process (GIL) on a 2-core machine that also runs the database.",
    ]
    elapsed = time.perf_counter() - t0
    write_result("points", params, {"engines": engines}, notes, elapsed)
    return {"elapsed_s": elapsed}
