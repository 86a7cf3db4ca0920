"""Generate the demo retail chain (Shanghai) into an empty database.

    generate(db, DemoSize(), seed=42, console=console, anchor=now) -> summary

Everything is computed in memory from seeded generators (numpy PCG64 + random.Random, never the
global state), then bulk-inserted with SQLAlchemy Core in one transaction, so the same seed and
anchor give the same chain on SQLite and PostgreSQL. The stock ledger holds by construction: a
receipt per stock row (final on_hand + everything the history sells from it) dated before the
history, then one negative movement per sale line, so on_hand == sum(ledger) and stock never
goes negative at any point in time.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from o2o.catalog.models import Category, Product, ProductImage, ProductSearch, Sku, StorePrice
from o2o.catalog.search import service as product_search
from o2o.customers.models import Address, Customer
from o2o.demo import gazetteer as gazetteer_file
from o2o.demo import pictures
from o2o.demo.catalog import Catalog, assortments, build_catalog, opening_stock, store_prices
from o2o.demo.history import Sale, Simulator
from o2o.demo.loyalty_rows import member_rows, reward_rows
from o2o.demo.order_rows import OrderRows, sold_totals
from o2o.demo.people import build_people
from o2o.demo.places import Locations, build_locations
from o2o.fulfillment.models import FulfillmentHistory, FulfillmentLine, FulfillmentOrder
from o2o.inventory.models import Stock, StockMovement
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.db import Database
from o2o.locations.models import Location
from o2o.loyalty import repository as loyalty_repo
from o2o.loyalty.models import PointsAccount, PointsEntry, Reward, Spend
from o2o.orders.models import Order, OrderHistory, OrderLine, Payment

CHUNK = 5000
# tables we give explicit ids (PostgreSQL sequences are moved past them afterwards)
ID_TABLES: dict[str, Any] = {"location": Location, "category": Category, "product": Product, "sku": Sku,
                             "customer": Customer, "address": Address, "sales_order": Order,
                             "fulfillment_order": FulfillmentOrder}
ORDER_TABLES: dict[str, Any] = {"sales_order": Order, "order_line": OrderLine, "order_history": OrderHistory,
                                "payment": Payment, "fulfillment_order": FulfillmentOrder,
                                "fulfillment_line": FulfillmentLine, "fulfillment_history": FulfillmentHistory,
                                "stock_movement": StockMovement}


@dataclass(frozen=True)
class DemoSize:
    stores: int = 40
    warehouses: int = 2
    skus: int = 2000
    customers: int = 5000
    days: int = 90


class _Phases:
    """One rich progress task per phase, or nothing when there is no console."""

    def __init__(self, console: Console | None) -> None:
        self.progress = Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console) if console is not None else None
        self.totals: dict[int, int] = {}

    @contextmanager
    def running(self) -> Iterator[_Phases]:
        if self.progress is None:
            yield self
            return
        with self.progress:
            yield self

    def add(self, name: str, total: int) -> int:
        if self.progress is None:
            return 0
        task = self.progress.add_task(name, total=max(total, 1))
        self.totals[task] = max(total, 1)
        return task

    def advance(self, task: int, n: int = 1) -> None:
        if self.progress:
            self.progress.advance(task, n)

    def done(self, task: int) -> None:
        if self.progress:
            self.progress.update(task, completed=self.totals[task])


def _insert(s: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        s.execute(insert(model.__table__), rows[start:start + CHUNK])


@contextmanager
def _page_cache(s: Session, dialect: str, kib: int = 256 * 1024) -> Iterator[None]:
    """SQLite: a bigger page cache for this one big transaction (fewer spills to the WAL), then back."""
    if dialect != "sqlite":
        yield
        return
    before = s.execute(text("PRAGMA cache_size")).scalar_one()
    s.execute(text(f"PRAGMA cache_size=-{kib}"))
    try:
        yield
    finally:
        s.execute(text(f"PRAGMA cache_size={int(before)}"))


def _first_ids(s: Session) -> dict[str, int]:
    return {name: (s.scalar(select(func.max(model.id))) or 0) + 1 for name, model in ID_TABLES.items()}


def _streams(seed: int) -> tuple[list[np.random.Generator], list[random.Random]]:
    """Independent seeded streams per phase: a phase's output does not depend on the others' sizes."""
    children = np.random.SeedSequence(seed).spawn(6)
    rngs = [np.random.Generator(np.random.PCG64(c)) for c in children]
    rnds = [random.Random(int(c.generate_state(1)[0])) for c in children]
    return rngs, rnds


def generate(db: Database, size: DemoSize, seed: int = 42, console: Console | None = None,
             anchor: datetime | None = None, gazetteer: Path | None = None, media_dir: Path | None = None) -> str:
    """Fill an empty database with the demo chain; returns a one-paragraph summary. `gazetteer`: where
    the offline geocoder's file of Shanghai places (with this chain's stores) is written; `media_dir`:
    where each product's drawn picture goes (demo.pictures; none drawn without it)."""
    if size.stores < 1 or size.warehouses < 1 or size.skus < 1 or size.customers < 0 or size.days < 0:
        raise ValueError(f"a demo chain needs at least one store, one warehouse and one SKU: {size}")
    started = perf_counter()
    anchor = (anchor or datetime.now(UTC)).astimezone(UTC)
    before_history = anchor - timedelta(days=size.days)
    rngs, rnds = _streams(seed)
    phases = _Phases(console)
    with phases.running(), db.write_sessions() as s:
        if s.scalar(select(func.count()).select_from(Location)):
            raise RuntimeError("the database already has locations: the demo chain goes into an empty database "
                               "(use a new database file, or drop this one)")
        with _page_cache(s, db.dialect):
            first = _first_ids(s)
            counts: dict[str, int] = defaultdict(int)

            task = phases.add("Stores & warehouses", size.stores + size.warehouses)
            locs = build_locations(rngs[0], size.stores, size.warehouses, first["location"],
                                   before_history)
            _insert(s, Location, locs.rows)
            phases.done(task)

            task = phases.add("Catalogue", size.skus)
            catalog = build_catalog(rngs[1], size.skus, first, before_history)
            _insert(s, Category, catalog.categories)
            _insert(s, Product, catalog.products)
            _insert(s, Sku, catalog.skus)
            drawing = pictures.Drawing(media_dir, _picture_jobs(catalog), seed) if media_dir else None
            assort = assortments(rngs[1], catalog, locs.is_store)
            prices = store_prices(rngs[1], assort, locs.is_store, catalog.price)
            _insert(s, StorePrice, [dict(location_id=locs.rows[loc]["id"], sku_id=catalog.skus[sku]["id"], price_fen=p)
                                    for (loc, sku), p in sorted(prices.items())])
            phases.done(task)

            task = phases.add("Customers", size.customers)
            people = build_people(rngs[2], rnds[2], size.customers, locs, first, anchor, size.days)
            _insert(s, Customer, people.customers)
            _insert(s, Address, people.addresses)
            phases.done(task)

            sim = Simulator(rngs[3], rnds[3], locs, catalog, people, assort, prices, anchor, size.days)
            task = phases.add("History (simulate)", len(sim.local_days()) if size.days else 1)
            sales = sim.run(lambda n: phases.advance(task, n))
            phases.done(task)

            task = phases.add("Stock & receipts", len(locs.rows))
            counts["stock"], counts["receipts"] = _stock(s, rngs[4], locs, catalog, assort, sales, anchor, size.days,
                                                         lambda: phases.advance(task))

            task = phases.add("Orders", len(sales))
            completed: list[dict[str, Any]] = []
            for n, rows in OrderRows(rnds[5], locs, catalog, people, first).chunks(sales):
                for table, model in ORDER_TABLES.items():
                    _insert(s, model, rows[table])
                    counts[table] += len(rows[table])
                completed += [o for o in rows["sales_order"] if o["status"] == "completed"]
                phases.advance(task, n)
            _move_sequences(s, db.dialect, len(sales))

            task = phases.add("Points & tiers", 1)
            loyal = member_rows(random.Random(seed + 9), completed, loyalty_repo.tiers(s), loyalty_repo.rates(s),
                                anchor)
            for model, key in ((Spend, "loyalty_spend"), (PointsEntry, "points_entry"),
                               (PointsAccount, "points_account")):
                _insert(s, model, loyal[key])
                counts[key] = len(loyal[key])
            _insert(s, Reward, reward_rows(before_history))
            phases.done(task)

            if drawing is not None:  # drawn in other processes while the history was made
                task = phases.add("Pictures", len(catalog.products))
                drawn = perf_counter()
                _insert(s, ProductImage, [r | {"created_at": p["created_at"]}
                                          for r, p in zip(drawing.rows(), catalog.products, strict=True)])
                counts["pictures"] = len(catalog.products)
                counts["pictures_wait_ms"] = round((perf_counter() - drawn) * 1000)
                phases.done(task)

            task = phases.add("Search index", len(catalog.products))
            _search_index(s, catalog, sales)
            phases.done(task)
        s.commit()
    if gazetteer is not None:
        gazetteer_file.write(gazetteer, locs.rows)
    return _summary(size, seed, anchor, perf_counter() - started, locs, catalog, people.addresses, sales, prices,
                    counts)


