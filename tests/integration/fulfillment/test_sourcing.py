"""Sourcing against SQLite and PostgreSQL: candidates, stock (minus safety stock), capacity used this hour
and today (fulfilments already made), the rules table in its order, and the decision record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.schemas import RuleIn, RuleUpdate
from o2o.fulfillment.sourcing import PICKUP, STORE_DELIVERY, Request
from o2o.inventory import service as inventory
from o2o.inventory.schemas import SafetyStockIn
from o2o.kernel.errors import Conflict, InvalidInput
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive, store


def _source(c, lines, mode=STORE_DELIVERY, now=None, **kw):  # type: ignore[no-untyped-def]
    req = Request(lines=lines, mode=mode, now=now or c.clock.now(), has_address=mode != PICKUP,
                  lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1], **kw)
    with c.db.read() as s:
        return fulfillment.source(s, req)


def test_split_over_two_stores_is_recorded_with_every_candidate_when_no_store_has_both(container):
    c = container
    chain = build_chain(c)
    milk, yogurt = chain.skus["milk"], chain.skus["yogurt"]
    xjh, ja = chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 5)
    receive(c, ja, yogurt, 5)
    d = _source(c, {milk: 1, yogurt: 2})
    assert d.ok and {a.location_id: dict(a.lines) for a in d.allocations} == {xjh: {milk: 1}, ja: {yogurt: 2}}
    assert all(a.mode == STORE_DELIVERY for a in d.allocations)
    reasons = {cand.location_id: cand.excluded for cand in d.candidates}
    assert reasons[chain.warehouse] == "no-stock" and reasons[xjh] is None

    with c.uow() as uow:
        fulfillment.record_decision(uow, "SO-SRC-1", d)
        uow.commit()
    [kept] = fulfillment.decisions(c.db, "SO-SRC-1")
    assert kept.status == "ok" and kept.method == "exact" and kept.optimal and kept.total_fen == d.total_fen
    assert [a["location_id"] for a in kept.record["allocations"]] == [a.location_id for a in d.allocations]
    assert kept.record["candidates"][0]["costs"]["total_fen"] == sum(
        v for k, v in kept.record["candidates"][0]["costs"].items() if k != "total_fen")
    assert fulfillment.decisions(c.db, "SO-NONE") == []

    # safety stock is not for sale: with 4 of Jing'an's 5 yogurts kept back, 2 cannot come from there
    inventory.set_safety_stock(c.uow(), ja, yogurt, SafetyStockIn(safety_stock=4))
    d = _source(c, {milk: 1, yogurt: 2})
    assert not d.ok and set(d.unfulfilled) == {yogurt}


def test_capacity_used_this_hour_and_today_rules_a_store_out(container):
    c = container
    chain = build_chain(c)
    milk = chain.skus["milk"]
    busy = store(c, "BUSY", XUJIAHUI_NEAR, hourly_capacity=1, daily_capacity=1)
    receive(c, busy, milk, 9)
    receive(c, chain.stores["xujiahui"], milk, 9)
    d = _source(c, {milk: 1}, PICKUP, chosen_location_id=busy)
    assert d.allocations[0].location_id == busy  # the nearest; nothing taken yet
    number = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=busy,
                                           lines=[{"sku_id": milk, "quantity": 1}]), orders.OrderPolicy()).number
    assert _source(c, {milk: 1}, PICKUP, chosen_location_id=busy).allocations[0].location_id == busy  # unpaid
    orders.sandbox_complete(c.uow(), c.payments, orders.start_payment(c.uow(), c.payments, number).out_trade_no)
    d = _source(c, {milk: 1}, PICKUP, chosen_location_id=busy)
    assert {x.location_id: x.excluded for x in d.candidates}[busy] == "capacity-hour"
    assert d.allocations[0].location_id == chain.stores["xujiahui"]
    later = _source(c, {milk: 1}, PICKUP, now=c.clock.now() + timedelta(hours=1), chosen_location_id=busy)
    assert {x.location_id: x.excluded for x in later.candidates}[busy] == "capacity-day"
    tomorrow = _source(c, {milk: 1}, PICKUP, now=c.clock.now() + timedelta(days=1), chosen_location_id=busy)
    assert tomorrow.allocations[0].location_id == busy


def test_rules_apply_in_their_order_and_only_when_enabled(container):
    c = container
    chain = build_chain(c)
    milk = chain.skus["milk"]
    xjh, ja = chain.stores["xujiahui"], chain.stores["jingan"]
    for loc in (xjh, ja):
        receive(c, loc, milk, 9)
    assert _source(c, {milk: 1}).allocations[0].location_id == xjh
    no_xjh = fulfillment.create_rule(c.uow(), RuleIn(name="no xujiahui", spec={
        "kind": "exclude_locations", "location_ids": [xjh]}), "staff:hq")
    no_ja = fulfillment.create_rule(c.uow(), RuleIn(name="no jingan", position=1, spec={
        "kind": "exclude_locations", "location_ids": [ja], "when": {"channels": ["tmall"]}}), "staff:hq")
    assert [(r.name, r.position) for r in fulfillment.rules(c.db)] == [("no jingan", 1), ("no xujiahui", 2)]
    d = _source(c, {milk: 1})
    assert d.allocations[0].location_id == ja and d.rules == ("no xujiahui: ruled out 1 location(s)",)
    assert not _source(c, {milk: 1}, channel="tmall").ok  # both ruled out
    fulfillment.update_rule(c.uow(), no_xjh.id, RuleUpdate(enabled=False), "staff:hq")
    assert _source(c, {milk: 1}).allocations[0].location_id == xjh
    out = fulfillment.reorder_rules(c.uow(), [no_xjh.id, no_ja.id], "staff:hq")
    assert [(r.id, r.position, r.enabled) for r in out] == [(no_xjh.id, 1, False), (no_ja.id, 2, True)]
    with pytest.raises(InvalidInput):
        fulfillment.reorder_rules(c.uow(), [no_xjh.id], "staff:hq")
    with pytest.raises(InvalidInput):
        fulfillment.reorder_rules(c.uow(), [no_xjh.id, no_xjh.id], "staff:hq")
    with pytest.raises(Conflict):
        fulfillment.create_rule(c.uow(), RuleIn(name="no jingan", spec={"kind": "max_split", "value": 1}), "x")
    assert [r.name for r in fulfillment.rules(c.db)] == ["no xujiahui", "no jingan"]
