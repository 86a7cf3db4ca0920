"""Migration 0011 on a database at 0010: customers keep their rows, identities and the merge tables come
and go cleanly (downgrade to 0010 and up again, on both databases)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from o2o.kernel import pii
from o2o.kernel.db import make_engine
from o2o.kernel.migrate import downgrade, upgrade
from tests.conftest import blank_database_url

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
NEW = {"customer_identity", "customer_merge", "customer_favorite", "customer_browsing"}


def test_0011_up_down_and_up_again_keeps_customers(request, db_kind, tmp_path):
    engine = make_engine(blank_database_url(request, db_kind, tmp_path / "at0010.db"))
    try:
        upgrade(engine, "0010")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO customer (id, name, phone, phone_hash, created_at)"
                              " VALUES (1, :n, :p, :h, :at)"),
                         {"n": pii.encrypt("张三"), "p": pii.encrypt("13800138000"),
                          "h": pii.lookup_hash("13800138000"), "at": T0})
        upgrade(engine, "0011")
        names = set(inspect(engine).get_table_names())
        assert names >= NEW
        assert "merged_into_id" in {c["name"] for c in inspect(engine).get_columns("customer")}
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO customer_identity (customer_id, kind, value_hash, value, created_at)"
                              " VALUES (1, 'pos_card', 'h1', 'sealed', :at)"), {"at": T0})
            conn.execute(text("INSERT INTO customer (id, name, created_at, merged_into_id) VALUES (2, 'x', :at, 1)"),
                         {"at": T0})
        downgrade(engine, "0010")
        assert not NEW & set(inspect(engine).get_table_names())
        assert "merged_into_id" not in {c["name"] for c in inspect(engine).get_columns("customer")}
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM customer")).scalar() == 2
        upgrade(engine, "0011")
        assert set(inspect(engine).get_table_names()) >= NEW
    finally:
        engine.dispose()
