"""Orders to return: an online pickup order taken through payment and hand-over by the real services, and a
till sale with lines and tenders as rows (the till's own API is another helper's)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from o2o.deps import Container
from o2o.fulfillment import service as fulfillment
from o2o.orders import service as orders
from o2o.orders.models import Order, OrderLine
from o2o.orders.schemas import OrderIn
from o2o.pos.models import PosSale, PosTender
from tests.factories.relay import settle
from tests.factories.tills import terminal

_n = itertools.count(1)


def completed_online(c: Container, customer_id: int, store_id: int, lines: dict[int, int],
                     coupon_ids: list[int] | None = None) -> str:
    """A pickup order placed, paid in the sandbox and handed over at `store_id`: the customer has the goods."""
    data = OrderIn(customer_id=customer_id, mode="pickup", location_id=store_id, coupon_ids=coupon_ids,
                   lines=[{"sku_id": k, "quantity": q} for k, q in lines.items()])
    number = orders.place(c.uow(), data, orders.OrderPolicy()).number
    started = orders.start_payment(c.uow(), c.payments, number)
    orders.sandbox_complete(c.uow(), c.payments, started.out_trade_no)
    order = orders.get(c.db, number)
    fo = order.fulfillment_ids[0]
    fulfillment.mark_ready(c.uow(), fo, "staff:test")
    fulfillment.hand_over(c.uow(), fo, orders.get(c.db, number).pickup_code or "", "staff:test")
    settle(c, lambda: orders.get(c.db, number).status == "completed", what=f"order {number} completed")
    return number


def till_sale(c: Container, location_id: int, lines: Sequence[tuple[int, int, int, int]],
              tenders: Sequence[tuple[str, int, str | None]], customer_id: int | None = None) -> str:
    """A completed till sale: lines (sku, quantity, unit price, discount fen), tenders (kind, amount, reference)."""
    n = next(_n)
    term = terminal(c, location_id, code=f"R{n:02d}")
    with c.uow() as uow:
        s, now = uow.session, uow.clock.now()
        subtotal = sum(q * p for _, q, p, _ in lines)
        discount = sum(d for *_, d in lines)
        o = Order(number=f"SO2026112488{n:04d}", channel="pos", status="completed", wanted_mode="pickup",
                  mode="pickup", customer_id=customer_id, chosen_location_id=location_id,
                  fulfil_location_id=location_id, route_reason="till", subtotal_fen=subtotal, delivery_fee_fen=0,
                  discount_fen=discount, total_fen=subtotal - discount, created_at=now, paid_at=now,
                  completed_at=now)
        s.add(o)
        s.flush()
        for sku, q, p, d in lines:
            s.add(OrderLine(order_id=o.id, sku_id=sku, name=f"sku {sku}", quantity=q, unit_price_fen=p,
                            line_total_fen=q * p, discount_fen=d))
        sale = PosSale(terminal_id=term, till_sale_id=f"RS{n}", order_id=o.id, session_id=None, clerk="staff:test",
                       sold_at=now, received_at=now, offline=False)
        s.add(sale)
        s.flush()
        for kind, amount, ref in tenders:
            s.add(PosTender(order_id=o.id, sale_id=sale.id, kind=kind, amount_fen=amount, change_fen=0,
                            reference=ref, clerk="staff:test", created_at=now))
        number = o.number
        uow.commit()
    return number
