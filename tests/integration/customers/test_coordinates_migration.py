"""Migration 0005 on a database at 0004: home, address and ship-to coordinates, stored as plain floats,
are sealed in place and read back as exactly the same floats (and come back as floats on downgrade)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from o2o.customers.models import Address, Customer
from o2o.kernel import pii
from o2o.kernel.db import Database, make_engine
from o2o.kernel.migrate import downgrade, upgrade
from o2o.orders.models import Order
from tests.conftest import blank_database_url
from tests.integration.customers.test_pii_at_rest import _in_the_clear, _raw_bytes

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
STORE = (31.22, 121.43)  # a location's coordinates: meant to stay in the clear
# per customer: home, address, ship-to (None: not given). Six decimals like the demo's, and floats
# that need all 17 significant digits (SQLite's REAL -> TEXT cast keeps 15, so would not round-trip)
HOMES = [(31.221234, 121.431234), None, (31.123456789012345, 121.98765432109876)]
ADDRESSES = [(31.221234, 121.431234), (31.2045671, 121.4598761), (0.1 + 0.2, -33.868820000000006)]
SHIP_TO = [(31.221234, 121.431234), None, (31.123456789012345, 121.98765432109876)]
PLAIN = sorted({x for group in (HOMES, ADDRESSES, SHIP_TO) for pair in group if pair for x in pair})


@pytest.fixture
def db_at_0004(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path) -> Iterator[Database]:
    """An empty database migrated to 0004 (where the previous version stopped)."""
    url = blank_database_url(request, db_kind, tmp_path / "at0004.db")
    engine = make_engine(url)
    upgrade(engine, "0004")
    db = Database(engine)
    yield db
    db.dispose()


def _fill_like_the_previous_version(db: Database) -> None:
    """Rows as 0004's code wrote them: personal text sealed, coordinates plain floats. Each customer has
    children (an address, an order with its history, a password row), so the rebuild must keep them."""
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO location (id, code, kind, name_zh, name_en, district, address, lat, lng, h3_cell, timezone,"
            " opening_hours, can_pickup, can_store_delivery, can_parcel, delivery_radius_m, hourly_capacity,"
            " daily_capacity, active, created_at) VALUES (1, 'S1', 'store', '愚园路店', 'Yuyuan Rd', '长宁区',"
            " '长宁区愚园路 1 号', :lat, :lng, '8830e1c8c1fffff', 'Asia/Shanghai', '{}', :t, :t, :f, 3000, 40, 400,"
            " :t, :at)"), {"lat": STORE[0], "lng": STORE[1], "t": True, "f": False, "at": T0})
        for i, (home, addr, ship) in enumerate(zip(HOMES, ADDRESSES, SHIP_TO, strict=True), start=1):
            conn.execute(text("INSERT INTO customer (id, name, phone, home_lat, home_lng, created_at)"
                              " VALUES (:i, :n, :p, :la, :ln, :at)"),
                         {"i": i, "n": f"客户{i}", "p": pii.encrypt(f"1380000000{i}"),
                          "la": home[0] if home else None, "ln": home[1] if home else None, "at": T0})
            conn.execute(text("INSERT INTO customer_password (customer_id, password_hash, updated_at)"
                              " VALUES (:i, 'x', :at)"), {"i": i, "at": T0})
            conn.execute(text("INSERT INTO address (id, customer_id, label, recipient, phone, district, line, lat, lng,"
                              " created_at) VALUES (:i, :i, '家', :r, :p, '长宁区', :l, :la, :ln, :at)"),
                         {"i": i, "r": pii.encrypt(f"客户{i}"), "p": pii.encrypt(f"1380000000{i}"),
                          "l": pii.encrypt(f"愚园路 {i} 号"), "la": addr[0], "ln": addr[1], "at": T0})
            conn.execute(text(
                "INSERT INTO sales_order (id, number, customer_id, channel, status, wanted_mode, mode,"
                " fulfil_location_id, route_reason, ship_lat, ship_lng, ship_address, subtotal_fen, delivery_fee_fen,"
                " discount_fen, total_fen, currency, created_at) VALUES (:i, :num, :i, 'app', 'completed', 'auto',"
                " :mode, 1, 'nearest', :la, :ln, :l, 1000, 500, 0, 1500, 'CNY', :at)"),
                {"i": i, "num": f"SO20261101{i:06d}", "mode": "store_delivery" if ship else "pickup",
                 "la": ship[0] if ship else None, "ln": ship[1] if ship else None,
                 "l": pii.encrypt(f"愚园路 {i} 号") if ship else None, "at": T0})
            conn.execute(text("INSERT INTO order_history (order_id, from_status, to_status, actor, note, at)"
                              " VALUES (:i, NULL, 'pending_payment', 'app', '', :at)"), {"i": i, "at": T0})


def _read(db: Database) -> tuple[list, list, list]:
    with db.read() as s:
        homes = [(c.home_lat, c.home_lng) for c in s.scalars(select(Customer).order_by(Customer.id))]
        addrs = [(a.lat, a.lng) for a in s.scalars(select(Address).order_by(Address.id))]
        ships = [(o.ship_lat, o.ship_lng) for o in s.scalars(select(Order).order_by(Order.id))]
    return homes, addrs, ships


def _leaked(raw: bytes, db_kind: str) -> list[float]:
    return [x for x in PLAIN if _in_the_clear(raw, x, db_kind)]


def _expected() -> tuple[list, list, list]:
    none = (None, None)
    return [h or none for h in HOMES], list(ADDRESSES), [s or none for s in SHIP_TO]


def test_upgrade_seals_plain_coordinates_in_place_and_they_read_back_exactly(
        db_at_0004: Database, db_kind: str, request: pytest.FixtureRequest) -> None:
    db = db_at_0004
    _fill_like_the_previous_version(db)
    raw = _raw_bytes(db, db_kind, request)
    assert _leaked(raw, db_kind) == PLAIN  # the scan sees them while they are plain

    upgrade(db.engine)

    homes, addrs, ships = _read(db)
    assert (homes, addrs, ships) == _expected()
    assert [repr(x) for pair in addrs for x in pair] == [repr(x) for pair in ADDRESSES for x in pair]
    with db.read() as s:
        stored = s.execute(text("SELECT home_lat, home_lng FROM customer ORDER BY id")).all()
        assert [tuple(v is None for v in row) for row in stored] == [(False, False), (True, True), (False, False)]
        stored += s.execute(text("SELECT lat, lng FROM address UNION ALL SELECT ship_lat, ship_lng FROM sales_order"
                                 " WHERE ship_lat IS NOT NULL")).all()
        assert all(v.startswith("k1$") for row in stored for v in row if v is not None)
        assert s.scalars(select(Customer.phone).order_by(Customer.id)).all() == [f"1380000000{i}" for i in (1, 2, 3)]
        assert s.scalars(select(Order.ship_address).order_by(Order.id)).all() == ["愚园路 1 号", None, "愚园路 3 号"]
        assert s.execute(text("SELECT count(*) FROM order_history")).scalar() == 3
        assert s.execute(text("SELECT count(*) FROM customer_password")).scalar() == 3
        if db.dialect == "sqlite":
            assert s.execute(text("PRAGMA foreign_key_check")).all() == []
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    ix = inspect(db.engine)
    assert {"ix_sales_order_customer", "ix_sales_order_location_created", "ix_sales_order_status_expires"} <= {
        i["name"] for i in ix.get_indexes("sales_order")}
    assert "ix_address_customer_id" in {i["name"] for i in ix.get_indexes("address")}
    assert {c["name"]: c["nullable"] for c in ix.get_columns("address")}["lat"] is False

    raw = _raw_bytes(db, db_kind, request)
    assert _in_the_clear(raw, STORE[0], db_kind)  # the scan sees a float meant to be plain
    assert _leaked(raw, db_kind) == []


def test_downgrade_gives_the_same_plain_floats_back(db_at_0004: Database, db_kind: str) -> None:
    db = db_at_0004
    _fill_like_the_previous_version(db)
    upgrade(db.engine, "0005")

    downgrade(db.engine, "0004")
    with db.engine.connect() as conn:
        homes = [tuple(r) for r in conn.execute(text("SELECT home_lat, home_lng FROM customer ORDER BY id"))]
        addrs = [tuple(r) for r in conn.execute(text("SELECT lat, lng FROM address ORDER BY id"))]
        ships = [tuple(r) for r in conn.execute(text("SELECT ship_lat, ship_lng FROM sales_order ORDER BY id"))]
        assert all(isinstance(x, float) for pair in addrs for x in pair)
        if db.dialect == "sqlite":
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    assert (homes, addrs, ships) == _expected()

    upgrade(db.engine)
    assert _read(db) == _expected()
