"""Earning on completed orders (once, however often the completion arrives), paying with points at
checkout, and cancellation giving the points back. Both databases, the real order flow and relay."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from o2o import bootstrap
from o2o.kernel.outbox import Event, write_events
from o2o.kernel.pagination import PageParams
from o2o.loyalty import service as loyalty
from o2o.loyalty.exceptions import InsufficientPoints
from o2o.loyalty.models import PointsEntry
from o2o.orders import service as orders
from tests.integration.loyalty.flow import chain_with_stock, complete, give, pay, place


def _earn_entries(container, customer_id: int) -> int:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(PointsEntry)
                            .where(PointsEntry.customer_id == customer_id, PointsEntry.kind == "earn")))


def test_completed_order_earns_once_when_its_completion_is_delivered_five_times(container):
    chain = chain_with_stock(container)
    number = place(container, chain, quantity=3)  # 3 x 12.90 = 38.70 yuan
    pay(container, number)
    complete(container, number)
    order = orders.get(container.db, number)
    assert loyalty.balance_of(container.db, chain.customer) == 38  # 1 point a whole yuan, normal tier x1
    with container.db.read() as s:
        order_id = orders.facts(s, _order_id(s, number)).id  # type: ignore[union-attr]
    # the completion re-sent four more times (a till's offline sync, a relay replay): new events each time
    with container.uow() as uow:
        write_events(uow.session, [Event("order.completed", {"order_id": order_id, "number": number})] * 4,
                     container.clock.now())
        uow.commit()
    assert bootstrap.relay(container).drain() == 4
    assert _earn_entries(container, chain.customer) == 1
    assert loyalty.balance_of(container.db, chain.customer) == 38
    balance, ledger, lots = loyalty.check(container.db, chain.customer)
    assert balance == ledger == lots == 38
    s = loyalty.summary(container.db, chain.customer, container.clock.now())
    assert s.spend_12m_fen == order.total_fen and s.orders_12m == 1


def _order_id(s, number: str) -> int:  # type: ignore[no-untyped-def]
    from o2o.orders.models import Order  # test-only read of the id behind a number

    return int(s.scalar(select(Order.id).where(Order.number == number)))


def test_order_paid_partly_with_points_then_cancelled_gives_the_points_back(container):
    chain = chain_with_stock(container)
    give(container, chain.customer, 5_000)
    number = place(container, chain, quantity=2, points=1_000)  # 25.80 yuan; 1000 points = 10 yuan
    order = orders.get(container.db, number)
    assert order.discount_fen == 1_000 and order.total_fen == 2 * 1290 - 1_000
    assert loyalty.balance_of(container.db, chain.customer) == 4_000
    orders.cancel(container.uow(), number, "customer")
    bootstrap.relay(container).drain()
    assert loyalty.balance_of(container.db, chain.customer) == 5_000
    bootstrap.relay(container).drain()  # nothing more on a second round
    assert loyalty.check(container.db, chain.customer) == (5_000, 5_000, 5_000)


def test_points_at_checkout_are_capped_at_the_configured_share_of_the_bill(container):
    chain = chain_with_stock(container)
    give(container, chain.customer, 100_000)
    number = place(container, chain, quantity=1, points=100_000)  # cap 50% of 12.90 = 645 fen
    order = orders.get(container.db, number)
    assert order.discount_fen == 645 and order.total_fen == 645
    assert loyalty.balance_of(container.db, chain.customer) == 100_000 - 645


def test_order_asking_more_points_than_the_balance_is_refused_and_nothing_is_taken(container):
    chain = chain_with_stock(container)
    give(container, chain.customer, 100)
    with pytest.raises(InsufficientPoints):
        place(container, chain, points=101)
    assert loyalty.balance_of(container.db, chain.customer) == 100
    assert orders.recent(container.db, chain.customer, PageParams()) == []


def test_expired_unpaid_order_gives_its_points_back(container):
    chain = chain_with_stock(container)
    give(container, chain.customer, 300)
    place(container, chain, points=300)
    assert loyalty.balance_of(container.db, chain.customer) == 0
    container.clock.advance(hours=1)
    assert orders.expire_unpaid(container.db, container.uow) == 1
    bootstrap.relay(container).drain()
    assert loyalty.balance_of(container.db, chain.customer) == 300


def test_paid_order_earns_on_what_was_paid_in_money_not_on_the_points(container):
    chain = chain_with_stock(container)
    give(container, chain.customer, 1_000)
    number = place(container, chain, quantity=2, points=1_000)  # pays 15.80 in money
    pay(container, number)
    complete(container, number)
    assert loyalty.balance_of(container.db, chain.customer) == 15


def test_orders_racing_to_pay_with_the_same_points_only_those_that_fit_are_placed(container):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    chain = chain_with_stock(container)
    give(container, chain.customer, 1_000)  # 3 orders of 300 points fit
    start = threading.Barrier(8)

    def go(_: int) -> str:
        start.wait()
        try:
            place(container, chain, quantity=1, points=300)  # 12.90: up to 645 points usable
            return "placed"
        except InsufficientPoints:
            return "refused"

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(go, range(8)))
    assert results.count("placed") == 3 and results.count("refused") == 5
    assert loyalty.check(container.db, chain.customer) == (100, 100, 100)
    assert len(orders.recent(container.db, chain.customer, PageParams())) == 3
