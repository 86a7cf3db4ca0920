"""Migration 0017 on a database at 0010: order lines from before get their product's name in both
languages from the catalog (name and spec, as pricing names them); a line whose SKU has no spec gets the
bare name; the downgrade drops the columns and keeps the lines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from o2o.kernel.db import Database, make_engine
from o2o.kernel.migrate import downgrade, upgrade
from tests.conftest import blank_database_url

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def db_before(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path) -> Iterator[Database]:
    url = blank_database_url(request, db_kind, tmp_path / "before.db")
    engine = make_engine(url)
    upgrade(engine, "0010")
    db = Database(engine)
    yield db
    db.dispose()


def _fill(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO category (id, code, name_zh, name_en) VALUES (1, 'dairy', '乳品', 'Dairy')"))
        conn.execute(text("INSERT INTO product (id, category_id, name_zh, name_en, active, created_at)"
                          " VALUES (1, 1, '光明纯牛奶', 'Bright Milk', :t, :at), (2, 1, '酸奶', 'Yogurt', :t, :at)"),
                     {"t": True, "at": T0})
        conn.execute(text("INSERT INTO sku (id, product_id, code, barcode, spec, unit, base_price_fen, active)"
                          " VALUES (1, 1, 'M1', '690001', '250ml', '盒', 350, :t), (2, 2, 'Y1', '690002', '', '杯', 500, :t)"),
                     {"t": True})
        conn.execute(text(
            "INSERT INTO location (id, code, kind, name_zh, name_en, district, address, lat, lng, h3_cell, timezone,"
            " opening_hours, can_pickup, can_store_delivery, can_parcel, delivery_radius_m, hourly_capacity,"
            " daily_capacity, active, created_at) VALUES (1, 'S1', 'store', '愚园路店', 'Yuyuan Rd', '长宁区',"
            " '长宁区愚园路 1 号', 31.22, 121.43, '8830e1c8c1fffff', 'Asia/Shanghai', '{}', :t, :t, :f, 3000, 40, 400,"
            " :t, :at)"), {"t": True, "f": False, "at": T0})
        conn.execute(text(
            "INSERT INTO sales_order (id, number, customer_id, channel, status, wanted_mode, mode,"
            " fulfil_location_id, route_reason, subtotal_fen, delivery_fee_fen, discount_fen, total_fen,"
            " currency, created_at) VALUES (1, 'SO20261101000001', NULL, 'app', 'completed', 'auto', 'pickup', 1,"
            " 'chosen store has every line', 850, 0, 0, 850, 'CNY', :at)"), {"at": T0})
        conn.execute(text("INSERT INTO order_line (id, order_id, sku_id, name, quantity, unit_price_fen, line_total_fen)"
                          " VALUES (1, 1, 1, '光明纯牛奶 250ml', 1, 350, 350), (2, 1, 2, 'Yogurt', 1, 500, 500)"))


def _lines(db: Database) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, name, name_zh, name_en FROM order_line ORDER BY id"))]


def test_upgrade_fills_both_names_from_the_catalog_and_downgrade_drops_them(db_before: Database) -> None:
    db = db_before
    _fill(db)
    upgrade(db.engine, "0017")
    assert _lines(db) == [(1, "光明纯牛奶 250ml", "光明纯牛奶 250ml", "Bright Milk 250ml"),
                          (2, "Yogurt", "酸奶", "Yogurt")]
    downgrade(db.engine, "0010")
    assert {c["name"] for c in inspect(db.engine).get_columns("order_line")} & {"name_zh", "name_en"} == set()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM order_line")).scalar() == 2
    upgrade(db.engine)  # every head, 0017 with the others
    assert _lines(db)[0] == (1, "光明纯牛奶 250ml", "光明纯牛奶 250ml", "Bright Milk 250ml")
