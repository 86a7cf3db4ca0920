"""coupons: claims/s and redemptions/s on SQLite and PostgreSQL at 8 worker threads, 0 over-issue, 0 double use.

- claims: twice as many customers as coupons claim one each (promotions.service.claim: eligibility, the
  per-customer/phone/device/address slot keys, the coupon row, then ONE conditional UPDATE on the template's
  issued_qty, last before COMMIT); half are refused cleanly (SoldOut).
- redemptions: every issued code is scanned at two tills of the store (promotions.service.redeem_at_till:
  ONE conditional UPDATE issued -> used, the template's budget by another, a promotion_use row); one of each
  pair wins, the other is refused cleanly (CouponTaken).
Afterwards: issued_qty == coupons == total_qty (no over-issue), used == redemptions that succeeded, and the
template's spent_fen == the sum of the discounts given.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
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
from o2o.customers.models import Customer
from o2o.kernel import pii
from o2o.kernel.clock import SystemClock
from o2o.kernel.db import Database
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations
from o2o.locations.schemas import LocationIn
from o2o.promotions import service
from o2o.promotions.exceptions import CouponTaken, SoldOut
from o2o.promotions.schemas import RedeemIn, TemplateIn

WORKERS = 8
BILL_FEN = 25_000
OFF_FEN = 3_000


def _customers(db: Database, n: int) -> list[int]:
    now = SystemClock().now()
    with UnitOfWork(db) as uow:
        rows = [Customer(name=f"抢券{i}", created_at=now) for i in range(n)]
        uow.session.add_all(rows)
        uow.session.flush()
        ids = [r.id for r in rows]
        uow.commit()
    return ids


def _threads(n: int, jobs: list, fn) -> float:  # type: ignore[no-untyped-def]
    """Run fn over jobs on n threads (shared queue, started together); seconds taken."""
    lock = threading.Lock()
    it = iter(jobs)
    start = threading.Barrier(n)

    def work() -> None:
        start.wait()
        while True:
            with lock:
                job = next(it, None)
            if job is None:
                return
            fn(job)

    threads = [threading.Thread(target=work) for _ in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def run_engine(kind: str, quick: bool, tmp: Path, pg: Any = None) -> dict[str, Any]:
    db = fresh_database(kind, "bench_coupons", pg=pg, tmp=tmp, pool_size=WORKERS + 4)
    warm_pool(db, WORKERS)
    clock = SystemClock()
    coupons = 200 if quick else 2_000
    people = _customers(db, 2 * coupons)
    store = locations.create(UnitOfWork(db, clock), LocationIn(
        code="B1", kind="store", name_zh="基准店", name_en="Bench store", district="徐汇区", lat=31.1955,
        lng=121.4374)).id
    now = clock.now()
    t = service.create_template(UnitOfWork(db, clock), TemplateIn(
        kind="threshold", name_zh="满200减30", name_en="30 off 200", min_fen=20_000, off_fen=OFF_FEN,
        claim_from=now - timedelta(days=1), claim_until=now + timedelta(days=1), valid_days=7, total_qty=coupons,
        budget_fen=OFF_FEN * coupons)).id
    lock = threading.Lock()
    counts = {"claimed": 0, "sold_out": 0, "redeemed": 0, "taken": 0, "errors": 0}
    lat: dict[str, list[float]] = {"claim": [], "redeem": []}
    codes: list[str] = []

    def count(name: str, seconds: float, key: str) -> None:
        with lock:
            counts[name] += 1
            lat[key].append(seconds)

    def claim(cid: int) -> None:
        t0 = time.perf_counter()
        try:
            out = service.claim(UnitOfWork(db, clock), cid, t, device_id=f"bench-device-{cid}")
            with lock:
                codes.append(out.code)
            count("claimed", time.perf_counter() - t0, "claim")
        except SoldOut:
            count("sold_out", time.perf_counter() - t0, "claim")
        except Exception as exc:  # counted and shown: a benchmark measures, it does not stop
            with lock:
                counts["errors"] += 1
            console.print(f"[red]{kind} claim: {type(exc).__name__}: {str(exc)[:120]}[/]")

    rng = random.Random(7)
    order = list(people)
    rng.shuffle(order)
    claim_s = _threads(WORKERS, order, claim)

    def redeem(job: tuple[str, int]) -> None:
        code, till = job
        t0 = time.perf_counter()
        try:
            service.redeem_at_till(UnitOfWork(db, clock), store, RedeemIn(code=code, bill_fen=BILL_FEN), f"till-{till}")
            count("redeemed", time.perf_counter() - t0, "redeem")
        except CouponTaken:
            count("taken", time.perf_counter() - t0, "redeem")
        except Exception as exc:
            with lock:
                counts["errors"] += 1
            console.print(f"[red]{kind} redeem: {type(exc).__name__}: {str(exc)[:120]}[/]")

    scans = [(code, till) for code in codes for till in (1, 2)]  # each code at two tills, side by side
    redeem_s = _threads(WORKERS, scans, redeem)
    with db.engine.connect() as conn:
        issued_qty, total_qty, spent = conn.execute(text(
            "SELECT issued_qty, total_qty, spent_fen FROM coupon_template WHERE id = :t"), {"t": t}).one()
        rows = int(conn.execute(text("SELECT count(*) FROM coupon WHERE template_id = :t"), {"t": t}).scalar_one())
        used = int(conn.execute(text("SELECT count(*) FROM coupon WHERE status = 'used'")).scalar_one())
        uses = int(conn.execute(text("SELECT count(*) FROM promotion_use")).scalar_one())
    db.dispose()
    return {"engine": kind, "workers": WORKERS, "coupons": coupons, "claim_attempts": len(people),
            "claim_seconds": round(claim_s, 2), "claims_per_s": round(len(people) / claim_s, 1),
            "issued_per_s": round(counts["claimed"] / claim_s, 1), "redeem_attempts": len(scans),
            "redeem_seconds": round(redeem_s, 2), "redeem_attempts_per_s": round(len(scans) / redeem_s, 1),
            "redemptions_per_s": round(counts["redeemed"] / redeem_s, 1), **counts,
            "claim_latency": ms_summary(lat["claim"]), "redeem_latency": ms_summary(lat["redeem"]),
            "issued_qty": int(issued_qty), "total_qty": int(total_qty), "coupon_rows": rows,
            "over_issued": max(0, rows - int(total_qty)) + max(0, int(issued_qty) - int(total_qty)),
            "used": used, "double_used": used - counts["redeemed"] + (uses - used),
            "budget_mismatch_fen": int(spent) - OFF_FEN * counts["redeemed"]}


def main(quick: bool = False, tmp: Path | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    pii.configure(pii.Keyring.from_settings(get_settings()))
    tmp = tmp or scratch_dir("bench-coupons-")
    engines = [run_engine("sqlite", quick, tmp)]
    with pg_server() as pg:
        pg_settings = pg_settings_used(pg)
        engines.append(run_engine("postgresql", quick, tmp, pg))
    rows = [[e["engine"], e["claim_attempts"], e["claims_per_s"], e["claimed"], e["sold_out"],
             e["claim_latency"].get("p50_ms"), e["claim_latency"].get("p99_ms"), e["redeem_attempts"],
             e["redeem_attempts_per_s"], e["redeemed"], e["taken"], e["redeem_latency"].get("p50_ms"),
             e["redeem_latency"].get("p99_ms"), e["errors"], e["over_issued"], e["double_used"]] for e in engines]
    print_table("coupons: claims (2 customers per coupon) and redemptions (each code at 2 tills), 8 workers",
                ["engine", "claims", "claims/s", "issued", "sold out", "claim p50 ms", "claim p99 ms", "scans",
                 "scans/s", "redeemed", "taken", "redeem p50 ms", "redeem p99 ms", "err", "over-issued",
                 "double used"], rows)
    params = {"quick": quick, "workers": WORKERS, "postgresql_settings": pg_settings,
              "sqlite_settings": "WAL, synchronous=NORMAL, busy_timeout 30s"}
    notes = [
        "claim = promotions.service.claim: reads (profile, tier, addresses), then one transaction: coupon row with a "
        "random 14-letter code, slot keys per customer and device, ONE conditional UPDATE issued_qty + 1 <= "
        "total_qty last before COMMIT; refusals (sold out) are clean.",
        "redeem = promotions.service.redeem_at_till: ONE conditional UPDATE issued -> used, the template's budget by "
        "ONE conditional UPDATE, a promotion_use row; the second till of each pair gets CouponTaken.",
        "claims/s and scans/s count every attempt (successes and clean refusals); redemptions/s the successes only.",
        "over-issued, double used and budget mismatch must be 0.",
        "all workers are threads of one Python process (GIL) on a machine that also runs the database.",
    ]
    elapsed = time.perf_counter() - t0
    write_result("coupons", params, {"engines": engines}, notes, elapsed)
    return {"elapsed_s": elapsed}
