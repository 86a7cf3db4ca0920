"""`o2o check` also checks the points: every member's balance == ledger sum == lots remaining."""

from __future__ import annotations

from sqlalchemy import text
from typer.testing import CliRunner

from o2o import bootstrap
from o2o.cli import app
from o2o.config import Settings
from o2o.kernel.db import Database
from o2o.loyalty import service as loyalty
from tests.e2e.test_cli import env_db  # noqa: F401 (fixture)
from tests.integration.loyalty.flow import member


def test_check_fails_when_a_points_balance_disagrees_with_its_ledger(env_db: Database):  # noqa: F811
    c = bootstrap.build(Settings(database_url=env_db.url, payment_secret="x"), db=env_db)
    a = member(c, 1)
    loyalty.adjust(c.uow(), a, 500, "welcome")
    runner = CliRunner()
    ok = runner.invoke(app, ["check"])
    assert ok.exit_code == 0, ok.output
    assert "points: 1 members checked, 0 where" in ok.output
    with env_db.engine.begin() as conn:
        conn.execute(text("UPDATE points_account SET balance = 600 WHERE customer_id = :c"), {"c": a})
    bad = runner.invoke(app, ["check"])
    assert bad.exit_code == 1 and "FAILED" in bad.output
    assert f"customer {a}: balance 600, ledger 500, lots 500" in bad.output
