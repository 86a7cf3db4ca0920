"""Migration 0035 (courier pickups of returns) on SQLite and PostgreSQL: `kind` and `return_id` come and a
delivery row keeps its attempts and history through the rebuild; the downgrade takes them away again
(pickups with them), and the upgrade after it works."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from o2o.kernel.db import make_engine
from o2o.kernel.migrate import downgrade, upgrade
from tests.conftest import blank_database_url

NEW = {"kind", "return_id"}


def _columns(engine) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {c["name"]: c["nullable"] for c in inspect(engine).get_columns("courier_delivery")}


def test_pickup_columns_come_and_go_with_0035(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path) -> None:
    engine = make_engine(blank_database_url(request, db_kind, tmp_path / "at0034.db"))
    try:
        upgrade(engine, "0032")
        upgrade(engine, "0027")
        assert not NEW & set(_columns(engine))
        assert _columns(engine)["fulfillment_id"] is False
        upgrade(engine, "0035")
        cols = _columns(engine)
        assert set(cols) >= NEW
        assert cols["fulfillment_id"] is True and cols["return_id"] is True
        downgrade(engine, "0032")  # 0035 goes (and 0027, not below 0032)
        cols = _columns(engine)
        assert not NEW & set(cols) and cols["fulfillment_id"] is False
        upgrade(engine, "0035")
        assert set(_columns(engine)) >= NEW
    finally:
        engine.dispose()


def test_0035_keeps_store_deliveries_with_their_attempts_both_ways(fresh_db, clock) -> None:  # type: ignore[no-untyped-def]
    """Run on a database holding a store delivery and a return's pickup (SQLite rebuilds the table under its
    children's foreign keys): going back drops the pickup only; coming again keeps the delivery as it was."""
    import importlib.util

    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from o2o.main import create_app
    from tests.e2e.test_return_pickups import _setup
    from tests.factories.auth import Auth
    from tests.factories.couriers import courier_container, ready_delivery

    cc = courier_container(fresh_db, clock)
    with TestClient(create_app(cc)) as client:
        made = _setup(cc, client)
        ready_delivery(client, cc, Auth(cc), made["chain"])
    spec = importlib.util.spec_from_file_location("m0035", Path(__file__).resolve().parents[3] / "migrations"
                                                  / "versions" / "0035_return_pickups.py")
    assert spec is not None and spec.loader is not None
    m0035 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m0035)

    def rows(conn) -> list[tuple]:  # type: ignore[no-untyped-def]
        return [tuple(r) for r in conn.execute(text(
            "SELECT d.id, d.fulfillment_id, d.status, d.provider, d.rider_name, count(a.id) FROM courier_delivery d "
            "JOIN courier_attempt a ON a.delivery_id = d.id WHERE d.fulfillment_id IS NOT NULL "
            "GROUP BY d.id, d.fulfillment_id, d.status, d.provider, d.rider_name ORDER BY d.id"))]

    with fresh_db.engine.begin() as conn:
        before = rows(conn)
        kinds = [r[0] for r in conn.execute(text("SELECT kind FROM courier_delivery ORDER BY id"))]
    assert len(before) == 1 and kinds == ["pickup", "delivery"]
    for step in (m0035.downgrade, m0035.upgrade):
        with fresh_db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
            step()
        with fresh_db.engine.connect() as conn:
            assert rows(conn) == before
            assert conn.execute(text("SELECT count(*) FROM courier_delivery")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM courier_history")).scalar() == \
                conn.execute(text("SELECT count(*) FROM courier_history h JOIN courier_delivery d "
                                  "ON d.id = h.delivery_id")).scalar()
            if fresh_db.engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    with fresh_db.engine.connect() as conn:
        assert [r[0] for r in conn.execute(text("SELECT kind FROM courier_delivery"))] == ["delivery"]
