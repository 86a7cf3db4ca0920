"""A paid split order: milk held only at Xujiahui, yogurt only at Jing'an, delivered near Xujiahui."""

from __future__ import annotations

from o2o.deps import Container
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.factories.chain import XUJIAHUI_NEAR, Chain, receive


def paid_split_order(c: Container, chain: Chain) -> str:
    milk, yogurt, xjh, ja = chain.skus["milk"], chain.skus["yogurt"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 5)
    receive(c, ja, yogurt, 5)
    number = orders.place(c.uow(), OrderIn(
        customer_id=chain.customer, mode="store_delivery",
        address={"line": "漕溪北路 88 号", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]},
        lines=[{"sku_id": milk, "quantity": 1}, {"sku_id": yogurt, "quantity": 2}]), orders.OrderPolicy()).number
    orders.sandbox_complete(c.uow(), c.payments, orders.start_payment(c.uow(), c.payments, number).out_trade_no)
    return number