def _picture_jobs(catalog: Catalog) -> list[tuple[int, str, str, str, str]]:
    """(product id, category code, category name, name_zh, name_en) for each product, in order."""
    cats = {c["id"]: c for c in catalog.categories}
    return [(p["id"], cats[p["category_id"]]["code"], cats[p["category_id"]]["name_zh"], p["name_zh"], p["name_en"])
            for p in catalog.products]


def _search_index(s: Session, catalog: Catalog, sales: list[Sale]) -> None:
    """The products' search rows (catalog.search): tokenised names, cheapest price, units sold."""
    product_of = [r["product_id"] for r in catalog.skus]
    units: dict[int, int] = defaultdict(int)
    for sale in sales:
        if sale.paid is not None:  # as the relay counts them: every paid order (catalog.handlers)
            for sku, qty, _ in sale.lines:
                units[product_of[sku]] += qty
    cheapest: dict[int, int] = {}
    for r in catalog.skus:
        if r["active"]:
            cheapest[r["product_id"]] = min(cheapest.get(r["product_id"], r["base_price_fen"]), r["base_price_fen"])
    _insert(s, ProductSearch, product_search.index_rows(catalog.products, cheapest, units))


def _stock(s: Session, rng: np.random.Generator, locs: Locations, catalog: Catalog, assort: list[np.ndarray],
           sales: list[Sale], anchor: datetime, days: int, tick: Any) -> tuple[int, int]:
    """Stock rows (final on_hand) and one receipt per row for on_hand + what the history sold from it."""
    sold_by_loc: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (loc, sku), qty in sold_totals(sales).items():
        sold_by_loc[loc].append((sku, qty))
    day0 = (anchor - timedelta(days=days + 1)).astimezone(SHANGHAI)
    received_at = day0.replace(hour=6, minute=0, second=0, microsecond=0).astimezone(UTC)
    sku_ids = np.array(catalog.ids, dtype=np.int64)
    stock_rows: list[dict[str, Any]] = []
    receipts: list[dict[str, Any]] = []
    n_stock = n_receipts = 0
    for loc, skus in enumerate(assort):
        on_hand, safety = opening_stock(rng, catalog, skus, bool(locs.is_store[loc]))
        sold = np.zeros(len(skus), dtype=np.int64)
        if sold_by_loc.get(loc):
            idx, qty = zip(*sold_by_loc[loc], strict=True)
            pos = np.minimum(np.searchsorted(skus, np.array(idx)), len(skus) - 1)
            if not np.array_equal(skus[pos], np.array(idx)):
                raise AssertionError(f"history sold SKUs location {loc} does not carry")
            sold[pos] = np.array(qty)
        lid, code = locs.rows[loc]["id"], locs.rows[loc]["code"]
        ref = f"GRN-{code}-{day0:%Y%m%d}"
        ids = sku_ids[skus].tolist()
        stock_rows.extend({"location_id": lid, "sku_id": k, "on_hand": o, "reserved": 0, "safety_stock": ss}
                          for k, o, ss in zip(ids, on_hand.tolist(), safety.tolist(), strict=True))
        receipts.extend({"location_id": lid, "sku_id": k, "kind": "receipt", "quantity": q, "ref": ref,
                         "reason": "opening stock", "at": received_at}
                        for k, q in zip(ids, (on_hand + sold).tolist(), strict=True) if q > 0)
        if len(stock_rows) >= CHUNK * 4 or loc == len(assort) - 1:
            _insert(s, Stock, stock_rows)
            _insert(s, StockMovement, receipts)
            n_stock, n_receipts = n_stock + len(stock_rows), n_receipts + len(receipts)
            stock_rows, receipts = [], []
        tick()
    return n_stock, n_receipts


