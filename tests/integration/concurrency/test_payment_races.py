"""Starts of one order's payment at once (a double tap, a retry racing the first): one payment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from o2o.kernel.clock import FixedClock
from o2o.orders import service as orders
from o2o.orders.models import Payment
from o2o.orders.schemas import OrderIn
from tests.factories.chain import build_chain, receive

THREADS = 8


class TickingClock(FixedClock):
    """Moves a microsecond at every reading: each start picks its own out_trade_no, as in life."""

    def __init__(self, start: FixedClock) -> None:
        super().__init__(start.now())
        self._lock = threading.Lock()

    def now(self):  # type: ignore[no-untyped-def]
        with self._lock:
            self.advance(microseconds=1)
            return super().now()


def _at_once(fn) -> list:  # type: ignore[no-untyped-def]
    start = threading.Barrier(THREADS)

    def go(_: int):  # type: ignore[no-untyped-def]
        start.wait()
        return fn()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(go, range(THREADS)))


def _order(container) -> str:  # type: ignore[no-untyped-def]
    container.clock = TickingClock(container.clock)
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 5)
    data = OrderIn(customer_id=chain.customer, mode="pickup", location_id=store, lines=[{"sku_id": milk, "quantity": 1}])
    return orders.place(container.uow(), data, orders.OrderPolicy()).number


def _payment_count(container) -> int:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Payment)))


def test_concurrent_starts_of_one_order_create_one_payment(container):
    number = _order(container)
    started = _at_once(lambda: orders.start_payment(container.uow(), container.payments, number).out_trade_no)
    assert len(set(started)) == 1
    assert _payment_count(container) == 1


def test_concurrent_starts_with_one_idempotency_key_answer_alike(container):
    number = _order(container)
    started = _at_once(lambda: orders.start_payment(container.uow(), container.payments, number,
                                                    idempotency_key="tap-1", caller="customer:1").out_trade_no)
    assert len(set(started)) == 1
    assert _payment_count(container) == 1
