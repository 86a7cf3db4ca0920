"""Migration 0026 (stock.oversold, stock.flagged_at) on a database holding stock, both databases: added in
place (0 and none for every line), taken away by the downgrade with the stock intact, and back again."""

from __future__ import annotations

from sqlalchemy import inspect, text

from o2o.kernel.db import Database
from o2o.kernel.migrate import downgrade, upgrade
from tests.factories.raw import seed_stock


def _columns(db: Database) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("stock")}


def test_stock_flags_added_in_place_and_taken_away(fresh_db: Database) -> None:
    db = fresh_db
    loc, sku = seed_stock(db, on_hand=7)
    downgrade(db.engine, "0026@-1")
    assert not {"oversold", "flagged_at"} & _columns(db)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT on_hand FROM stock WHERE location_id = :l AND sku_id = :s"),
                            {"l": loc, "s": sku}).scalar() == 7
    upgrade(db.engine)
    assert {"oversold", "flagged_at"} <= _columns(db)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT on_hand, oversold, flagged_at FROM stock")).all() == [(7, 0, None)]
