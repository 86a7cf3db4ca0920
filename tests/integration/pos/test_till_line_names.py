"""Till sales keep the product's name in both languages on their order lines, as online orders do (issue 12
point 15): an offline upload (o2o.orders.offline, the bulk writer) and a sale rung up online, on both
databases; a receipt then reads in the reader's language whatever the till's language was."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from o2o.orders import service as orders
from o2o.orders.models import Order, OrderLine
from o2o.pos import receipt, sync
from o2o.pos import service as pos
from o2o.pos.schemas import SaleIn
from tests.factories.chain import build_chain, receive
from tests.factories.pos import add_till
from tests.integration.pos.offline import batch, sale, shop


def _names(container, number: str) -> list[tuple[str, str | None, str | None]]:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return [tuple(r) for r in s.execute(select(OrderLine.name, OrderLine.name_zh, OrderLine.name_en)
                                            .join(Order, Order.id == OrderLine.order_id)
                                            .where(Order.number == number).order_by(OrderLine.id))]


def test_an_offline_upload_keeps_both_names(container):
    sh = shop(container, [5, 5])
    a, b = sh.skus
    out = sync.ingest(container.uow(), sh.till, batch([
        sale(1, container.clock.now() - timedelta(hours=1), [(a, 1, 100), (b, 2, 100)])]))
    names = _names(container, out.results[0].order_number)
    assert len(names) == 2  # tests.factories.raw names a product 品<n> / p<n>
    assert all(zh.startswith("品") and en.startswith("p") and zh[1:] == en[1:] for _, zh, en in names), names


def test_a_sale_rung_up_online_keeps_both_names_and_its_receipt_reads_in_either_language(container):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 3)
    till = pos.Till(add_till(container, store, "T09", open_till=True)[0], store, "T09", "staff:clerk-9", "T09")
    done = pos.sell(container.uow(), container.payments, orders.OrderPolicy(), till,
                    SaleIn(till_sale_id="T09-1", lines=[{"sku_id": milk, "quantity": 1}],
                           tenders=[{"kind": "cash", "amount_fen": 1290}]))
    [(_, zh, en)] = _names(container, done.order_number)
    assert zh and en and zh != en
    assert [ln.name for ln in receipt.data_of(container.db, done, "en").lines] == [en]  # the till's language aside
    assert [ln.name for ln in receipt.data_of(container.db, done, "zh-CN").lines] == [zh]
