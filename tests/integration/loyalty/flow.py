"""Shared steps of the loyalty tests: members, a completed order through the real flow."""

from __future__ import annotations

from o2o import bootstrap
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.fulfillment import service as fulfillment
from o2o.loyalty import service as loyalty
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.factories.chain import Chain, build_chain, receive


def member(container, n: int) -> int:  # type: ignore[no-untyped-def]
    return customers.create(container.uow(), CustomerIn(name=f"会员{n}", phone=f"139{n:08d}")).id


def give(container, customer_id: int, points: int) -> None:  # type: ignore[no-untyped-def]
    loyalty.adjust(container.uow(), customer_id, points, "test credit")


def chain_with_stock(container, qty: int = 50) -> Chain:  # type: ignore[no-untyped-def]
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], qty)
    return chain


def place(container, chain: Chain, quantity: int = 1, points: int | None = None,  # type: ignore[no-untyped-def]
          customer_id: int | None = None) -> str:
    data = OrderIn(customer_id=customer_id or chain.customer, mode="pickup", location_id=chain.stores["xujiahui"],
                   lines=[{"sku_id": chain.skus["milk"], "quantity": quantity}], points=points)
    return orders.place(container.uow(), data, orders.OrderPolicy()).number


def pay(container, number: str) -> None:  # type: ignore[no-untyped-def]
    started = orders.start_payment(container.uow(), container.payments, number)
    orders.sandbox_complete(container.uow(), container.payments, started.out_trade_no)


def complete(container, number: str) -> None:  # type: ignore[no-untyped-def]
    """Paid -> picked -> ready -> handed over, with the relay delivering the events between."""
    relay = bootstrap.relay(container)
    order = orders.get(container.db, number)
    fo = order.fulfillment_ids[0]
    fulfillment.start_picking(container.uow(), fo, "clerk")
    fulfillment.mark_ready(container.uow(), fo, "clerk")
    relay.drain()
    code = orders.get(container.db, number).pickup_code
    fulfillment.hand_over(container.uow(), fo, code or "", "clerk")
    relay.drain()
    assert orders.get(container.db, number).status == "completed"
