"""Many threads against a real database: nothing oversold, nothing undersold, no deadlock."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from o2o.inventory import service as inventory
from o2o.inventory.exceptions import InsufficientStock, ReservationFailed
from o2o.inventory.models import Reservation, Stock
from o2o.inventory.schemas import Hold, MovementIn
from o2o.kernel.clock import FixedClock
from o2o.kernel.uow import UnitOfWork
from o2o.orders import service as orders
from o2o.orders.models import Order
from o2o.orders.schemas import OrderIn
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive
from tests.factories.raw import new_sku, seed_stock

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=30)


def _run(workers: int, jobs: list, fn) -> list:  # type: ignore[no-untyped-def]
    """Run fn over jobs on `workers` threads; the first wave starts together at a barrier."""
    start = threading.Barrier(workers)

    def first(job):  # type: ignore[no-untyped-def]
        start.wait()
        return fn(job)

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(first, j) for j in jobs[:workers]] + [pool.submit(fn, j) for j in jobs[workers:]]
        return [f.result() for f in futures]


def test_32_threads_reserve_exactly_the_100_units_of_a_hot_sku(fresh_db):
    loc, sku = seed_stock(fresh_db, on_hand=100)

    def attempt(i: int) -> bool:
        with fresh_db.write_sessions() as s:
            try:
                inventory.reserve(s, f"R{i}", [Hold(loc, sku, 1)], NOW, LATER)
                s.commit()
                return True
            except ReservationFailed:
                s.rollback()
                return False

    results = _run(32, list(range(320)), attempt)
    assert results.count(True) == 100
    with fresh_db.read() as s:
        row = s.get(Stock, (loc, sku))
        assert (row.on_hand, row.reserved) == (100, 100)
    assert inventory.check(fresh_db).ok


def test_random_reserve_cancel_expire_commit_keep_every_invariant(fresh_db):
    skus = [new_sku(fresh_db) for _ in range(12)]
    locs = []
    for i, sku in enumerate(skus):
        loc, _ = seed_stock(fresh_db, on_hand=15, sku_id=sku, code=f"L{i % 3}")
        locs.append(loc)
    pairs = list(zip(locs, skus, strict=True))
    rng = random.Random(7)
    plans = [(i, rng.sample(pairs, rng.randint(1, 4)), [rng.randint(1, 4) for _ in range(4)], rng.random())
             for i in range(400)]

    def work(plan) -> str:  # type: ignore[no-untyped-def]
        i, chosen, qtys, fate = plan
        ref = f"X{i}"
        with fresh_db.write_sessions() as s:
            try:
                inventory.reserve(s, ref, [Hold(loc, sku, q) for (loc, sku), q in zip(chosen, qtys, strict=False)],
                                  NOW, LATER)
                s.commit()
            except ReservationFailed:
                s.rollback()
                return "refused"
        with fresh_db.write_sessions() as s:
            if fate < 0.3:
                inventory.release(s, ref)
            elif fate < 0.5:
                inventory.release(s, ref, status="expired")
            elif fate < 0.8:
                inventory.commit(s, ref, NOW)
            s.commit()
        return "done"

    outcome = Counter(_run(16, plans, work))
    assert outcome["done"] > 50
    report = inventory.check(fresh_db)
    assert report.ok, report
    with fresh_db.read() as s:
        assert s.scalar(select(func.count()).where(Stock.reserved > Stock.on_hand - Stock.safety_stock)) == 0


def test_opposite_line_order_does_not_deadlock(fresh_db):
    loc, a = seed_stock(fresh_db, on_hand=1000)
    b = new_sku(fresh_db)
    with fresh_db.write_sessions() as s:
        s.add(Stock(location_id=loc, sku_id=b, on_hand=0, reserved=0, safety_stock=0))
        s.commit()
    inventory.record_movement(UnitOfWork(fresh_db, FixedClock(NOW)),
                              MovementIn(location_id=loc, sku_id=b, kind="receipt", quantity=1000))

    def order(i: int) -> bool:
        holds = [Hold(loc, a, 1), Hold(loc, b, 1)]
        with fresh_db.write_sessions() as s:
            inventory.reserve(s, f"D{i}", holds if i % 2 else holds[::-1], NOW, LATER)
            s.commit()
        return True

    assert all(_run(16, list(range(300)), order))
    with fresh_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Reservation)) == 600
    assert inventory.check(fresh_db).ok


def test_200_buyers_racing_for_100_units_buy_exactly_100(container):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 100)
    policy = orders.OrderPolicy()

    def buy(i: int) -> str:
        data = OrderIn(mode="pickup", location_id=store, lines=[{"sku_id": milk, "quantity": 1}])
        try:
            orders.place(container.uow(), data, policy)
            return "sold"
        except InsufficientStock as exc:
            assert exc.extra["lines"][0]["available"] == 0
            return "refused"

    outcome = Counter(_run(40, list(range(200)), buy))
    assert outcome == {"sold": 100, "refused": 100}
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 100
        assert len(set(s.scalars(select(Order.number)))) == 100
    assert inventory.check(container.db).ok


def test_same_idempotency_key_at_once_creates_one_order(container):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 50)
    data = OrderIn(customer_id=chain.customer, mode="auto",
                   address={"line": "x", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]},
                   lines=[{"sku_id": milk, "quantity": 2}])
    numbers = _run(8, list(range(8)), lambda _: orders.place(container.uow(), data, orders.OrderPolicy(),
                                                             idempotency_key="key-1").number)
    assert len(set(numbers)) == 1
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 1
        assert s.get(Stock, (store, milk)).reserved == 2
