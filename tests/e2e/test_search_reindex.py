"""`o2o catalog reindex` rebuilds the product search index (units sold kept), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from o2o.catalog import service as catalog
from o2o.catalog.models import Category, ProductSearch
from o2o.catalog.schemas import ProductIn, SkuIn
from o2o.kernel.pagination import PageParams
from tests.e2e.test_cli_commands import _env, o2o

PAGE = PageParams(page=1, size=10)


def test_reindex_rebuilds_lost_rows_and_keeps_the_sales(container, tmp_path: Path):
    with container.uow() as uow:
        uow.session.add(Category(code="food", name_zh="食品", name_en="Food"))
        uow.commit()
        cat = uow.session.query(Category.id).filter_by(code="food").scalar()
    ids = [catalog.create_product(container.uow(), ProductIn(category_id=cat, name_zh=zh, name_en=en, skus=[
        SkuIn(code=f"R-{i}", barcode=f"6900000003{i:03d}", base_price_fen=100 + i)])).id
        for i, (zh, en) in enumerate([("光明纯牛奶", "Bright Pure Milk"), ("农夫山泉", "Nongfu Spring")])]
    with container.uow() as uow:  # as if indexed by older rules, and sold
        uow.session.execute(update(ProductSearch).values(terms=" x ", sales=7))
        uow.commit()
    assert catalog.search(container.db, "niunai", None, PAGE).total == 0
    env = _env(tmp_path, O2O_SECRET_KEY="s" * 40, O2O_PAYMENT_SECRET="p" * 40)
    out = o2o(env, tmp_path, "catalog", "reindex", "--database-url", container.db.url).stdout
    assert "reindexed 2 products" in out
    assert [p.id for p in catalog.search(container.db, "niunai", None, PAGE).items] == [ids[0]]
    with container.db.read() as s:
        assert set(s.scalars(select(ProductSearch.sales))) == {7}
