"""Head office moves an order to a store at the very moment a shopper orders that store's last units:
exactly one of the two gets them, every time, and no unit is ever reserved twice or lost. Also the
moves themselves: stock conserved, two moves in opposite directions at once (the sorted lock order)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from o2o.inventory import service as inventory
from o2o.inventory.exceptions import InsufficientStock
from o2o.orders import service as orders
from o2o.orders.exceptions import NoLocation
from o2o.orders.schemas import OrderIn
from tests.factories.chain import build_chain, receive

ROUNDS = 5


def _paid(container, customer: int, store: int, sku: int, qty: int) -> str:  # type: ignore[no-untyped-def]
    data = OrderIn(customer_id=customer, mode="pickup", location_id=store, lines=[{"sku_id": sku, "quantity": qty}])
    number = orders.place(container.uow(), data, orders.OrderPolicy()).number
    started = orders.start_payment(container.uow(), container.payments, number)
    orders.sandbox_complete(container.uow(), container.payments, started.out_trade_no)
    return number


def _held(container, location_id: int, sku: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    row = inventory.stock_of(container.db, location_id, [sku])[sku]
    return row.on_hand, row.reserved


def test_reassign_and_an_order_race_for_the_last_units(container):
    chain = build_chain(container)
    xjh, ja, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(container, xjh, milk, 2 * ROUNDS)
    receive(container, ja, milk, 2)  # Jing'an: exactly the 2 units both want (given back after each round)
    results = []
    for _ in range(ROUNDS):
        assert _held(container, ja, milk) == (2, 0)
        number = _paid(container, chain.customer, xjh, milk, 2)
        start = threading.Barrier(2)

        def move(number: str = number, start: threading.Barrier = start) -> str:
            start.wait()
            try:
                orders.reassign(container.uow(), number, ja, "staff:1 ops", "race")
                return "moved"
            except InsufficientStock:
                return "refused"

        placed_numbers: list[str] = []

        def shop(start: threading.Barrier = start, placed_numbers: list[str] = placed_numbers) -> str:
            start.wait()
            data = OrderIn(customer_id=chain.customer, mode="pickup", location_id=ja,
                           lines=[{"sku_id": milk, "quantity": 2}])
            try:
                placed = orders.place(container.uow(), data, orders.OrderPolicy())
            except (InsufficientStock, NoLocation):
                return "refused"
            placed_numbers.append(placed.number)
            return "ordered" if placed.fulfil_location_id == ja else "elsewhere"

        with ThreadPoolExecutor(2) as pool:
            got = (pool.submit(move), pool.submit(shop))
            result = (got[0].result(), got[1].result())
        assert result in (("moved", "refused"), ("moved", "elsewhere"), ("refused", "ordered")), result
        results.append(result)
        order = orders.get(container.db, number)
        assert order.fulfil_location_id == (ja if result[0] == "moved" else xjh)
        on_hand, reserved = _held(container, ja, milk)
        assert 0 <= reserved <= on_hand
        assert inventory.check(container.db).ok
        for n in [number, *placed_numbers]:
            orders.cancel(container.uow(), n, "test")  # release the units for the next round
        assert _held(container, ja, milk)[1] == 0
    assert _held(container, xjh, milk) == (2 * ROUNDS, 0)


def test_moves_conserve_stock_and_opposite_moves_do_not_deadlock(container):
    chain = build_chain(container)
    xjh, ja, milk, yogurt = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"], chain.skus["yogurt"]
    for store in (xjh, ja):
        receive(container, store, milk, 10)
        receive(container, store, yogurt, 10)
    a = _paid(container, chain.customer, xjh, milk, 3)
    b = _paid(container, chain.customer, ja, milk, 4)
    start = threading.Barrier(2)

    def move(number: str, to: int) -> str:
        start.wait()
        orders.reassign(container.uow(), number, to, "staff:1 ops", "swap")
        return number

    with ThreadPoolExecutor(2) as pool:
        done = [f.result(timeout=60) for f in (pool.submit(move, a, ja), pool.submit(move, b, xjh))]
    assert done == [a, b]
    assert _held(container, xjh, milk) == (10, 4) and _held(container, ja, milk) == (10, 3)
    assert _held(container, xjh, yogurt) == (10, 0)
    assert inventory.check(container.db).ok


@pytest.mark.parametrize("bad", [0, -1, 2**62, 10**30])
def test_reassign_to_no_such_location_is_refused(container, bad):
    from o2o.kernel.errors import InvalidInput

    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 3)
    number = _paid(container, chain.customer, chain.stores["xujiahui"], chain.skus["milk"], 1)
    with pytest.raises(InvalidInput):
        orders.reassign(container.uow(), number, bad, "staff:1 ops", "x")
    assert _held(container, chain.stores["xujiahui"], chain.skus["milk"]) == (3, 1)
