"""A paid order counts towards its products' sales (the relay delivers order.paid to the catalog), once per
event, and "best selling" follows (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from o2o import bootstrap
from o2o.catalog import service as catalog
from o2o.catalog.models import ProductSearch, Sku
from o2o.kernel.pagination import PageParams
from o2o.orders import service as orders
from o2o.orders.schemas import LineIn, OrderIn
from tests.factories.chain import build_chain, receive


def sales(container, product_ids) -> dict[int, int]:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return dict(s.execute(select(ProductSearch.product_id, ProductSearch.sales)
                              .where(ProductSearch.product_id.in_(product_ids))).all())


def test_a_paid_order_counts_its_units_once_and_best_selling_follows(container):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    for sku in chain.skus.values():
        receive(container, store, sku, 20)
    products = {name: _product_of(container, sku) for name, sku in chain.skus.items()}
    placed = orders.place(container.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=store, lines=[
        LineIn(sku_id=chain.skus["cheese"], quantity=3), LineIn(sku_id=chain.skus["yogurt"], quantity=1)]),
        orders.OrderPolicy())
    unpaid = orders.place(container.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=store,
                                                   lines=[LineIn(sku_id=chain.skus["milk"], quantity=9)]),
                          orders.OrderPolicy())
    started = orders.start_payment(container.uow(), container.payments, placed.number)
    orders.sandbox_complete(container.uow(), container.payments, started.out_trade_no)
    relay = bootstrap.relay(container)
    relay.drain()
    relay.drain()  # nothing delivered twice
    assert sales(container, products.values()) == {products["cheese"]: 3, products["yogurt"]: 1, products["milk"]: 0}
    assert unpaid.number
    best = catalog.search(container.db, None, None, PageParams(page=1, size=3), sort="sales").items
    assert [p.id for p in best] == [products["cheese"], products["yogurt"], products["milk"]]


def _product_of(container, sku_id: int) -> int:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return s.get(Sku, sku_id).product_id  # type: ignore[union-attr]
