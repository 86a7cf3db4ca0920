"""A shopper cancels at the very moment the store starts picking: exactly one of the two wins, every
time. Either the order is cancelled (fulfilment cancelled, stock released, the payment refunded) and
the store is told the fulfilment ended, or picking goes on and the shopper is told it is too late."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from o2o import bootstrap
from o2o.fulfillment import service as fulfillment
from o2o.inventory import service as inventory
from o2o.kernel.errors import IllegalTransition
from o2o.orders import service as orders
from o2o.orders.exceptions import CancelTooLate
from o2o.orders.schemas import OrderIn
from tests.factories.chain import build_chain, receive

ROUNDS = 6


def _paid(container, chain) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    data = OrderIn(customer_id=chain.customer, mode="pickup", location_id=store,
                   lines=[{"sku_id": milk, "quantity": 1}])
    number = orders.place(container.uow(), data, orders.OrderPolicy()).number
    started = orders.start_payment(container.uow(), container.payments, number)
    orders.sandbox_complete(container.uow(), container.payments, started.out_trade_no)
    return number, orders.get(container.db, number).fulfillment_ids[0]


def test_cancel_and_start_picking_at_once_never_both_win(container):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], ROUNDS)
    outcomes = []
    for _ in range(ROUNDS):
        number, fo = _paid(container, chain)
        start = threading.Barrier(2)

        def cancel(number: str = number, start: threading.Barrier = start) -> str:
            start.wait()
            try:
                orders.cancel_by_customer(container.uow(), number, chain.customer, "changed_mind")
                return "cancelled"
            except CancelTooLate:
                return "too late"

        def pick(fo: int = fo, start: threading.Barrier = start) -> str:
            start.wait()
            try:
                fulfillment.start_picking(container.uow(), fo, "staff:clerk")
                return "picking"
            except IllegalTransition:
                return "ended"

        with ThreadPoolExecutor(2) as pool:
            got = (pool.submit(cancel), pool.submit(pick))
            result = (got[0].result(), got[1].result())
        assert result in (("cancelled", "ended"), ("too late", "picking")), result
        outcomes.append(result[0])
        bootstrap.relay(container).drain()
        order = orders.get(container.db, number)
        status = fulfillment.get(container.db, fo).status
        if result[0] == "cancelled":
            assert (order.status, status) == ("cancelled", "cancelled")
        else:
            assert (order.status, status) == ("picking", "picking")
    assert len(container.payments.refunds) == outcomes.count("cancelled")
    assert inventory.check(container.db).ok
