"""Outside dev nothing is open by default: real secrets required, no demo passwords, no dev tools."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from o2o import bootstrap
from o2o.cli import app
from o2o.config import Settings
from o2o.iam.models import StaffUser


def test_the_default_environment_is_production_and_refuses_dev_secrets(monkeypatch, fresh_db):
    monkeypatch.delenv("O2O_ENV", raising=False)
    assert Settings().env == "production"
    with pytest.raises(RuntimeError, match="O2O_SECRET_KEY and O2O_PAYMENT_SECRET"):
        bootstrap.build(Settings(database_url=fresh_db.url), db=fresh_db)
    with pytest.raises(RuntimeError, match="O2O_PAYMENT_SECRET"):
        bootstrap.build(Settings(database_url=fresh_db.url, secret_key="s" * 40), db=fresh_db)
    c = bootstrap.build(Settings(database_url=fresh_db.url, secret_key="s" * 40, payment_secret="p" * 40),
                        db=fresh_db)
    assert not c.settings.dev


def test_seed_in_production_makes_no_demo_users_and_create_admin_prints_a_one_time_password(
        monkeypatch, fresh_db, client):
    for key, value in {"O2O_DATABASE_URL": fresh_db.url, "O2O_ENV": "production", "O2O_SECRET_KEY": "s" * 40,
                       "O2O_PAYMENT_SECRET": "p" * 40}.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    r = runner.invoke(app, ["seed", "--stores", "3", "--warehouses", "1", "--skus", "30", "--customers", "20",
                            "--days", "1"])
    assert r.exit_code == 0, r.output
    assert "create-admin" in r.output and "o2o-demo-2026" not in r.output
    with fresh_db.read() as s:
        assert s.scalar(select(func.count()).select_from(StaffUser)) == 0
    r = runner.invoke(app, ["staff", "create-admin", "--login", "it-admin"])
    assert r.exit_code == 0, r.output
    password = re.search(r"shown once\): (\S+)", r.output).group(1)
    assert runner.invoke(app, ["staff", "create-admin", "--login", "it-admin"]).exit_code == 2  # taken
    # the test client runs the app in dev with the test keyring: the admin signs in with that password
    monkeypatch.setenv("O2O_ENV", "dev")
    ok = client.post("/api/v1/auth/staff/login", json={"login": "it-admin", "password": password})
    assert ok.status_code == 200, ok.text
