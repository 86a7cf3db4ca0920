"""Migration 0015 on a database that already holds a chain: the search rows it builds for the products
there (tokens, cheapest price, units of paid orders) are the ones the demo generator writes; it goes
down and up again on its own branch (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from o2o.catalog import service as catalog
from o2o.catalog.models import ProductSearch
from o2o.demo.generator import DemoSize, generate
from o2o.kernel.migrate import downgrade, upgrade
from o2o.kernel.pagination import PageParams
from o2o.kernel.searchtext import pinyin_of


def _rows(db) -> list[tuple]:  # type: ignore[no-untyped-def]
    table = ProductSearch.__table__
    with db.read() as s:
        return [tuple(r) for r in s.execute(select(table).order_by(table.c.product_id))]


def test_upgrading_a_database_with_a_chain_indexes_its_products_as_the_generator_does(fresh_db):
    generate(fresh_db, DemoSize(stores=3, warehouses=1, skus=150, customers=60, days=10), seed=5,
             anchor=datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    generated = _rows(fresh_db)
    assert generated and any(r[-1] for r in generated)  # units sold counted
    name = catalog.get_product(fresh_db, generated[0][0]).name_zh
    queries = [name[:2], "".join(pinyin_of(name[:2])), "".join(s[0] for s in pinyin_of(name)), "milk"]
    found = [_ids(fresh_db, q) for q in queries]
    assert all(found[:3])
    downgrade(fresh_db.engine, "0015@-1")  # this branch only
    upgrade(fresh_db.engine)
    assert _rows(fresh_db) == generated
    assert [_ids(fresh_db, q) for q in queries] == found  # the text index (FTS5 / tsvector) rebuilt too


def _ids(db, q: str) -> list[int]:  # type: ignore[no-untyped-def]
    return [p.id for p in catalog.search(db, q, None, PageParams(page=1, size=50), sort="sales").items]
