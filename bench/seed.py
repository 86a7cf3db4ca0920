"""Fast set-up for the benchmarks: catalog and locations through SQLAlchemy Core, stock in bulk
(executemany on SQLite, COPY on PostgreSQL), and a small chain through the services for the HTTP run,
with a signed-in session (bearer token) for each of its customers.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from math import ceil
from typing import Any

from sqlalchemy import insert, select

from bench.common import LAT0, LAT1, LNG0, LNG1
from o2o.catalog.models import Category, Product, Sku
from o2o.inventory.models import RECEIPT, StockMovement
from o2o.kernel import geo
from o2o.kernel.db import Database
from o2o.locations.models import DEFAULT_HOURS, Location

JIADING_WH = (31.3500, 121.2500)


def bulk_catalog(db: Database, n_skus: int, per_product: int = 10, tag: str = "B") -> list[int]:
    """n_skus SKUs (per_product to a product, one category); their ids in creation order."""
    now = datetime.now(UTC)
    n_products = ceil(n_skus / per_product)
    with db.engine.begin() as conn:
        conn.execute(insert(Category.__table__), [{"code": f"bench-{tag}", "name_zh": "基准", "name_en": "Bench"}])
        cat = conn.scalar(select(Category.id).where(Category.code == f"bench-{tag}"))
        conn.execute(insert(Product.__table__), [{"category_id": cat, "name_zh": f"商品{i}", "name_en": f"Product {i}",
                                                  "created_at": now} for i in range(n_products)])
        pids = list(conn.scalars(select(Product.id).where(Product.category_id == cat).order_by(Product.id)))
        conn.execute(insert(Sku.__table__), [{"product_id": pids[i // per_product], "code": f"{tag}{i:07d}",
                                              "barcode": f"69{i:010d}", "base_price_fen": 100 + (i * 37) % 9900}
                                             for i in range(n_skus)])
        return list(conn.scalars(select(Sku.id).where(Sku.code.like(f"{tag}%")).order_by(Sku.id)))


def bulk_locations(db: Database, points: Sequence[tuple[float, float]], kind: str = "store", prefix: str = "S",
                   start: int = 0, **over: object) -> list[int]:
    """Locations at the given points (codes prefix+number); their ids in the same order."""
    now = datetime.now(UTC)
    codes = [f"{prefix}{start + i:05d}" for i in range(len(points))]
    rows = [{"code": code, "kind": kind, "name_zh": f"{code}店", "name_en": f"{code}", "lat": lat, "lng": lng,
             "h3_cell": geo.cell_of(lat, lng), "opening_hours": DEFAULT_HOURS, "created_at": now, **over}
            for code, (lat, lng) in zip(codes, points, strict=True)]
    with db.engine.begin() as conn:
        conn.execute(insert(Location.__table__), rows)
        ids = dict(conn.execute(select(Location.code, Location.id).where(Location.code.in_(codes))).all())
    return [ids[c] for c in codes]


def bulk_stock(db: Database, rows: Iterable[tuple[int, int, int, int]], chunk: int = 200_000) -> int:
    """(location_id, sku_id, on_hand, safety_stock) rows, reserved 0. COPY on PostgreSQL (foreign-key
    triggers skipped for the load: the ids come from the rows just inserted), executemany on SQLite."""
    n = 0
    raw = db.engine.raw_connection()
    try:
        if db.dialect == "postgresql":
            cur = raw.cursor()
            cur.execute("SET session_replication_role = replica")
            buf: list[str] = []

            def flush() -> None:
                with cur.copy("COPY stock (location_id, sku_id, on_hand, reserved, safety_stock) FROM STDIN") as cp:
                    cp.write("".join(buf))
                buf.clear()

            for loc, sku, on_hand, safety in rows:
                buf.append(f"{loc}\t{sku}\t{on_hand}\t0\t{safety}\n")
                n += 1
                if len(buf) >= chunk:
                    flush()
            if buf:
                flush()
            cur.execute("SET session_replication_role = DEFAULT")
            raw.commit()
        else:
            cur = raw.cursor()
            cur.execute("BEGIN IMMEDIATE")
            batch: list[tuple[int, int, int, int]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= chunk:
                    cur.executemany("INSERT INTO stock (location_id, sku_id, on_hand, reserved, safety_stock) VALUES (?, ?, ?, 0, ?)", batch)
                    n += len(batch)
                    batch.clear()
            cur.executemany("INSERT INTO stock (location_id, sku_id, on_hand, reserved, safety_stock) VALUES (?, ?, ?, 0, ?)", batch)
            n += len(batch)
            cur.execute("COMMIT")
    finally:
        raw.close()
    return n


def receipts(db: Database, rows: Iterable[tuple[int, int, int]], ref: str = "bench") -> None:
    """Ledger rows so that sum(ledger) == on_hand holds (`inventory.check`)."""
    now = datetime.now(UTC)
    data = [{"location_id": loc, "sku_id": sku, "kind": RECEIPT, "quantity": q, "ref": ref, "reason": "bench",
             "at": now} for loc, sku, q in rows]
    with db.engine.begin() as conn:
        for i in range(0, len(data), 20_000):
            conn.execute(insert(StockMovement.__table__), data[i:i + 20_000])


def near(rng: random.Random, lat: float, lng: float, max_m: float) -> tuple[float, float]:
    """A random point within max_m metres of (lat, lng) (small-distance approximation)."""
    d, a = max_m * rng.random() ** 0.5, rng.uniform(0, 6.283185307179586)
    from math import cos, radians, sin
    return lat + d * cos(a) / 111_320, lng + d * sin(a) / (111_320 * cos(radians(lat)))


# bench sessions outlive any run (tokens are minted once at set-up; a full `make bench` takes ~10 min)
SESSION_MINUTES = 24 * 60


def customer_tokens(c: Any, customer_ids: Sequence[int]) -> list[str]:
    """A real bearer token per customer, minted in-process through the iam service (as a verified
    phone-code sign-in would end); valid for SESSION_MINUTES whatever the server's settings."""
    from o2o.iam import service as iam

    settings = c.settings.model_copy(update={"access_token_minutes": SESSION_MINUTES})
    client = iam.Client(ip="127.0.0.1", user_agent="bench")
    return [iam.sign_in_session(c.uow(), "customer", cid, False, client, settings).access_token
            for cid in customer_ids]


