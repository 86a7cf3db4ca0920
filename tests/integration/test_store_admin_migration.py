"""Migration 0020 on a database that already holds stores with orders referencing them, on SQLite and
PostgreSQL: location.online_paused is added in place (false for every store, no table rebuild), the
paid_at index too, and the downgrade takes both away again with the rows intact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from o2o.kernel.db import Database, make_engine
from o2o.kernel.migrate import downgrade, upgrade
from tests.conftest import blank_database_url


@pytest.fixture
def db_at_0010(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path) -> Iterator[Database]:
    engine = make_engine(blank_database_url(request, db_kind, tmp_path / "at0010.db"))
    upgrade(engine, "0010")
    db = Database(engine)
    yield db
    db.dispose()


def _columns(db: Database) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("location")}


def _indexes(db: Database) -> set[str]:
    return {i["name"] for i in inspect(db.engine).get_indexes("sales_order")}


def test_online_paused_added_in_place_and_taken_away(db_at_0010: Database) -> None:
    db = db_at_0010
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO location (code, kind, name_zh, name_en, district, address, lat, lng, h3_cell, timezone,"
            " opening_hours, can_pickup, can_store_delivery, can_parcel, delivery_radius_m, hourly_capacity,"
            " daily_capacity, active, created_at) VALUES ('XJH', 'store', '徐家汇店', 'XJH', '', '', 31.19,"
            " 121.43, '8a309a', 'Asia/Shanghai', '{}', true, true, false, 3000, 60, 600, true,"
            " '2026-11-24 02:00:00+00:00')"))
        conn.execute(text(
            "INSERT INTO sales_order (number, channel, status, wanted_mode, mode, fulfil_location_id, route_reason,"
            " subtotal_fen, delivery_fee_fen, discount_fen, total_fen, currency, created_at)"
            " SELECT 'SO1', 'h5', 'pending_payment', 'pickup', 'pickup', id, '', 100, 0, 0, 100, 'CNY',"
            " '2026-11-24 02:00:00+00:00' FROM location"))
    upgrade(db.engine)
    assert "online_paused" in _columns(db) and "ix_sales_order_paid_at" in _indexes(db)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT code, online_paused FROM location")).all() == [("XJH", False)]
        assert conn.execute(text("SELECT count(*) FROM sales_order")).scalar() == 1
    downgrade(db.engine, "0020@-1")
    assert "online_paused" not in _columns(db) and "ix_sales_order_paid_at" not in _indexes(db)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT code FROM location")).all() == [("XJH",)]
    upgrade(db.engine)
    assert "online_paused" in _columns(db)
