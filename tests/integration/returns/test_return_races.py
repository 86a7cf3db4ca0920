"""Races on one return, on both databases with real commits: two stores receiving it at once (the goods
go into one store's stock, once), then its store and head office refunding it at once (refunded once, the
money paid out once)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from o2o import bootstrap
from o2o.inventory import service as inventory
from o2o.kernel.errors import Problem
from o2o.returns import service as returns
from o2o.returns.schemas import InspectLineIn, ReturnIn
from tests.factories.chain import build_chain, receive
from tests.factories.returns import completed_online


def _at_once(*calls):  # type: ignore[no-untyped-def]
    start = threading.Barrier(len(calls))

    def run(call):  # type: ignore[no-untyped-def]
        start.wait()
        try:
            call()
            return "ok"
        except Problem as exc:
            return exc.kind

    with ThreadPoolExecutor(len(calls)) as pool:
        return sorted(f.result() for f in [pool.submit(run, c) for c in calls])


def test_two_stores_receiving_and_two_desks_refunding_one_return_at_once_do_it_once(container):
    c = container
    chain = build_chain(c)
    xjh, ja, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    for store in (xjh, ja):
        receive(c, store, milk, 5)
    number = completed_online(c, chain.customer, xjh, {milk: 2})
    line = returns.returnable(c.db, number)[0]
    r = returns.request(c.uow(), ReturnIn(order_number=number, reason_code="quality",
                                          lines=[{"order_line_id": line.order_line_id, "quantity": 2}]), "staff:1")
    got = [InspectLineIn(line_id=r.lines[0].id, resellable=2)]
    assert _at_once(lambda: returns.receive(c.uow(), r.id, xjh, got, "staff:xjh"),
                    lambda: returns.receive(c.uow(), r.id, ja, got, "staff:ja")) == ["illegal-transition", "ok"]
    where = returns.get_by_id(c.db, r.id).location_id
    on_hand = {s: inventory.stock_of(c.db, s, [milk])[milk].on_hand for s in (xjh, ja)}
    assert on_hand[where] == 5 + 2 - (2 if where == xjh else 0) and sum(on_hand.values()) == 5 + 5 - 2 + 2

    assert _at_once(lambda: returns.refund(c.uow(), r.id, "staff:desk", location_id=where),
                    lambda: returns.refund(c.uow(), r.id, "staff:hq")) == ["illegal-transition", "ok"]
    done = returns.get_by_id(c.db, r.id)
    assert (done.status, done.refund_fen, len(done.refunds)) == ("refunded", line.paid_fen, 1)
    bootstrap.relay(c).drain()
    assert [x["amount_fen"] for x in c.payments.refunds] == [line.paid_fen]
    assert inventory.check(c.db).ok
