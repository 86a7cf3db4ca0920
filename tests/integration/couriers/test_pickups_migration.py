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
