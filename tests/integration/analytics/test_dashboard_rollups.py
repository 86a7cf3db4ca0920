"""The dashboard's per-day cache (o2o.analytics.rollups), on SQLite and PostgreSQL: the cached figures
are always those read straight from the orders, closed days are computed once, and a change to an
order of a closed day (cancelled and refunded, moved to another store, ready later) recomputes that day
(with those of the orders whose history rows are within rollups.SLACK of the last mark: here all)."""

from __future__ import annotations

from o2o.analytics import rollups
from o2o.analytics import service as analytics
from o2o.fulfillment import service as fulfillment
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.factories.chain import build_chain, receive


def _paid(container, customer: int, store: int, sku: int, qty: int) -> str:  # type: ignore[no-untyped-def]
    data = OrderIn(customer_id=customer, mode="pickup", location_id=store, lines=[{"sku_id": sku, "quantity": qty}])
    number = orders.place(container.uow(), data, orders.OrderPolicy()).number
    started = orders.start_payment(container.uow(), container.payments, number)
    orders.sandbox_complete(container.uow(), container.payments, started.out_trade_no)
    return number


def test_cached_days_match_the_orders_and_follow_changes(container, clock):
    chain = build_chain(container)
    xjh, ja, ljz, milk = (chain.stores["xujiahui"], chain.stores["jingan"], chain.stores["lujiazui"],
                          chain.skus["milk"])
    for store in (xjh, ja, ljz):
        receive(container, store, milk, 10)
    db, stores = container.db, [xjh, ja, ljz]
    first = _paid(container, chain.customer, xjh, milk, 2)  # Nov 24
    clock.advance(days=1)
    second = _paid(container, chain.customer, ja, milk, 3)  # Nov 25
    clock.advance(days=1)
    _paid(container, chain.customer, xjh, milk, 1)  # Nov 26: today

    def both() -> tuple[object, object]:
        now = clock.now()
        return (analytics.dashboard(db, now, 7, top_among=stores),
                analytics.dashboard(db, now, 7, top_among=stores, cached=False))

    cached, direct = both()
    assert cached == direct and cached.gmv_fen == 6 * 1290 and cached.orders == 3
    cache = rollups.cache_of(db)
    computed = cache.computed
    assert computed >= 6  # the six closed days of the week, once
    cached, direct = both()
    assert cached == direct and cache.computed == computed  # nothing closed was read again

    orders.cancel(container.uow(), first, "staff:1 ops", "customer called")  # Nov 24 loses its sale
    cached, direct = both()
    assert cached == direct and cached.gmv_fen == 4 * 1290 and cache.computed == computed + 2  # Nov 24, 25

    orders.reassign(container.uow(), second, ljz, "staff:1 ops", "fridge broken")  # Nov 25 moves store
    cached, direct = both()
    assert cached == direct and [s.location_id for s in cached.top_stores] == [ljz, xjh]
    assert cache.computed == computed + 4

    fo = orders.get(db, second).fulfillment_ids[-1]  # ready a day after payment: Nov 25's readiness
    fulfillment.start_picking(container.uow(), fo, "staff:clerk")
    fulfillment.mark_ready(container.uow(), fo, "staff:clerk")
    cached, direct = both()
    assert cached == direct and cached.readiness_all is not None and cached.readiness_all.orders == 1

    clock.advance(days=1)  # Nov 26 closes: cached from now on, and still the same figures
    cached, direct = both()
    assert cached == direct
    rollups.forget(db)
    assert analytics.dashboard(db, clock.now(), 7, top_among=stores) == direct


def test_expired_days_are_refreshed_a_few_per_read(container, clock):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 5)
    _paid(container, chain.customer, chain.stores["xujiahui"], chain.skus["milk"], 1)
    clock.advance(days=2)
    db = container.db
    direct = analytics.dashboard(db, clock.now(), 30, cached=False)
    assert analytics.dashboard(db, clock.now(), 30) == direct
    cache = rollups.cache_of(db)
    computed = cache.computed
    for d, (_, figures) in list(cache.days.items()):  # every day past its TTL at once
        cache.days[d] = (-1e9, figures)
    assert analytics.dashboard(db, clock.now(), 30) == direct
    assert cache.computed - computed == rollups.REFRESH_PER_READ  # a few, not the 29 days
    clock.advance(days=1)  # midnight: yesterday closes, and the oldest expired days are refreshed, each run alone
    computed = cache.computed
    assert analytics.dashboard(db, clock.now(), 30) == analytics.dashboard(db, clock.now(), 30, cached=False)
    assert cache.computed - computed <= 1 + rollups.REFRESH_PER_READ + 2


def test_a_served_process_fills_the_cache_as_it_starts(container, clock):
    import threading

    from fastapi.testclient import TestClient

    from o2o.main import create_app

    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 5)
    _paid(container, chain.customer, chain.stores["xujiahui"], chain.skus["milk"], 1)
    clock.advance(days=1)
    rollups.forget(container.db)
    with TestClient(create_app(container, warm=True)):
        for t in threading.enumerate():
            if t.name == "dashboard-warm":
                t.join(timeout=60)
        cache = rollups.cache_of(container.db)
        assert cache.computed >= 89 and len(cache.days) == 89  # the 90-day period but today
    assert analytics.dashboard(container.db, clock.now(), 90) == analytics.dashboard(container.db, clock.now(), 90,
                                                                                         cached=False)
