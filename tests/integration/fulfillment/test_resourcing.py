"""Re-sourcing against SQLite and PostgreSQL: the rest of a short-picked or rejected fulfilment goes to
another location with the reservation moved; without a plan nothing changes; two re-sourcings racing
for the same last units: one wins, the other changes nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.sourcing import PICKUP, Request
from o2o.inventory import service as inventory
from o2o.inventory.exceptions import ReservationFailed
from o2o.kernel.errors import IllegalTransition
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive


def _paid_pickup(c, chain, store: int, lines: dict[int, int]) -> int:  # type: ignore[no-untyped-def]
    """A paid pickup order at `store`: its fulfilment id."""
    number = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=store,
                                           lines=[{"sku_id": k, "quantity": q} for k, q in lines.items()]),
                          orders.OrderPolicy()).number
    orders.sandbox_complete(c.uow(), c.payments, orders.start_payment(c.uow(), c.payments, number).out_trade_no)
    return orders.get(c.db, number).fulfillment_ids[0]


def _where(c) -> Request:  # type: ignore[no-untyped-def]
    return Request(lines={}, mode=PICKUP, now=c.clock.now(), lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1])


def _avail(c, loc: int, sku: int) -> int:  # type: ignore[no-untyped-def]
    with c.db.read() as s:
        return inventory.available(s, [loc], [sku]).get((loc, sku), 0)


@pytest.mark.parametrize("found", [0, 1])
def test_short_pick_rest_goes_to_another_store_with_the_reservation_moved(container, found):
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 2)
    receive(c, ja, milk, 5)
    fid = _paid_pickup(c, chain, xjh, {milk: 2})
    assert (_avail(c, xjh, milk), _avail(c, ja, milk)) == (0, 5)
    fulfillment.short_pick(c.uow(), fid, milk, found, "staff:xjh")
    d = fulfillment.reallocate(c.uow(), fid, _where(c), "staff:xjh")
    assert d.ok and [(a.location_id, dict(a.lines)) for a in d.allocations] == [(ja, {milk: 2 - found})]
    assert {x.location_id: x.excluded for x in d.candidates}[xjh] == "rejected"
    old = fulfillment.get(c.db, fid)
    if found:
        assert old.status == "picking" and [(ln.quantity, ln.missing) for ln in old.lines] == [(1, 0)]
    else:
        assert old.status == "cancelled"
    number = old.order_number
    fos = fulfillment.for_order(c.db, old.order_id)
    new = [fo for fo in fos if fo.location_id == ja]
    assert len(new) == 1 and new[0].status == "new" and [(ln.sku_id, ln.quantity) for ln in new[0].lines] == [
        (milk, 2 - found)]
    # the missing units are no longer held at Xujiahui (the shelf's count is for a stock count to fix);
    # Jing'an holds them now
    assert (_avail(c, xjh, milk), _avail(c, ja, milk)) == (2 - found, 5 - (2 - found))
    placed, kept = fulfillment.decisions(c.db, number)  # placing (the engine chose Xujiahui), re-sourcing
    assert placed.record["allocations"][0]["location_id"] == xjh
    assert kept.status == "ok" and kept.record["allocations"][0]["location_id"] == ja
    assert inventory.check(c.db).ok
    with pytest.raises(IllegalTransition):  # nothing short any more
        fulfillment.reallocate(c.uow(), fid, _where(c), "staff:xjh")


def test_without_a_plan_the_fulfilment_stays_short_and_the_decision_says_why(container):
    c = container
    chain = build_chain(c)
    milk, xjh = chain.skus["milk"], chain.stores["xujiahui"]
    receive(c, xjh, milk, 2)
    fid = _paid_pickup(c, chain, xjh, {milk: 2})
    fulfillment.short_pick(c.uow(), fid, milk, 0, "staff:xjh")
    d = fulfillment.reallocate(c.uow(), fid, _where(c), "staff:xjh")
    assert not d.ok and set(d.unfulfilled) == {milk}
    fo = fulfillment.get(c.db, fid)
    assert fo.status == "short" and [(ln.quantity, ln.missing) for ln in fo.lines] == [(2, 2)]
    assert len(fulfillment.for_order(c.db, fo.order_id)) == 1
    assert [x.status for x in fulfillment.decisions(c.db, fo.order_number)] == ["ok", "unfulfillable"]
    assert _avail(c, xjh, milk) == 0


def test_a_rejected_new_fulfilment_moves_whole_and_a_ready_one_cannot(container):
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 4)
    receive(c, ja, milk, 4)
    fid = _paid_pickup(c, chain, xjh, {milk: 1})
    d = fulfillment.reallocate(c.uow(), fid, _where(c), "staff:xjh")
    assert d.ok and d.allocations[0].location_id == ja and fulfillment.get(c.db, fid).status == "cancelled"
    other = _paid_pickup(c, chain, xjh, {milk: 1})
    fulfillment.mark_ready(c.uow(), other, "staff:xjh")
    with pytest.raises(IllegalTransition):
        fulfillment.reallocate(c.uow(), other, _where(c), "staff:xjh")


@pytest.mark.concurrency
def test_two_re_sourcings_racing_for_the_last_units_one_wins_the_other_changes_nothing(container):
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 4)
    receive(c, ja, milk, 2)
    fids = [_paid_pickup(c, chain, xjh, {milk: 2}) for _ in range(2)]
    for fid in fids:
        fulfillment.short_pick(c.uow(), fid, milk, 0, "staff:xjh")
    start = threading.Barrier(2)

    def go(fid: int):  # type: ignore[no-untyped-def]
        start.wait()
        try:
            return fulfillment.reallocate(c.uow(), fid, _where(c), "staff:xjh").ok
        except ReservationFailed:
            return "lost"

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(go, fids))
    assert sorted(map(str, results)) in (["False", "True"], ["True", "lost"])
    statuses = sorted(fulfillment.get(c.db, fid).status for fid in fids)
    assert statuses == ["cancelled", "short"]
    assert _avail(c, ja, milk) == 0 and inventory.check(c.db).ok


def test_each_location_commits_only_its_own_units_after_a_split(container):
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 2)
    receive(c, ja, milk, 5)
    fid = _paid_pickup(c, chain, xjh, {milk: 2})
    fulfillment.short_pick(c.uow(), fid, milk, 1, "staff:xjh")
    fulfillment.reallocate(c.uow(), fid, _where(c), "staff:xjh")
    fo = fulfillment.get(c.db, fid)
    [new] = [x for x in fulfillment.for_order(c.db, fo.order_id) if x.location_id == ja]
    fulfillment.mark_ready(c.uow(), fid, "staff:xjh")
    fulfillment.hand_over(c.uow(), fid, orders.get(c.db, fo.order_number).pickup_code or fo.pickup_code or "",
                          "staff:xjh")
    stock = {loc: inventory.stock_of(c.db, loc, [milk])[milk] for loc in (xjh, ja)}
    assert (stock[xjh].on_hand, stock[xjh].reserved) == (1, 0)  # the one unit found left Xujiahui
    assert (stock[ja].on_hand, stock[ja].reserved) == (5, 1)  # Jing'an's unit is still held, not gone
    fulfillment.mark_ready(c.uow(), new.id, "staff:ja")
    fulfillment.hand_over(c.uow(), new.id, fulfillment.get(c.db, new.id).pickup_code or "", "staff:ja")
    ja_stock = inventory.stock_of(c.db, ja, [milk])[milk]
    assert (ja_stock.on_hand, ja_stock.reserved) == (4, 0) and inventory.check(c.db).ok
