"""Migration 0030 (sourcing) on SQLite and PostgreSQL: its tables and the capacity index come, the
downgrade takes them away again, and the upgrade after it works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

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


def _state(db: Database) -> tuple[bool, bool, bool]:
    insp = inspect(db.engine)
    tables = set(insp.get_table_names())
    index = "ix_fulfillment_location_created" in {i["name"] for i in insp.get_indexes("fulfillment_order")}
    return "sourcing_rule" in tables, "sourcing_decision" in tables, index


def test_sourcing_tables_come_and_go_with_0030(db_at_0010: Database) -> None:
    assert _state(db_at_0010) == (False, False, False)
    upgrade(db_at_0010.engine, "0030")
    assert _state(db_at_0010) == (True, True, True)
    downgrade(db_at_0010.engine, "0030@-1")
    assert _state(db_at_0010) == (False, False, False)
    upgrade(db_at_0010.engine, "0030")
    assert _state(db_at_0010) == (True, True, True)
