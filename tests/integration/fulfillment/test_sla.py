"""SLA watch against SQLite and PostgreSQL (o2o.fulfillment.sla, sla_service): each paid order's
fulfilment gets its promise per mode; the watch announces `fulfillment.at_risk` once and
`fulfillment.late` once, however often it runs and with two workers at once; a fulfilment ready in
time is never at risk; the on-time rate counts the promises that fell due in the period."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select, update

from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.models import FulfillmentOrder
from o2o.kernel.outbox import OutboxEvent
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn, ShipTo
from tests.factories.chain import SONGJIANG, XUJIAHUI, XUJIAHUI_NEAR, build_chain, receive, store

ALWAYS = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
TOPICS = ("fulfillment.at_risk", "fulfillment.late")


def _paid(c, chain, mode: str, location: int, sku: int, address=None) -> int:  # type: ignore[no-untyped-def]
    """A paid order of one unit: its fulfilment id."""
    number = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode=mode, location_id=location,
                                           address=address, lines=[{"sku_id": sku, "quantity": 1}]),
                          orders.OrderPolicy()).number
    orders.sandbox_complete(c.uow(), c.payments, orders.start_payment(c.uow(), c.payments, number).out_trade_no)
    return orders.get(c.db, number).fulfillment_ids[0]


def _announced(c) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    with c.db.read() as s:
        rows = s.execute(select(OutboxEvent.topic, OutboxEvent.payload).where(OutboxEvent.topic.in_(TOPICS))
                         .order_by(OutboxEvent.id))
        return [(topic, payload["fulfillment_id"]) for topic, payload in rows]


def test_each_mode_gets_its_promise_at_payment_and_night_urgent_from_a_24_hour_store(container):
    c = container
    chain = build_chain(c)
    milk, xjh = chain.skus["milk"], chain.stores["xujiahui"]
    night = store(c, "N24", XUJIAHUI, opening_hours=ALWAYS)
    receive(c, xjh, milk, 2)  # sold out after the first two orders: the night order goes to the 24-hour store
    receive(c, night, milk, 5)
    receive(c, chain.warehouse, milk, 5)
    near = ShipTo(line="漕溪北路", lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1])
    paid = c.clock.now()  # 10:00 in Shanghai: every location open
    got = {mode: fulfillment.get(c.db, _paid(c, chain, mode, loc, milk, addr)).promised_at - paid
           for mode, loc, addr in (("pickup", xjh, None), ("store_delivery", xjh, near),
                                   ("parcel", chain.warehouse, ShipTo(line="松江", lat=SONGJIANG[0], lng=SONGJIANG[1])))}
    assert got == {"pickup": timedelta(minutes=30), "store_delivery": timedelta(hours=2), "parcel": timedelta(hours=24)}
    c.clock.advance(hours=13, minutes=30)  # 23:30 in Shanghai: night urgent delivery from the 24-hour store
    fo = fulfillment.get(c.db, _paid(c, chain, "store_delivery", night, milk, near))
    assert fo.location_id == night
    assert fo.promised_at - c.clock.now() == timedelta(hours=1)
    # a fulfilment made later for the same order (moved to a store closed now) keeps the customer's promise
    with c.uow() as uow:
        [moved] = fulfillment.move_for_order(uow, fo.order_id, xjh, "staff:hq", "moved")
        uow.commit()
    assert fulfillment.get(c.db, moved).promised_at == fo.promised_at


def test_the_watch_announces_at_risk_once_and_late_once_and_never_a_promise_kept(container):
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 5)
    receive(c, ja, milk, 5)
    slow, quick, other = (_paid(c, chain, "pickup", xjh, milk), _paid(c, chain, "pickup", xjh, milk),
                          _paid(c, chain, "pickup", ja, milk))
    assert fulfillment.watch_sla(c.uow()) == (0, 0)
    c.clock.advance(minutes=10)
    fulfillment.mark_ready(c.uow(), quick, "staff:xjh")  # ready in time: out of the watch for good
    c.clock.advance(minutes=11)  # 9 minutes before the promise: within the 10-minute lead
    assert fulfillment.watch_sla(c.uow()) == (2, 0)
    assert fulfillment.watch_sla(c.uow()) == (0, 0)  # run again (a restart): nothing twice
    assert [(x.fulfillment_id, x.minutes_left, x.late) for x in fulfillment.at_risk(c.db, c.clock.now(), xjh)] == [
        (slow, 9, False)]
    c.clock.advance(minutes=10)  # a minute past the promise
    assert fulfillment.watch_sla(c.uow()) == (0, 2)
    assert fulfillment.watch_sla(c.uow()) == (0, 0)
    [late] = fulfillment.at_risk(c.db, c.clock.now(), xjh)
    assert (late.fulfillment_id, late.minutes_left, late.late, late.step, late.status) == (slow, -1, True, "ready",
                                                                                           "new")
    assert {x.fulfillment_id for x in fulfillment.at_risk(c.db, c.clock.now())} == {slow, other}
    assert sorted(_announced(c)) == sorted([("fulfillment.at_risk", slow), ("fulfillment.at_risk", other),
                                            ("fulfillment.late", slow), ("fulfillment.late", other)])
    with c.db.read() as s:
        payload = s.scalars(select(OutboxEvent.payload).where(OutboxEvent.topic == "fulfillment.late")
                            .order_by(OutboxEvent.id)).first()
    assert payload is not None and payload["minutes_left"] == -1 and payload["step"] == "ready"
    # ready late: out of the list, counted as a promise broken
    c.clock.advance(minutes=5)
    fulfillment.mark_ready(c.uow(), slow, "staff:xjh")
    assert fulfillment.at_risk(c.db, c.clock.now(), xjh) == []
    assert fulfillment.watch_sla(c.uow()) == (0, 0)
    rates = {r.location_id: (r.due, r.kept) for r in fulfillment.on_time(c.db, c.clock.now(), 7)}
    assert rates == {xjh: (2, 1), ja: (1, 0)}


def test_two_workers_watching_at_once_announce_each_fulfilment_once(container):
    c = container
    chain = build_chain(c)
    milk, xjh = chain.skus["milk"], chain.stores["xujiahui"]
    receive(c, xjh, milk, 12)
    ids = {_paid(c, chain, "pickup", xjh, milk) for _ in range(12)}
    c.clock.advance(minutes=45)  # every promise past
    barrier = threading.Barrier(2)
    results: list[tuple[int, int]] = []

    def run() -> None:
        barrier.wait()
        results.append(fulfillment.watch_sla(c.uow()))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r[0] for r in results) == 12 and sum(r[1] for r in results) == 12
    announced = _announced(c)
    assert sorted(fid for topic, fid in announced if topic == "fulfillment.at_risk") == sorted(ids)
    assert sorted(fid for topic, fid in announced if topic == "fulfillment.late") == sorted(ids)


def test_on_time_rate_per_store_over_the_period(container):
    """A small table: each row's promise and when its step was reached (None: not yet), per store."""
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 1)
    seed = fulfillment.get(c.db, _paid(c, chain, "pickup", xjh, milk))
    now = c.clock.now()
    h = timedelta(hours=1)
    table = [  # location, status, promised (from now), met (from now)
        (xjh, "ready", -2 * h, -3 * h),  # kept
        (xjh, "handed_over", -5 * h, -5 * h),  # kept to the second
        (xjh, "ready", -6 * h, -4 * h),  # met late
        (xjh, "picking", -1 * h, None),  # still waiting: late
        (xjh, "cancelled", -2 * h, None),  # cancelled: not counted
        (xjh, "new", 1 * h, None),  # not due yet: not counted
        (xjh, "ready", -8 * 24 * h, -9 * 24 * h),  # kept, but before the 7 days (in the 30)
        (ja, "ready", -3 * h, -2 * h),  # met late
    ]
    with c.uow() as uow:
        for loc, status, promised, met in table:
            uow.session.add(FulfillmentOrder(
                order_id=seed.order_id, order_number=seed.order_number, location_id=loc, mode="pickup",
                status=status, reason="sla table", created_at=now - 10 * 24 * h, promised_at=now + promised,
                promise_met_at=None if met is None else now + met))
        # the paid order's own fulfilment (promised in 30 min) is not due yet
        uow.session.execute(update(FulfillmentOrder).where(FulfillmentOrder.id == seed.id).values(status="new"))
        uow.commit()
    week = {r.location_id: (r.due, r.kept, r.rate) for r in fulfillment.on_time(c.db, now, 7)}
    assert week == {xjh: (4, 2, 0.5), ja: (1, 0, 0.0)}
    month = {r.location_id: (r.due, r.kept) for r in fulfillment.on_time(c.db, now, 30)}
    assert month == {xjh: (5, 3), ja: (1, 0)}
    assert [r.location_id for r in fulfillment.on_time(c.db, now, 30, [ja])] == [ja]
    assert fulfillment.on_time(c.db, now, 30, [chain.stores["lujiazui"]]) == []
