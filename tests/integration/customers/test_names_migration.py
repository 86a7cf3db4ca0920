"""Migration 0010 on a database at 0009: customers' names, stored in the clear, are sealed in place and
read back the same (and come back in the clear on downgrade)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from o2o.customers import service as customers
from o2o.customers.models import Customer
from o2o.kernel import pii
from o2o.kernel.db import Database, make_engine
from o2o.kernel.migrate import downgrade, upgrade
from tests.conftest import blank_database_url
from tests.integration.customers.test_pii_at_rest import _raw_bytes

BEFORE = "0009"  # the revision 0010 follows
T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
STORE = "愚园路店"  # meant to stay in the clear: the scan's sanity check
# one at the old column's full width (80), one erased (its pseudonym), Latin letters, a quote
NAMES = ["欧阳娜娜", "司马" + "长" * 78, "已注销用户2", "Zoë O'Brien", "上官婉儿"]


@pytest.fixture
def db_before(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path) -> Iterator[Database]:
    """An empty database migrated to 0009 (where the previous version stopped)."""
    url = blank_database_url(request, db_kind, tmp_path / "before.db")
    engine = make_engine(url)
    upgrade(engine, BEFORE)
    db = Database(engine)
    yield db
    db.dispose()


def _fill_like_the_previous_version(db: Database) -> None:
    """Rows as 0009's code wrote them: the name in the clear, everything else personal sealed. Each customer
    has children (an address, an order with its history, a password row), so the rebuild must keep them."""
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO location (id, code, kind, name_zh, name_en, district, address, lat, lng, h3_cell, timezone,"
            " opening_hours, can_pickup, can_store_delivery, can_parcel, delivery_radius_m, hourly_capacity,"
            " daily_capacity, active, created_at) VALUES (1, 'S1', 'store', :store, 'Yuyuan Rd', '长宁区',"
            " '长宁区愚园路 1 号', 31.22, 121.43, '8830e1c8c1fffff', 'Asia/Shanghai', '{}', :t, :t, :f, 3000, 40, 400,"
            " :t, :at)"), {"store": STORE, "t": True, "f": False, "at": T0})
        for i, name in enumerate(NAMES, start=1):
            phone = f"1380000000{i}"
            conn.execute(text("INSERT INTO customer (id, name, phone, phone_hash, home_lat, home_lng, created_at)"
                              " VALUES (:i, :n, :p, :h, :la, :ln, :at)"),
                         {"i": i, "n": name, "p": pii.encrypt(phone), "h": pii.lookup_hash(phone),
                          "la": pii.keyring().encrypt_float(31.2), "ln": pii.keyring().encrypt_float(121.4), "at": T0})
            conn.execute(text("INSERT INTO customer_password (customer_id, password_hash, updated_at)"
                              " VALUES (:i, 'x', :at)"), {"i": i, "at": T0})
            conn.execute(text("INSERT INTO address (id, customer_id, label, recipient, phone, district, line, lat, lng,"
                              " created_at) VALUES (:i, :i, '家', :r, :p, '长宁区', :l, :la, :ln, :at)"),
                         {"i": i, "r": pii.encrypt(name), "p": pii.encrypt(phone), "l": pii.encrypt(f"愚园路 {i} 号"),
                          "la": pii.keyring().encrypt_float(31.2), "ln": pii.keyring().encrypt_float(121.4), "at": T0})
            conn.execute(text(
                "INSERT INTO sales_order (id, number, customer_id, channel, status, wanted_mode, mode,"
                " fulfil_location_id, route_reason, subtotal_fen, delivery_fee_fen, discount_fen, total_fen,"
                " currency, created_at) VALUES (:i, :num, :i, 'app', 'completed', 'auto', 'pickup', 1, 'nearest',"
                " 1000, 0, 0, 1000, 'CNY', :at)"), {"i": i, "num": f"SO20261101{i:06d}", "at": T0})
            conn.execute(text("INSERT INTO order_history (order_id, from_status, to_status, actor, note, at)"
                              " VALUES (:i, NULL, 'pending_payment', 'app', '', :at)"), {"i": i, "at": T0})


def _leaked(raw: bytes) -> list[str]:
    return [n for n in NAMES if n.encode() in raw]


def test_upgrade_seals_plain_names_in_place_and_they_read_back_the_same(
        db_before: Database, db_kind: str, request: pytest.FixtureRequest) -> None:
    db = db_before
    _fill_like_the_previous_version(db)
    assert _leaked(_raw_bytes(db, db_kind, request)) == NAMES  # the scan sees them while they are plain

    upgrade(db.engine)

    with db.read() as s:
        assert s.scalars(select(Customer.name).order_by(Customer.id)).all() == NAMES
        assert [customers.find_by_phone(s, f"1380000000{i}") for i in range(1, 6)] == [1, 2, 3, 4, 5]
        stored = s.scalars(text("SELECT name FROM customer ORDER BY id")).all()
        assert all(v.startswith("k1$") for v in stored) and len(set(stored)) == len(NAMES)
        for table in ("customer_password", "address", "sales_order", "order_history"):
            assert s.execute(text(f"SELECT count(*) FROM {table}")).scalar() == len(NAMES)
        if db.dialect == "sqlite":
            assert s.execute(text("PRAGMA foreign_key_check")).all() == []
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert customers.get(db, 1).name == NAMES[0]

    raw = _raw_bytes(db, db_kind, request)
    assert STORE.encode() in raw  # the scan sees text meant to be plain
    assert _leaked(raw) == []


def test_downgrade_gives_the_same_plain_names_back(db_before: Database, db_kind: str) -> None:
    db = db_before
    _fill_like_the_previous_version(db)
    upgrade(db.engine)

    downgrade(db.engine, BEFORE)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM customer ORDER BY id")).scalars().all() == NAMES
        if db.dialect == "sqlite":
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        assert conn.execute(text("SELECT count(*) FROM address")).scalar() == len(NAMES)

    upgrade(db.engine)
    with db.read() as s:
        assert s.scalars(select(Customer.name).order_by(Customer.id)).all() == NAMES
