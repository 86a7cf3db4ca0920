"""The demo chain is searchable as generated: every product indexed with its units sold, pinyin finds the
Chinese names, and the stores' streets find the stores (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from o2o.catalog import service as catalog
from o2o.catalog.models import Product, ProductSearch
from o2o.demo.generator import DemoSize, generate
from o2o.kernel.db import Database
from o2o.kernel.pagination import PageParams
from o2o.shop import stores as finder
from tests.conftest import new_database_url

SMALL = DemoSize(stores=12, warehouses=1, skus=400, customers=150, days=14)


@pytest.fixture(scope="module")
def demo(request: pytest.FixtureRequest, db_kind: str) -> Iterator[Database]:
    db = Database.from_url(new_database_url(request, db_kind))
    generate(db, SMALL, seed=3, anchor=datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    yield db
    db.dispose()


def test_every_product_is_indexed_with_its_sales(demo: Database) -> None:
    with demo.read() as s:
        products = s.scalar(select(func.count()).select_from(Product))
        rows = s.scalar(select(func.count()).select_from(ProductSearch))
        sold = s.scalar(select(func.count()).select_from(ProductSearch).where(ProductSearch.sales > 0))
        assert rows == products and sold and 0 < sold <= products
    best = catalog.search(demo, None, None, PageParams(page=1, size=5), sort="sales").items
    with demo.read() as s:
        sales = [s.get(ProductSearch, p.id).sales for p in best]  # type: ignore[union-attr]
    assert sales == sorted(sales, reverse=True) and sales[0] > 0


def test_pinyin_and_english_find_the_demo_milk(demo: Database) -> None:
    page = PageParams(page=1, size=200)
    niunai = {p.id for p in catalog.search(demo, "niunai", None, page).items}
    chinese = {p.id for p in catalog.search(demo, "牛奶", None, page).items}
    english = {p.id for p in catalog.search(demo, "milk", None, page).items}
    assert niunai and niunai <= chinese
    assert chinese == english
    with demo.read() as s:
        names = s.scalars(select(Product.name_zh).where(Product.id.in_(niunai))).all()
    assert all("牛奶" in n for n in names)


def test_the_hint_street_finds_the_store_on_it(demo: Database) -> None:
    everything = finder.all_stores(demo)
    place = finder.locate(everything, "漕溪北路")
    assert place is not None and place.stores and not place.district
    assert all("漕溪北路" in s.address for s in place.stores)
    assert finder.locate(everything, "caoxibeilu") == place
    assert all(s.phone.startswith("021-") for s in everything)
