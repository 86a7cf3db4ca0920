"""An offline till whose counter went back sends a new sale under a till_sale_id it used before (in an
earlier upload, or twice in one batch with different sales): on both databases that sale is refused with
the reason `till-sale-id-taken` (naming the order the id belongs to), never answered `duplicate` as if it
were recorded (it was not: no order, no stock out). A real re-send (the same tenders) is still a duplicate."""

from __future__ import annotations

from sqlalchemy import func, select

from o2o.orders.models import Order
from o2o.pos import sync
from tests.integration.pos.offline import batch, sale, shop


def _orders(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Order)) or 0)


def test_a_till_sale_id_used_again_for_another_sale_is_refused_and_a_resend_is_a_duplicate(container):
    now = container.clock.now()
    sh = shop(container, [10, 10])
    a, b = sh.skus
    first = sync.ingest(container.uow(), sh.till, batch([sale(1, now, [(a, 1, 500)])]))
    number = first.results[0].order_number
    resend = sale(1, now, [(a, 1, 500)])
    other = sale(1, now, [(b, 2, 300)])  # S0001 again: another sale (600 fen by cash)
    twin_first, twin_other = sale(2, now, [(a, 1, 500)]), sale(2, now, [(b, 1, 300)])  # one id, two sales
    out = sync.ingest(container.uow(), sh.till, batch([resend, other, twin_first, twin_other]))
    assert [r.status for r in out.results] == ["duplicate", "refused", "accepted", "refused"]
    assert out.results[0].order_number == number
    assert [x.code for x in out.results[1].reasons] == ["till-sale-id-taken"]
    assert number in out.results[1].reasons[0].message
    assert [x.code for x in out.results[3].reasons] == ["till-sale-id-taken"]
    assert (out.accepted, out.duplicates, out.refused) == (1, 1, 2)
    assert _orders(container.db) == 2
