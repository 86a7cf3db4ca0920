"""`o2o seed --seed 42` twice, into two new databases, gives the same chain: every table's rows equal,
personal data compared as read back (its ciphertext has a random nonce per value, the plaintext is the
same). The one thing left out: staff_user.password_hash (argon2 draws a random salt for every hash).
The history ends at midnight of the --anchor day (today's by default), so counts do not follow the clock."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from o2o import models  # noqa: F401  (every table on Base.metadata)
from o2o.cli import app
from o2o.config import get_settings
from o2o.kernel.db import Base
from tests.conftest import new_database_url

SMALL = ["--stores", "3", "--warehouses", "1", "--skus", "40", "--customers", "25", "--days", "8"]
IGNORED = {("staff_user", "password_hash")}  # a fresh random salt in every hash: it must differ


def _seed(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("O2O_DATABASE_URL", url)
    monkeypatch.setenv("O2O_ENV", "dev")  # the demo staff users too
    # their password hashes are left out of the comparison: argon2 at 8 MiB, not 64 MiB (~5 ms, not ~160 ms
    # of CPU a user; seven users a seed, ten seeds a run)
    monkeypatch.setenv("O2O_CHEAP_PASSWORD_HASHING", "true")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["seed", "--seed", "42", *SMALL, *args])
    assert result.exit_code == 0, result.output
    return result.output


def _content(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    out = {}
    try:
        with engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                cols = [c for c in table.columns if (table.name, c.name) not in IGNORED]
                order = list(table.primary_key.columns) or cols
                out[table.name] = [tuple(row) for row in conn.execute(select(*cols).order_by(*order))]
    finally:
        engine.dispose()
    return out


def test_the_same_seed_and_day_give_the_same_chain_row_for_row(request, db_kind, monkeypatch):
    first, second = new_database_url(request, db_kind), new_database_url(request, db_kind)
    said = _seed(first, monkeypatch, "--anchor", "2026-11-20")
    assert "o2o seed --seed 42 --anchor 2026-11-20" in said
    _seed(second, monkeypatch, "--anchor", "2026-11-20")
    a, b = _content(first), _content(second)
    assert a.keys() == b.keys()
    filled = [name for name, rows in a.items() if rows]
    assert {"location", "sku", "customer", "sales_order", "stock", "stock_movement", "staff_user"} <= set(filled)
    for name in a:
        assert a[name] == b[name], f"table {name} differs"


def test_without_an_anchor_two_seeds_of_one_day_agree_and_another_seed_differs(request, db_kind, monkeypatch):
    first, second, other = (new_database_url(request, db_kind) for _ in range(3))
    _seed(first, monkeypatch)
    _seed(second, monkeypatch)
    a, b = _content(first), _content(second)
    assert all(a[name] == b[name] for name in a)
    monkeypatch.setenv("O2O_DATABASE_URL", other)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["seed", "--seed", "7", *SMALL])
    assert result.exit_code == 0, result.output
    assert _content(other)["sales_order"] != a["sales_order"]


def test_a_bad_anchor_is_refused_in_one_line(request, db_kind, monkeypatch):
    monkeypatch.setenv("O2O_DATABASE_URL", new_database_url(request, db_kind))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["seed", "--anchor", "tomorrow"])
    assert result.exit_code == 2 and "--anchor 'tomorrow' is not a date (YYYY-MM-DD)" in result.output
