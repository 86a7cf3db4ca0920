"""Key rotation through the CLI: `o2o pii new-key`, then `o2o pii rotate` re-encrypts every row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from o2o.cli import app
from o2o.config import get_settings
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.demo.generator import DemoSize, generate
from o2o.kernel import idempotency, pii
from o2o.kernel.clock import FixedClock
from o2o.kernel.db import Database
from o2o.kernel.uow import UnitOfWork
from o2o.models import metadata
from o2o.pii_cli import _stored, encrypted_columns

SIZE = DemoSize(stores=3, warehouses=1, skus=30, customers=50, days=7)
ANCHOR = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
def env_db(fresh_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("O2O_DATABASE_URL", fresh_db.url)
    monkeypatch.delenv("O2O_KEY_FILE", raising=False)
    get_settings.cache_clear()
    before = pii.configured()
    yield fresh_db
    get_settings.cache_clear()
    pii.configure(before)  # the CLI configured the rotated keyring for the whole process


def _plaintext(db: Database) -> dict[str, list[tuple]]:
    """Every table holding encrypted columns, read (so decrypted) in primary-key order."""
    out = {}
    with db.read() as s:
        for table in encrypted_columns(metadata):
            out[table.name] = [tuple(r) for r in s.execute(select(table).order_by(*table.primary_key.columns))]
    return out


def _stored_key_ids(db: Database) -> set[str]:
    kids: set[str] = set()
    with db.read() as s:
        for cols in encrypted_columns(metadata).values():
            for col in cols:
                kids |= {v.strip('"').split("$")[0] for v in s.scalars(select(_stored(col))) if v is not None}
    return kids


def test_rotation_leaves_every_row_readable_with_only_the_new_key(env_db: Database, clock: FixedClock,
                                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    generate(env_db, SIZE, seed=9, anchor=ANCHOR)
    cid = customers.create(UnitOfWork(env_db, clock), CustomerIn(name="周杰", phone="13500135000",
                                                                 email="zhou.jie@example.com")).id
    with UnitOfWork(env_db, clock) as uow:
        idempotency.remember(uow.session, "orders:1", "k", "0" * 64, 201, {"ship_address": "某地"}, clock.now())
        uow.commit()
    before = _plaintext(env_db)
    assert _stored_key_ids(env_db) == {"k1"}
    runner = CliRunner()
    keys = tmp_path / "keys.json"

    made = runner.invoke(app, ["pii", "new-key", "--key-file", str(keys)])
    assert made.exit_code == 0, made.output
    assert pii.Keyring.load(keys).active == "k2"
    monkeypatch.setenv("O2O_KEY_FILE", str(keys))
    get_settings.cache_clear()

    rotated = runner.invoke(app, ["pii", "rotate", "--batch", "17"])
    assert rotated.exit_code == 0, rotated.output
    assert "done" in rotated.output
    assert _stored_key_ids(env_db) == {"k2"}

    full = pii.Keyring.load(keys)
    pii.configure(pii.Keyring({"k2": full.keys["k2"]}, "k2", full.lookup_key))  # k1 is gone
    assert _plaintext(env_db) == before
    with env_db.read() as s:
        assert customers.find_by_phone(s, "13500135000") == cid  # lookup hashes survive rotation

    again = runner.invoke(app, ["pii", "rotate"])
    assert again.exit_code == 0, again.output
    assert "done: 0 rows" in again.output  # nothing left to do

    third = runner.invoke(app, ["pii", "new-key", "--key-file", str(keys)])
    assert third.exit_code == 0 and pii.Keyring.load(keys).active == "k3"


def test_rotation_stops_clearly_when_a_value_cannot_be_decrypted(env_db: Database, clock: FixedClock,
                                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    customers.create(UnitOfWork(env_db, clock), CustomerIn(name="吴敏", phone="13500135001"))
    keys = tmp_path / "keys.json"
    pii.new_key_file(keys)  # a random k1, not the k1 the row was sealed with ...
    pii.add_key(keys)  # ... and an active k2, so rotation must open the row's k1 token
    monkeypatch.setenv("O2O_KEY_FILE", str(keys))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["pii", "rotate"])
    assert result.exit_code == 1
    assert "cannot rotate" in result.output and "customer.name" in result.output  # the row's first sealed column