def service_chain(db: Database, *, stores: int = 40, skus: int = 200, customers: int = 500, on_hand: int = 100_000,
                  seed: int = 7, promotions: int = 50, coupon_every: int = 10) -> dict[str, list]:
    """A small Shanghai chain created through the services (as tests/factories/chain.py does);
    only the stock rows and their receipts go in bulk (8,000+ one-row transactions would dominate set-up).
    `tokens[i]` is a signed-in bearer token of `customers[i]`. `promotions` live automatic promotions
    (`bench_promotions`) and a coupon in the wallet of every `coupon_every`-th customer (0: none), so
    orders are placed with promotions active."""
    from o2o import bootstrap
    from o2o.catalog import service as catalog
    from o2o.catalog.schemas import ProductIn, SkuIn
    from o2o.config import Settings
    from o2o.customers import service as customers_svc
    from o2o.customers.schemas import CustomerIn
    from o2o.locations import service as locations
    from o2o.locations.schemas import LocationIn

    rng = random.Random(seed)
    c = bootstrap.build(settings=Settings(database_url=db.url, env="dev"), db=db)
    store_pts, store_ids = [], []
    for i in range(stores):  # the urban core, where the stores of a Shanghai chain are
        lat, lng = rng.uniform(31.10, 31.32), rng.uniform(121.35, 121.58)
        store_pts.append((lat, lng))
        store_ids.append(locations.create(c.uow(), LocationIn(
            code=f"SH{i:03d}", kind="store", name_zh=f"上海{i}号店", name_en=f"Shanghai #{i}", lat=lat, lng=lng)).id)
    wh = locations.create(c.uow(), LocationIn(code="WH-JD", kind="warehouse", name_zh="嘉定仓", name_en="Jiading DC",
                                              lat=JIADING_WH[0], lng=JIADING_WH[1], can_pickup=False,
                                              can_store_delivery=False, can_parcel=True)).id
    with c.uow() as uow:
        uow.session.add(Category(code="grocery", name_zh="食品", name_en="Grocery"))
        uow.commit()
        cat = uow.session.scalar(select(Category.id).where(Category.code == "grocery"))
    sku_ids: list[int] = []
    for p in range(ceil(skus / 5)):
        out = catalog.create_product(c.uow(), ProductIn(
            category_id=cat, name_zh=f"商品{p}", name_en=f"Product {p}",
            skus=[SkuIn(code=f"P{p:04d}-{k}", barcode=f"69{p:06d}{k:03d}", base_price_fen=500 + 10 * ((p * 7 + k) % 300))
                  for k in range(min(5, skus - 5 * p))]))
        sku_ids += [s.id for s in out.skus]
    cust_ids = [customers_svc.create(c.uow(), CustomerIn(name=f"顾客{i}", phone=f"139{i:08d}")).id
                for i in range(customers)]
    locs = [*store_ids, wh]
    bulk_stock(db, ((loc, sku, on_hand, 0) for loc in locs for sku in sku_ids))
    receipts(db, [(loc, sku, on_hand) for loc in locs for sku in sku_ids])
    bench_promotions(db, promotions, sku_ids, cat, store_ids, cust_ids[::coupon_every] if coupon_every else [], rng)
    return {"stores": list(zip(store_ids, store_pts, strict=True)), "warehouse": [wh], "skus": sku_ids,
            "customers": cust_ids, "tokens": customer_tokens(c, cust_ids)}


