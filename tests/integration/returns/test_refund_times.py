"""Time from request to refund against the target (72 hours by default), on both databases: a return
refunded in 10 hours is within it, one refunded after 80 hours is not, one still open after 80 hours is
late; per receiving store (0: not at a store yet), and on each return (`hours_to_refund`, `late`)."""

from __future__ import annotations

from o2o.returns import service as returns
from o2o.returns.schemas import InspectLineIn, ReturnIn
from tests.factories.chain import build_chain, receive
from tests.factories.returns import completed_online


def test_the_time_to_refund_per_store_counts_returns_within_and_past_the_target(container):
    c = container
    chain = build_chain(c)
    xjh, ja, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(c, xjh, milk, 5)
    number = completed_online(c, chain.customer, xjh, {milk: 3})
    line = returns.returnable(c.db, number)[0].order_line_id
    quick, slow, waiting = (returns.request(c.uow(), ReturnIn(order_number=number, reason_code="quality",
                                                             lines=[{"order_line_id": line, "quantity": 1}]),
                                            "staff:1") for _ in range(3))
    assert returns.target_hours() == 72

    def refund_at(r, store: int):  # type: ignore[no-untyped-def]
        returns.receive(c.uow(), r.id, store, [InspectLineIn(line_id=r.lines[0].id, resellable=1)], "staff:2")
        return returns.refund(c.uow(), r.id, "staff:2", location_id=store)

    c.clock.advance(hours=10)
    assert (refund_at(quick, xjh).hours_to_refund, returns.get_by_id(c.db, quick.id).late) == (10.0, False)
    c.clock.advance(hours=70)
    late = refund_at(slow, ja)
    assert (late.hours_to_refund, late.late) == (80.0, True)
    still = returns.get_by_id(c.db, waiting.id, c.clock.now())
    assert (still.status, still.hours_to_refund, still.late) == ("requested", 80.0, True)
    times = {t.location_id: t for t in returns.time_to_refund(c.db, c.clock.now())}
    assert (times[xjh].refunded, times[xjh].average_hours, times[xjh].within_target) == (1, 10.0, 1)
    assert (times[ja].refunded, times[ja].average_hours, times[ja].within_target) == (1, 80.0, 0)
    assert (times[0].refunded, times[0].open, times[0].late_open) == (0, 1, 1)  # not at a store yet
