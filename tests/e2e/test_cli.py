"""The o2o command: migrate and check, including a check that must fail."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from o2o.cli import app
from o2o.config import get_settings
from o2o.kernel.db import Database
from tests.factories.raw import seed_stock


@pytest.fixture
def env_db(fresh_db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("O2O_DATABASE_URL", fresh_db.url)
    get_settings.cache_clear()
    yield fresh_db
    get_settings.cache_clear()


def test_check_passes_then_fails_when_a_stock_row_disagrees_with_its_ledger(env_db: Database):
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    loc, sku = seed_stock(env_db, on_hand=10)
    ok = runner.invoke(app, ["check"])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output
    with env_db.engine.begin() as conn:
        conn.execute(text("UPDATE stock SET on_hand = 11 WHERE location_id = :l AND sku_id = :s"), {"l": loc, "s": sku})
    bad = runner.invoke(app, ["check"])
    assert bad.exit_code == 1
    assert "FAILED" in bad.output and "'ledger': 10" in bad.output
