"""Migration 0033 (SLA) on SQLite and PostgreSQL: the promise columns and the watch's indexes come, the
downgrade takes them away again, and the upgrade after it works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from o2o.kernel.db import Database, make_engine
from o2o.kernel.migrate import downgrade, upgrade
from tests.conftest import blank_database_url

COLUMNS = {"promised_at", "promise_met_at", "due_at", "at_risk_at", "late_at"}
INDEXES = {"ix_fulfillment_due", "ix_fulfillment_location_due", "ix_fulfillment_promised"}


@pytest.fixture
def db_at_0010(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path) -> Iterator[Database]:
    engine = make_engine(blank_database_url(request, db_kind, tmp_path / "at0010.db"))
    upgrade(engine, "0010")
    db = Database(engine)
    yield db
    db.dispose()


def _state(db: Database) -> tuple[set[str], set[str]]:
    insp = inspect(db.engine)
    columns = {c["name"] for c in insp.get_columns("fulfillment_order")} & COLUMNS
    return columns, {i["name"] for i in insp.get_indexes("fulfillment_order")} & INDEXES


def test_sla_columns_come_and_go_with_0033(db_at_0010: Database) -> None:
    assert _state(db_at_0010) == (set(), set())
    upgrade(db_at_0010.engine, "0033")
    assert _state(db_at_0010) == (COLUMNS, INDEXES)
    downgrade(db_at_0010.engine, "0033@-1")
    assert _state(db_at_0010) == (set(), set())
    upgrade(db_at_0010.engine, "0033")
    assert _state(db_at_0010) == (COLUMNS, INDEXES)