def _move_sequences(s: Session, dialect: str, n_orders: int) -> None:
    """New rows must not collide with the explicit ids and order numbers we wrote."""
    if dialect == "postgresql":
        for table in ID_TABLES:
            s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"))
        if n_orders:
            s.execute(text("SELECT setval('seq_order_number', GREATEST(:n, (SELECT last_value FROM seq_order_number)))"),
                      {"n": n_orders})
    elif n_orders:
        s.execute(text("INSERT INTO counter (name, value) VALUES ('order_number', :n) "
                       "ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)"), {"n": n_orders})


def _summary(size: DemoSize, seed: int, anchor: datetime, seconds: float, locs: Locations, catalog: Catalog,
             addresses: list[dict[str, Any]], sales: list[Sale], prices: dict[tuple[int, int], int],
             counts: dict[str, int]) -> str:
    pos = sum(1 for x in sales if x.channel == "pos")
    return (f"Demo chain generated in {seconds:.1f} s (seed {seed}, history of {size.days} days up to "
            f"{anchor.astimezone(SHANGHAI):%Y-%m-%d %H:%M} Asia/Shanghai): {size.stores:,} stores and "
            f"{size.warehouses:,} warehouses in Shanghai; {len(catalog.categories)} categories, "
            f"{len(catalog.products):,} products, {len(catalog.skus):,} SKUs ({len(prices):,} store prices); "
            f"{counts['stock']:,} stock rows; {size.customers:,} customers with {len(addresses):,} addresses; "
            f"{len(sales):,} orders ({len(sales) - pos:,} online, {pos:,} at the till) with "
            f"{counts['order_line']:,} lines, {counts['payment']:,} payments and {counts['fulfillment_order']:,} "
            f"fulfilments; {counts['receipts'] + counts['stock_movement']:,} stock ledger rows."
            + (f" {counts['pictures']:,} product pictures drawn (waited {counts['pictures_wait_ms'] / 1000:.1f} s "
               "for them after the history)." if counts.get("pictures") else ""))
