"""Migration 0032 (couriers) on SQLite and PostgreSQL: its three tables come, the downgrade takes them away
again, and the upgrade after it works."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from o2o.kernel.db import make_engine
from o2o.kernel.migrate import downgrade, upgrade
from tests.conftest import blank_database_url

TABLES = {"courier_delivery", "courier_attempt", "courier_history"}


def test_courier_tables_come_and_go_with_0032(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path) -> None:
    engine = make_engine(blank_database_url(request, db_kind, tmp_path / "at0010.db"))
    try:
        upgrade(engine, "0010")
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade(engine, "0032")
        assert set(inspect(engine).get_table_names()) >= TABLES
        downgrade(engine, "0032@-1")
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade(engine, "0032")
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()
