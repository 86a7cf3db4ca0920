"""Placing with the sourcing engine, against SQLite and PostgreSQL (issue 13): an order whose lines are at
different stores is one order with a reservation at each and a fulfilment per location at payment,
completed only when every part is; max_split refuses with the reason; a closed store or one at capacity
is not chosen; a short pick or a store's rejection re-sources the rest through the outbox (a redelivered
event moves nothing twice); two orders racing for the last units of a split never oversell."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from o2o import bootstrap
from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.schemas import RuleIn
from o2o.fulfillment.sourcing import SourcingSettings
from o2o.inventory import service as inventory
from o2o.inventory.exceptions import InsufficientStock
from o2o.kernel.outbox import Delivery, OutboxEvent
from o2o.orders import handlers as order_handlers
from o2o.orders import service as orders
from o2o.orders.exceptions import NoLocation
from o2o.orders.schemas import MAX_LINE_QTY, OrderIn
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive, store

NEAR = {"line": "徐家汇路 1 号", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]}


def _order(c, chain, lines: dict[int, int], policy=None, **kw):  # type: ignore[no-untyped-def]
    data = {"customer_id": chain.customer, "mode": "store_delivery", "address": NEAR} | kw
    return orders.place(c.uow(), OrderIn(**data, lines=[{"sku_id": k, "quantity": q} for k, q in lines.items()]),
                        policy or orders.OrderPolicy())


def _pay(c, number: str) -> list:  # type: ignore[type-arg]
    orders.sandbox_complete(c.uow(), c.payments, orders.start_payment(c.uow(), c.payments, number).out_trade_no)
    bootstrap.relay(c).drain()
    return _parts(c, number)


def _parts(c, number: str) -> list:  # type: ignore[no-untyped-def, type-arg]
    return [fulfillment.get(c.db, fid) for fid in orders.get(c.db, number).fulfillment_ids]


def _held(c, number: str) -> dict[int, dict[int, int]]:  # type: ignore[no-untyped-def]
    with c.db.read() as s:
        return inventory.held(s, number)


def _avail(c, loc: int, sku: int) -> int:  # type: ignore[no-untyped-def]
    with c.db.read() as s:
        return inventory.available(s, [loc], [sku]).get((loc, sku), 0)


def _status(c, number: str) -> str:  # type: ignore[no-untyped-def]
    bootstrap.relay(c).drain()
    return orders.get(c.db, number).status


def test_lines_at_two_stores_make_one_order_two_reservations_two_fulfilments_completed_after_both(container):
    c = container
    chain = build_chain(c)
    milk, yogurt = chain.skus["milk"], chain.skus["yogurt"]
    xjh, ja = chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 5)
    receive(c, ja, yogurt, 5)
    q = orders.quote(c.db, OrderIn(customer_id=chain.customer, mode="store_delivery", address=NEAR, lines=[
        {"sku_id": milk, "quantity": 1}, {"sku_id": yogurt, "quantity": 2}]), orders.OrderPolicy(), now=c.clock.now())
    assert sorted((p.location_id, p.lines) for p in q.parts) == [(xjh, {milk: 1}), (ja, {yogurt: 2})]
    out = _order(c, chain, {milk: 1, yogurt: 2})
    assert _held(c, out.number) == {xjh: {milk: 1}, ja: {yogurt: 2}}
    assert out.fulfil_location_id in (xjh, ja) and out.route_reason.startswith("2 location(s)")
    [placed] = fulfillment.decisions(c.db, out.number)
    assert placed.status == "ok" and len(placed.record["allocations"]) == 2
    assert (_avail(c, xjh, milk), _avail(c, ja, yogurt)) == (4, 3)

    fos = _pay(c, out.number)
    assert sorted((f.location_id, f.mode, [(ln.sku_id, ln.quantity) for ln in f.lines]) for f in fos) == sorted(
        [(xjh, "store_delivery", [(milk, 1)]), (ja, "store_delivery", [(yogurt, 2)])])
    assert fos[0].location_id == out.fulfil_location_id  # the main part first
    first, second = fos
    fulfillment.ship(c.uow(), first.id, "staff:a")
    fulfillment.confirm_delivery(c.uow(), first.id, "courier:x")
    assert _status(c, out.number) == "paid"  # the other part has not started
    fulfillment.ship(c.uow(), second.id, "staff:b")
    assert _status(c, out.number) == "shipped"
    fulfillment.confirm_delivery(c.uow(), second.id, "courier:y")
    assert _status(c, out.number) == "completed"
    stock = {loc: inventory.stock_of(c.db, loc, [sku])[sku] for loc, sku in ((xjh, milk), (ja, yogurt))}
    assert (stock[xjh].on_hand, stock[xjh].reserved, stock[ja].on_hand, stock[ja].reserved) == (4, 0, 3, 0)
    assert inventory.check(c.db).ok


def test_max_split_refuses_three_stores_with_the_reason_and_a_higher_one_places_it(container):
    c = container
    chain = build_chain(c)
    milk, yogurt, cheese = chain.skus["milk"], chain.skus["yogurt"], chain.skus["cheese"]
    xjh, ja = chain.stores["xujiahui"], chain.stores["jingan"]
    third = store(c, "TYQ", (31.2080, 121.4420))
    receive(c, xjh, milk, 3)
    receive(c, ja, yogurt, 3)
    receive(c, third, cheese, 3)
    lines = {milk: 1, yogurt: 1, cheese: 1}
    with pytest.raises(InsufficientStock) as huge:  # the most a line may ask: refused with what there is
        _order(c, chain, {milk: MAX_LINE_QTY, yogurt: 1})
    assert huge.value.extra["lines"] == [{"field": "lines[0]", "sku_id": milk, "requested": MAX_LINE_QTY,
                                          "available": 3, "why": "no eligible location holds "
                                          f"{MAX_LINE_QTY} unit(s)"}]
    with pytest.raises(NoLocation) as refused:
        _order(c, chain, lines)
    assert refused.value.extra["why"] == "no plan from at most 2 location(s) holds every line"
    assert refused.value.extra["max_split"] == 2
    assert {x["sku_id"] for x in refused.value.extra["lines"]} == set(lines)
    assert all(_avail(c, loc, sku) == 3 for loc, sku in ((xjh, milk), (ja, yogurt), (third, cheese)))
    out = _order(c, chain, lines, orders.OrderPolicy(sourcing=SourcingSettings(max_split=3)))
    assert _held(c, out.number) == {xjh: {milk: 1}, ja: {yogurt: 1}, third: {cheese: 1}}


def test_a_closed_store_and_a_store_at_capacity_are_not_chosen(container):
    c = container
    chain = build_chain(c)
    milk, xjh = chain.skus["milk"], chain.stores["xujiahui"]
    # both right next to the customer, nearer than Xujiahui: closed until Saturday (today is a Tuesday),
    # and no capacity left this hour
    closed = store(c, "SHUT", XUJIAHUI_NEAR, opening_hours={"sat": [["09:00", "10:00"]]})
    full = store(c, "FULL", (31.2010, 121.4385), hourly_capacity=0)
    for loc in (closed, full, xjh):
        receive(c, loc, milk, 5)
    out = _order(c, chain, {milk: 1})
    assert out.fulfil_location_id == xjh and _held(c, out.number) == {xjh: {milk: 1}}
    [placed] = fulfillment.decisions(c.db, out.number)
    why = {cand["location_id"]: cand["excluded"] for cand in placed.record["candidates"]}
    assert (why[closed], why[full], why[xjh]) == ("closed", "capacity-hour", None)


def _redeliver(c, topic: str) -> None:  # type: ignore[no-untyped-def]
    """Run the re-sourcing handler again on the last event of `topic`, as a relay redelivering it would
    (the processed_event row aside): it must change nothing."""
    with c.db.read() as s:
        ev = s.scalars(select(OutboxEvent).where(OutboxEvent.topic == topic).order_by(OutboxEvent.id.desc())).first()
        delivery = Delivery(ev.id, ev.topic, dict(ev.payload), c.clock, "")
    handle = order_handlers.resource_with(orders.OrderPolicy())
    with c.db.write_lock, c.db.write_sessions() as s:
        handle(s, delivery)
        s.commit()


def test_a_short_pick_re_sources_the_missing_units_and_a_redelivery_moves_nothing_twice(container):
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 3)
    receive(c, ja, milk, 2)
    out = _order(c, chain, {milk: 3})  # brought to the customer: where from is ours to choose
    [fo] = _pay(c, out.number)
    assert fo.location_id == xjh and (_avail(c, xjh, milk), _avail(c, ja, milk)) == (0, 2)
    fulfillment.short_pick(c.uow(), fo.id, milk, 1, "staff:xjh")
    bootstrap.relay(c).drain()  # orders.resource: the 2 missing units go to Jing'an
    fos = {f.location_id: f for f in _parts(c, out.number)}
    assert fos[xjh].status == "picking" and [(ln.quantity, ln.missing) for ln in fos[xjh].lines] == [(1, 0)]
    assert fos[ja].status == "new" and [(ln.sku_id, ln.quantity) for ln in fos[ja].lines] == [(milk, 2)]
    assert _held(c, out.number) == {xjh: {milk: 1}, ja: {milk: 2}}
    assert (_avail(c, xjh, milk), _avail(c, ja, milk)) == (2, 0)
    order = orders.get(c.db, out.number)
    assert order.fulfil_location_id == xjh  # Xujiahui still serves its part
    assert any(h.note == f"re-sourced from location {xjh} to {ja}" for h in order.history)
    decisions = [d.status for d in fulfillment.decisions(c.db, out.number)]
    assert decisions == ["ok", "ok"]

    _redeliver(c, "fulfillment.short_picked")
    assert _held(c, out.number) == {xjh: {milk: 1}, ja: {milk: 2}}
    assert (_avail(c, xjh, milk), _avail(c, ja, milk)) == (2, 0)
    assert len(_parts(c, out.number)) == 2
    assert [d.status for d in fulfillment.decisions(c.db, out.number)] == decisions
    assert inventory.check(c.db).ok

    # both parts delivered: only then is the order completed
    parts = {f.location_id: f for f in _parts(c, out.number)}
    for loc in (xjh, ja):
        fulfillment.mark_ready(c.uow(), parts[loc].id, "staff:x")
        fulfillment.ship(c.uow(), parts[loc].id, "staff:x")
        fulfillment.confirm_delivery(c.uow(), parts[loc].id, "staff:x")
        bootstrap.relay(c).drain()
        assert _status(c, out.number) == ("completed" if loc == ja else "picking")


def test_a_short_pickup_at_the_store_the_customer_chose_waits_for_the_customer_to_be_asked(container):
    """Without any rule: a pickup is collected where the customer chose to go; sending them to a second store
    is theirs to agree to (accept the partial order, or cancel), so nothing is re-sourced and no stock moves."""
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 3)
    receive(c, ja, milk, 5)
    out = _order(c, chain, {milk: 3}, mode="pickup", location_id=xjh, address=None)
    [fo] = _pay(c, out.number)
    fulfillment.short_pick(c.uow(), fo.id, milk, 1, "staff:xjh")
    bootstrap.relay(c).drain()
    assert fulfillment.get(c.db, fo.id).status == "short" and len(_parts(c, out.number)) == 1
    assert _held(c, out.number) == {xjh: {milk: 3}} and _avail(c, ja, milk) == 5
    assert [d.status for d in fulfillment.decisions(c.db, out.number)] == ["ok"]  # only placing's
    rejected = _order(c, chain, {milk: 2}, mode="pickup", location_id=ja, address=None)
    [fr] = _pay(c, rejected.number)
    fulfillment.reject(c.uow(), fr.id, "fridge broken", "staff:ja")
    bootstrap.relay(c).drain()
    assert fulfillment.get(c.db, fr.id).status == "short" and _held(c, rejected.number) == {ja: {milk: 2}}


def test_a_rejected_fulfilment_is_re_sourced_whole_and_without_a_plan_waits_short(container):
    c = container
    chain = build_chain(c)
    milk, yogurt, xjh, ja = chain.skus["milk"], chain.skus["yogurt"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 2)
    receive(c, ja, milk, 2)
    receive(c, xjh, yogurt, 1)
    out = _order(c, chain, {milk: 2})
    [fo] = _pay(c, out.number)
    gone = fo.location_id
    other = ja if gone == xjh else xjh
    fulfillment.reject(c.uow(), fo.id, "fridge broken", "staff:x")
    bootstrap.relay(c).drain()
    fos = {f.location_id: f for f in _parts(c, out.number)}
    assert fos[gone].status == "cancelled" and fos[other].status == "new"
    assert _held(c, out.number) == {other: {milk: 2}}
    assert orders.get(c.db, out.number).fulfil_location_id == other  # the order moved with its only part
    assert _avail(c, gone, milk) == 2 and _avail(c, other, milk) == 0

    # nowhere else has yogurt: the rejection waits as a short pick for the customer to be contacted
    lone = _order(c, chain, {yogurt: 1})
    [fy] = _pay(c, lone.number)
    fulfillment.reject(c.uow(), fy.id, "no staff", "staff:x")
    bootstrap.relay(c).drain()
    after = fulfillment.get(c.db, fy.id)
    assert after.status == "short" and [(ln.quantity, ln.missing) for ln in after.lines] == [(1, 1)]
    assert [d.status for d in fulfillment.decisions(c.db, lone.number)] == ["ok", "unfulfillable"]
    assert _held(c, lone.number) == {xjh: {yogurt: 1}}
    orders.cancel_short(c.uow(), lone.number, "staff:hq")
    assert _avail(c, xjh, yogurt) == 1 and inventory.check(c.db).ok


@pytest.mark.concurrency
def test_two_orders_racing_for_the_last_units_of_a_split_never_oversell(container):
    c = container
    chain = build_chain(c)
    milk, yogurt, xjh, ja = chain.skus["milk"], chain.skus["yogurt"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 1)
    receive(c, ja, yogurt, 1)
    start = threading.Barrier(2)

    def go(_: int) -> str:
        start.wait()
        try:
            return _order(c, chain, {milk: 1, yogurt: 1}).number
        except InsufficientStock:
            return "refused"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(go, range(2)))
    assert results[1] == "refused" and results[0].startswith("SO")
    assert _held(c, results[0]) == {xjh: {milk: 1}, ja: {yogurt: 1}}
    assert (_avail(c, xjh, milk), _avail(c, ja, yogurt)) == (0, 0)
    assert inventory.check(c.db).ok


_CHAINS: dict[str, object] = {}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stock=st.lists(st.integers(0, 3), min_size=6, max_size=6),
       wanted=st.lists(st.integers(0, 3), min_size=2, max_size=2))
def test_placing_never_holds_more_than_available_and_every_line_is_held_or_refused_with_a_reason(
        container, stock, wanted):
    c = container
    chain = _CHAINS.get(c.db.url) or _CHAINS.setdefault(c.db.url, build_chain(c))  # one per database; each
    # example adds stock and places an order on it
    skus = [chain.skus["milk"], chain.skus["yogurt"]]
    locs = [chain.stores["xujiahui"], chain.stores["jingan"], chain.warehouse]
    for i, q in enumerate(stock):
        if q:
            receive(c, locs[i // 2], skus[i % 2], q)
    lines = {sku: q for sku, q in zip(skus, wanted, strict=True) if q}
    if not lines:
        return
    before = {(loc, sku): _avail(c, loc, sku) for loc in locs for sku in skus}
    try:
        out = _order(c, chain, lines)
    except (InsufficientStock, NoLocation) as exc:
        assert exc.extra["lines"] and exc.extra.get("why")  # which lines, and why
        assert {(loc, sku): _avail(c, loc, sku) for loc in locs for sku in skus} == before  # nothing held
        return
    held = _held(c, out.number)
    assert {sku: sum(h.get(sku, 0) for h in held.values()) for sku in lines} == lines  # every line, exactly
    assert len(held) <= 2  # max_split
    for loc, by_sku in held.items():
        for sku, q in by_sku.items():
            assert q <= before[(loc, sku)] and _avail(c, loc, sku) == before[(loc, sku)] - q


def test_a_keep_the_chosen_pickup_store_rule_places_an_integrations_pickup_only_at_that_store(container):
    """An integration's pickup (not the storefront's confirmed plan) may come from elsewhere; with the rule,
    only from the store named, else it is refused with the reason."""
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 1)
    receive(c, ja, milk, 5)
    out = _order(c, chain, {milk: 2}, mode="pickup", location_id=xjh, address=None)
    assert _held(c, out.number) == {ja: {milk: 2}}
    fulfillment.create_rule(c.uow(), RuleIn.model_validate(
        {"name": "keep pickups", "spec": {"kind": "keep_chosen_pickup_store"}}), "staff:hq")
    with pytest.raises((NoLocation, InsufficientStock)):
        _order(c, chain, {milk: 2}, mode="pickup", location_id=xjh, address=None)
    assert _avail(c, xjh, milk) == 1 and _avail(c, ja, milk) == 3


def test_head_office_moves_a_paid_split_order_to_one_store_that_has_every_line(container):
    c = container
    chain = build_chain(c)
    milk, yogurt = chain.skus["milk"], chain.skus["yogurt"]
    xjh, ja, ljz = chain.stores["xujiahui"], chain.stores["jingan"], chain.stores["lujiazui"]
    receive(c, xjh, milk, 5)
    receive(c, ja, yogurt, 5)
    receive(c, ljz, milk, 5)
    receive(c, ljz, yogurt, 5)
    out = _order(c, chain, {milk: 1, yogurt: 2}, mode="pickup", location_id=xjh, address=None)
    assert len(_pay(c, out.number)) == 2 and _held(c, out.number) == {xjh: {milk: 1}, ja: {yogurt: 2}}
    orders.reassign(c.uow(), out.number, ljz, "staff:hq", "fridge broken")
    open_parts = [f for f in _parts(c, out.number) if f.status != "cancelled"]
    assert [(f.location_id, f.mode, sorted((ln.sku_id, ln.quantity) for ln in f.lines)) for f in open_parts] == [
        (ljz, "pickup", sorted([(milk, 1), (yogurt, 2)]))]
    assert _held(c, out.number) == {ljz: {milk: 1, yogurt: 2}}
    assert orders.get(c.db, out.number).fulfil_location_id == ljz and inventory.check(c.db).ok
