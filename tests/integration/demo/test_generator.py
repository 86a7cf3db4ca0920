"""The demo chain generator, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from o2o.catalog.models import Sku
from o2o.customers.models import Address, Customer
from o2o.demo.generator import DemoSize, generate
from o2o.inventory import service as inventory
from o2o.inventory.models import Stock, StockMovement
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.db import Database
from o2o.kernel.geo import haversine_m
from o2o.kernel.sequences import next_value
from o2o.locations.models import Location
from o2o.orders.models import Order, OrderLine, Payment
from o2o.orders.pricing import delivery_fee
from tests.conftest import new_database_url

SMALL = DemoSize(stores=8, warehouses=1, skus=120, customers=150, days=14)
ANCHOR = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
SEED = 7


@pytest.fixture(scope="module")
def small(request: pytest.FixtureRequest, db_kind: str) -> Iterator[Database]:
    """One small chain per database kind, shared by the read-only tests of this module."""
    db = Database.from_url(new_database_url(request, db_kind))
    generate(db, SMALL, seed=SEED, anchor=ANCHOR)
    yield db
    db.dispose()


def _rows(db: Database, model: type, order_by: str = "id") -> list[tuple]:
    table = model.__table__  # type: ignore[attr-defined]
    with db.read() as s:
        return [tuple(r) for r in s.execute(select(table).order_by(table.c[order_by]))]


def test_counts_match_the_size_when_generated(small: Database) -> None:
    with small.read() as s:
        kinds = dict(s.execute(select(Location.kind, func.count()).group_by(Location.kind)).all())
        assert kinds == {"store": SMALL.stores, "warehouse": SMALL.warehouses}
        assert s.scalar(select(func.count()).select_from(Sku)) == SMALL.skus
        assert s.scalar(select(func.count()).select_from(Customer)) == SMALL.customers
        assert s.scalar(select(func.count()).select_from(Address)) >= SMALL.customers
        orders = s.scalar(select(func.count()).select_from(Order))
        assert orders and SMALL.customers * 6 * SMALL.days / 90 * 0.6 < orders < SMALL.customers * 6 * SMALL.days / 90 * 1.6


def test_stock_invariants_hold_when_generated(small: Database) -> None:
    report = inventory.check(small)
    assert report.ok, (report.ledger_mismatches[:5], report.reserved_mismatches[:5], report.negatives[:5])
    assert report.stock_rows > 0
    with small.read() as s:
        assert s.scalar(select(func.max(Stock.reserved))) == 0
        assert s.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.kind == "online_sale"))
        assert s.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.kind == "pos_sale"))


def test_stock_never_negative_in_time_when_replaying_the_ledger(small: Database) -> None:
    with small.read() as s:
        rows = s.execute(select(StockMovement.location_id, StockMovement.sku_id, StockMovement.quantity)
                         .order_by(StockMovement.at, StockMovement.id)).all()
    balance: dict[tuple[int, int], int] = defaultdict(int)
    for loc, sku, qty in rows:
        balance[(loc, sku)] += qty
        assert balance[(loc, sku)] >= 0


def test_order_lines_sum_to_the_subtotal_when_generated(small: Database) -> None:
    with small.read() as s:
        sums = dict(s.execute(select(OrderLine.order_id, func.sum(OrderLine.line_total_fen))
                              .group_by(OrderLine.order_id)).all())
        bad_lines = s.scalar(select(func.count()).select_from(OrderLine)
                             .where(OrderLine.line_total_fen != OrderLine.unit_price_fen * OrderLine.quantity))
        orders = s.execute(select(Order.id, Order.mode, Order.subtotal_fen, Order.delivery_fee_fen, Order.total_fen)).all()
    assert bad_lines == 0
    for oid, mode, subtotal, fee, total in orders:
        assert sums[oid] == subtotal
        assert fee == delivery_fee(mode, subtotal)
        assert total == subtotal + fee


def test_order_numbers_are_unique_and_continue_when_generated(small: Database) -> None:
    with small.read() as s:
        rows = s.execute(select(Order.number, Order.created_at).order_by(Order.id)).all()
    numbers = [n for n, _ in rows]
    assert len(set(numbers)) == len(numbers)
    for i, (number, created) in enumerate(rows, start=1):
        assert re.fullmatch(r"SO\d{14}", number)
        assert number == f"SO{created.astimezone(SHANGHAI):%Y%m%d}{i:06d}"
    with small.write_sessions() as s:
        assert next_value(s, "order_number") == len(numbers) + 1
        s.rollback()


def test_new_rows_get_fresh_ids_when_generated(small: Database) -> None:
    """Explicit ids were written: the id sequences (PostgreSQL) must have moved past them."""
    with small.write_sessions() as s:
        max_id = s.scalar(select(func.max(Customer.id)))
        new_id = s.scalar(text("INSERT INTO customer (name, phone, created_at) VALUES ('新客', '19900000000', "
                               ":t) RETURNING id"), {"t": ANCHOR})
        s.rollback()
    assert new_id > max_id


def test_only_carried_skus_are_sold_when_generated(small: Database) -> None:
    with small.read() as s:
        sold = s.execute(select(Order.fulfil_location_id, OrderLine.sku_id).join(Order, Order.id == OrderLine.order_id)
                         ).all()
        carried = set(s.execute(select(Stock.location_id, Stock.sku_id)).all())
    assert sold and all(tuple(x) in carried for x in sold)


def test_paid_online_orders_have_a_payment_and_unpaid_ones_sell_nothing(small: Database) -> None:
    with small.read() as s:
        orders = s.execute(select(Order.id, Order.number, Order.status, Order.channel, Order.paid_at)).all()
        paid = {oid for (oid,) in s.execute(select(Payment.order_id).where(Payment.status == "succeeded"))}
        moved = {ref for (ref,) in s.execute(select(StockMovement.ref).where(StockMovement.kind != "receipt"))}
    statuses = {st for _, _, st, _, _ in orders}
    assert "completed" in statuses
    for oid, number, status, _channel, paid_at in orders:
        if status in ("cancelled", "expired"):
            assert paid_at is None and oid not in paid and number not in moved
        else:
            assert paid_at is not None and oid in paid and number in moved


def test_barcodes_and_phones_are_valid_and_unique_when_generated(small: Database) -> None:
    with small.read() as s:
        barcodes = s.scalars(select(Sku.barcode)).all()
        phones = s.scalars(select(Customer.phone)).all()
    assert len(set(barcodes)) == len(barcodes) and len(set(phones)) == len(phones)
    for code in barcodes:
        assert re.fullmatch(r"69\d{11}", code)
        assert sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code)) % 10 == 0
    assert all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)


def test_online_orders_are_routed_like_the_router_would(small: Database) -> None:
    with small.read() as s:
        rows = s.execute(select(Order.mode, Order.distance_m, Location.kind, Location.delivery_radius_m,
                                Location.can_store_delivery, Order.ship_address)
                         .join(Location, Location.id == Order.fulfil_location_id).where(Order.channel != "pos")).all()
    modes = {r[0] for r in rows}
    assert {"pickup", "store_delivery", "parcel"} <= modes
    for mode, distance, kind, radius, delivers, ship_address in rows:
        if mode == "store_delivery":
            assert kind == "store" and delivers and distance <= radius and ship_address
        elif mode == "parcel":
            assert kind == "warehouse" and ship_address
        else:
            assert kind == "store"


def test_every_store_has_stock_when_generated(small: Database) -> None:
    with small.read() as s:
        stores = set(s.scalars(select(Location.id).where(Location.kind == "store")))
        with_stock = set(s.scalars(select(Stock.location_id).where(Stock.on_hand > 0).distinct()))
    assert stores <= with_stock


def test_most_customers_live_within_3_km_of_a_store(small: Database) -> None:
    with small.read() as s:
        stores = s.execute(select(Location.lat, Location.lng).where(Location.kind == "store")).all()
        homes = s.execute(select(Customer.home_lat, Customer.home_lng)).all()
    near = sum(1 for h in homes if min(haversine_m(h[0], h[1], st[0], st[1]) for st in stores) <= 3000)
    assert near / len(homes) >= 0.8


def test_same_seed_and_anchor_give_the_same_chain(small: Database, fresh_db: Database) -> None:
    generate(fresh_db, SMALL, seed=SEED, anchor=ANCHOR)
    for model in (Location, Sku, Customer, Address):
        assert _rows(fresh_db, model) == _rows(small, model)
    assert _rows(fresh_db, Order) == _rows(small, Order)


def test_refuses_when_the_database_has_locations(small: Database) -> None:
    with pytest.raises(RuntimeError, match="already has locations"):
        generate(small, SMALL, seed=SEED, anchor=ANCHOR)


def test_weekends_are_busier_than_weekdays(fresh_db: Database) -> None:
    generate(fresh_db, DemoSize(stores=10, warehouses=1, skus=150, customers=600, days=28), seed=3, anchor=ANCHOR)
    with fresh_db.read() as s:
        created = s.scalars(select(Order.created_at)).all()
    per_day: dict = defaultdict(int)
    for t in created:
        per_day[t.astimezone(SHANGHAI).date()] += 1
    days = sorted(per_day)[1:-1]  # the first and last local days are partial
    weekend = [per_day[d] for d in days if d.weekday() >= 5]
    weekday = [per_day[d] for d in days if d.weekday() < 5]
    assert sum(weekend) / len(weekend) > 1.15 * sum(weekday) / len(weekday)
