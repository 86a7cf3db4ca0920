"""Migration 0002 on a database the previous version filled: personal data is encrypted in place."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from o2o.customers import service as customers
from o2o.customers.models import Address, Customer
from o2o.kernel.db import Database, make_engine
from o2o.kernel.idempotency import IdempotencyRecord
from o2o.kernel.migrate import upgrade
from o2o.kernel.outbox import OutboxEvent
from o2o.orders.models import Order
from tests.conftest import blank_database_url
from tests.pgserver import PgServer

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
PHONES = ["13800000001", "13800000002", "13800000003"]
LINE = "长宁区愚园路 1000 弄 7 号 302 室"


@pytest.fixture
def old_db(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path) -> Iterator[tuple[Database, str]]:
    """An empty database migrated to 0001 only (where the previous version stopped)."""
    url = blank_database_url(request, db_kind, tmp_path / "old.db")
    engine = make_engine(url)
    upgrade(engine, "0001")
    db = Database(engine)
    yield db, url
    db.dispose()


def _fill_like_the_previous_version(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO location (id, code, kind, name_zh, name_en, district, address, lat, lng, h3_cell, timezone,"
            " opening_hours, can_pickup, can_store_delivery, can_parcel, delivery_radius_m, hourly_capacity,"
            " daily_capacity, active, created_at) VALUES (1, 'S1', 'store', '愚园路店', 'Yuyuan Rd', '长宁区',"
            " '长宁区愚园路 1 号', 31.22, 121.43, '8830e1c8c1fffff', 'Asia/Shanghai', '{}', :t, :t, :f, 3000, 40, 400,"
            " :t, :at)"), {"t": True, "f": False, "at": T0})
        for i, phone in enumerate(PHONES, start=1):
            conn.execute(text("INSERT INTO customer (id, name, phone, home_lat, home_lng, created_at)"
                              " VALUES (:i, :n, :p, 31.2212345, 121.4312345, :at)"),
                         {"i": i, "n": f"客户{i}", "p": phone, "at": T0})
            conn.execute(text("INSERT INTO address (id, customer_id, label, recipient, phone, district, line, lat, lng,"
                              " created_at) VALUES (:i, :i, '家', :n, :p, '长宁区', :l, 31.22, 121.43, :at)"),
                         {"i": i, "n": f"客户{i}", "p": phone, "l": f"{LINE} {i}", "at": T0})
            conn.execute(text(
                "INSERT INTO sales_order (id, number, customer_id, channel, status, wanted_mode, mode,"
                " fulfil_location_id, route_reason, ship_lat, ship_lng, ship_address, subtotal_fen, delivery_fee_fen,"
                " discount_fen, total_fen, currency, created_at) VALUES (:i, :num, :i, 'app', 'completed', 'auto',"
                " 'store_delivery', 1, 'nearest', 31.22, 121.43, :l, 1000, 500, 0, 1500, 'CNY', :at)"),
                {"i": i, "num": f"SO20261101{i:06d}", "l": f"{LINE} {i}", "at": T0})
        conn.execute(text("INSERT INTO outbox_event (topic, payload, created_at, available_at, attempts)"
                          " VALUES ('sms.requested', :p, :at, :at, 0)"), {"p": f'{{"phone": "{PHONES[0]}"}}', "at": T0})
        conn.execute(text("INSERT INTO idempotency_key (scope, key, request_hash, status_code, body, created_at)"
                          " VALUES ('orders:1', 'k-1', :h, 201, :b, :at)"),
                     {"h": "0" * 64, "b": f'{{"ship_address": "{LINE} 1"}}', "at": T0})


def _raw_bytes(db: Database, url: str, request: pytest.FixtureRequest) -> bytes:
    db.dispose()
    if db.dialect == "sqlite":
        path = Path(url.split("///", 1)[1])
        with sqlite3.connect(path) as con:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return path.read_bytes()
    server: PgServer = request.getfixturevalue("_pg_server")
    return subprocess.run([str(server.bin_dir / "pg_dump"), "-h", server.host, "-p", str(server.port), "-U",
                           "postgres", db.engine.url.database or ""], capture_output=True, check=True).stdout


def test_upgrade_encrypts_existing_personal_data_in_place(old_db: tuple[Database, str],
                                                           request: pytest.FixtureRequest) -> None:
    db, url = old_db
    _fill_like_the_previous_version(db)
    assert PHONES[0].encode() in _raw_bytes(db, url, request)  # the plaintext was there before

    upgrade(db.engine)

    with db.read() as s:
        rows = s.execute(select(Customer.id, Customer.phone, Customer.email, Customer.erased_at)
                         .order_by(Customer.id)).all()
        assert [(r.phone, r.email, r.erased_at) for r in rows] == [(p, None, None) for p in PHONES]
        assert [customers.find_by_phone(s, p) for p in PHONES] == [1, 2, 3]
        assert [(a.recipient, a.phone, a.line) for a in s.scalars(select(Address).order_by(Address.id))] == [
            (f"客户{i}", p, f"{LINE} {i}") for i, p in enumerate(PHONES, start=1)]
        orders = s.scalars(select(Order).order_by(Order.id)).all()
        assert [(o.number, o.total_fen, o.ship_address) for o in orders] == [
            (f"SO20261101{i:06d}", 1500, f"{LINE} {i}") for i in (1, 2, 3)]
        assert s.scalars(select(OutboxEvent.payload)).one() == {"phone": PHONES[0]}
        assert s.scalars(select(IdempotencyRecord.body)).one() == {"ship_address": f"{LINE} 1"}
        stored = s.execute(text("SELECT phone, phone_hash FROM customer ORDER BY id")).all()
        assert all(p.startswith("k1$") and len(h) == 64 for p, h in stored)
        if db.dialect == "sqlite":
            assert s.execute(text("PRAGMA foreign_key_check")).all() == []
    indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("sales_order")}
    assert {"ix_sales_order_customer", "ix_sales_order_location_created", "ix_sales_order_status_expires"} <= indexes

    raw = _raw_bytes(db, url, request)
    assert "愚园路店".encode() in raw  # the scan sees plaintext that is meant to be there
    leaked = [v for v in [*PHONES, *(f"{LINE} {i}" for i in (1, 2, 3))] if v.encode() in raw]
    assert leaked == []