RULE_DEFAULTS: dict[str, Any] = {
    "label_zh": "", "label_en": "", "min_fen": 0, "off_fen": 0, "repeat": False, "pct_off": 0, "cap_fen": 0, "nth": 0,
    "buy": 0, "get": 0, "price_fen": 0, "gift_sku_id": 0, "sku_ids": [], "category_ids": [], "location_ids": [],
    "tier_codes": [], "channel": "both", "group_code": "", "exclusive": False, "budget_fen": None, "spent_fen": 0,
    "active": True}


def bench_promotions(db: Database, n: int, sku_ids: Sequence[int], category_id: int, store_ids: Sequence[int],
                     coupon_customers: Sequence[int], rng: random.Random) -> None:
    """`n` live automatic promotions as a chain runs them: most on a few SKUs (limited-time prices, second
    item half price, buy 2 get 1), some thresholds (满减, one group: they never stack; a few per store),
    percent off with a cap, free delivery over an amount, a few with a budget; and one 满50减5 coupon
    in each of `coupon_customers`' wallets."""
    import importlib.util
    from datetime import timedelta

    if (not n and not coupon_customers) or importlib.util.find_spec("o2o.promotions") is None:
        return  # none asked, or code from before promotions (the baseline half of `--baseline`)
    from o2o.promotions.models import Coupon, CouponTemplate, Promotion

    now = datetime.now(UTC)
    window = {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=365), "created_at": now,
              "updated_at": now}
    rows: list[dict[str, Any]] = []
    for i in range(n):
        few = [int(x) for x in rng.sample(list(sku_ids), 3)]
        kind = ("sale_price", "sale_price", "nth_discount", "buy_x_get_y", "threshold", "threshold", "percent",
                "sale_price", "nth_discount", "free_delivery")[i % 10]
        row: dict[str, Any] = {"kind": kind, "name_zh": f"促销{i}", "name_en": f"Promotion {i}", **window,
                               **RULE_DEFAULTS}
        if kind == "sale_price":
            row |= {"sku_ids": few[:1], "price_fen": 450}
        elif kind == "nth_discount":
            row |= {"sku_ids": few, "nth": 2, "pct_off": 50}
        elif kind == "buy_x_get_y":
            row |= {"sku_ids": few, "buy": 2, "get": 1}
        elif kind == "threshold":
            row |= {"min_fen": 5_000 * (1 + i % 4), "off_fen": 500 * (1 + i % 4), "group_code": "manjian",
                    "location_ids": [int(rng.choice(list(store_ids)))] if i % 3 else []}
        elif kind == "percent":
            row |= {"category_ids": [category_id], "pct_off": 5, "cap_fen": 1_000, "min_fen": 8_000,
                    "group_code": "percent"}
        else:
            row |= {"min_fen": 8_800}
        if i % 7 == 0:
            row["budget_fen"] = 10**12  # a budget, never reached in a run
        rows.append(row)
    with db.engine.begin() as conn:  # every row names every column: one executemany
        if rows:
            conn.execute(insert(Promotion.__table__), rows)
        if coupon_customers:
            conn.execute(insert(CouponTemplate.__table__), [{
                "kind": "threshold", "name_zh": "满50减5券", "name_en": "5 off 50", "min_fen": 5_000, "off_fen": 500,
                "claim_from": now - timedelta(days=1), "claim_until": now + timedelta(days=365), "valid_days": 30,
                "created_at": now, "updated_at": now, "claimable": False}])
            tid = conn.scalar(select(CouponTemplate.id).where(CouponTemplate.name_en == "5 off 50"))
            conn.execute(insert(Coupon.__table__), [{
                "template_id": tid, "customer_id": cid, "code": f"BENCH{cid:010d}", "valid_from": now - timedelta(days=1),
                "valid_until": now + timedelta(days=30), "issued_at": now} for cid in coupon_customers])


def area_points(rng: random.Random, n: int) -> list[tuple[float, float]]:
    return [(rng.uniform(LAT0, LAT1), rng.uniform(LNG0, LNG1)) for _ in range(n)]


def deepen(db: Database, locations: Sequence[int], skus: Sequence[int], extra: int, ref: str = "bench-hot") -> int:
    """Add `extra` to on_hand of the (location, sku) rows, with the matching receipts (the ledger still
    sums to on_hand): hot rows that must not sell out during a run. Returns the rows touched."""
    from sqlalchemy import update

    from o2o.inventory.models import Stock

    pairs = [(loc, sku) for loc in locations for sku in skus]
    with db.engine.begin() as conn:
        for loc, sku in pairs:
            conn.execute(update(Stock).where(Stock.location_id == loc, Stock.sku_id == sku)
                         .values(on_hand=Stock.on_hand + extra))
    receipts(db, [(loc, sku, extra) for loc, sku in pairs], ref=ref)
    return len(pairs)
