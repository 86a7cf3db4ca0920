"""Till sales recorded in bulk: many completed POS orders in a few statements (offline uploads).

A till that was offline sold, priced and took payment on its own; the server records what was sold at
the prices charged (it does not price again). Each sale becomes an ordinary order (channel `pos`, mode
pickup at the till's store, status completed, paid and completed at the till's sale time) with its lines,
its bill's discount lines and one history row; `order.paid` and `order.completed` go out for each (loyalty
earns points on the completion once per order, catalog counts the units, promotions see the visit).

Statements for N sales, whatever N: the order numbers in one statement (`kernel.sequences.next_values`),
one INSERT ... RETURNING of the orders, one of the lines, one of the discount lines, one of the
history rows (o2o.kernel.bulk: one statement each, whatever N), one of the outbox events (at the unit of work's commit). Joins the caller's unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from o2o.kernel.bulk import insert_rows
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.money import CURRENCY
from o2o.kernel.sequences import next_values
from o2o.kernel.uow import UnitOfWork
from o2o.orders.models import COMPLETED, PICKUP, POS, Order, OrderDiscount, OrderHistory, OrderLine


@dataclass(frozen=True)
class TillLine:
    sku_id: int
    name: str
    quantity: int
    unit_price_fen: int  # what the till charged a unit (its tier price, if it applied one)
    discount_fen: int = 0  # the line's share of the bill's discounts, as the till split them
    list_price_fen: int | None = None  # the list price, when the till charged a tier price
    name_zh: str | None = None  # the product's name in both languages, as online orders keep it
    name_en: str | None = None


@dataclass(frozen=True)
class TillDiscount:
    key: str
    kind: str
    label_zh: str
    label_en: str
    amount_fen: int


@dataclass(frozen=True)
class TillSale:
    location_id: int
    sold_at: datetime  # the till's clock
    actor: str  # who rang it up, for the history row ("staff:12")
    note: str  # e.g. "till T01, offline sale 0001"
    lines: tuple[TillLine, ...]
    discounts: tuple[TillDiscount, ...] = ()
    customer_id: int | None = None
    subtotal_fen: int = field(init=False)
    discount_fen: int = field(init=False)
    total_fen: int = field(init=False)

    def __post_init__(self) -> None:
        sub = sum(ln.unit_price_fen * ln.quantity for ln in self.lines)
        off = sum(d.amount_fen for d in self.discounts)
        object.__setattr__(self, "subtotal_fen", sub)
        object.__setattr__(self, "discount_fen", off)
        object.__setattr__(self, "total_fen", sub - off)




def record_till_sales(uow: UnitOfWork, sales: list[TillSale]) -> list[tuple[int, str]]:
    """Joins the caller's unit of work: write `sales` (in the order given) as completed POS orders and
    publish their events. Returns (order id, order number) per sale, in the same order."""
    if not sales:
        return []
    s: Session = uow.session
    now = uow.clock.now()
    conn = s.connection()
    seqs = next_values(s, "order_number", len(sales))
    numbers = [f"SO{sale.sold_at.astimezone(SHANGHAI):%Y%m%d}{n:06d}" for sale, n in zip(sales, seqs, strict=True)]
    rows = [dict(number=number, customer_id=sale.customer_id, channel=POS, utm_source=None, utm_medium=None,
                 utm_campaign=None, status=COMPLETED, wanted_mode=PICKUP, mode=PICKUP,
                 chosen_location_id=sale.location_id, fulfil_location_id=sale.location_id,
                 route_reason=sale.note[:300], distance_m=None, ship_lat=None, ship_lng=None, ship_address=None,
                 pickup_slot=None, subtotal_fen=sale.subtotal_fen, delivery_fee_fen=0, discount_fen=sale.discount_fen,
                 total_fen=sale.total_fen, currency=CURRENCY, tier_code=None, delivery_fee_waived_fen=0,
                 created_at=sale.sold_at, expires_at=None, paid_at=sale.sold_at, completed_at=sale.sold_at,
                 held_for=None)
            for sale, number in zip(sales, numbers, strict=True)]
    ids = [int(r[1]) for r in insert_rows(conn, Order.__table__, rows, returning=("number", "id"))]
    lines, bill, history = [], [], []
    for sale, order_id in zip(sales, ids, strict=True):
        lines += [dict(order_id=order_id, sku_id=ln.sku_id, name=ln.name[:200], name_zh=(ln.name_zh or None) and
                       ln.name_zh[:200], name_en=(ln.name_en or None) and ln.name_en[:200], quantity=ln.quantity,
                       unit_price_fen=ln.unit_price_fen, line_total_fen=ln.unit_price_fen * ln.quantity,
                       list_price_fen=ln.list_price_fen, price_tier=None, discount_fen=ln.discount_fen)
                  for ln in sale.lines]
        bill += [dict(order_id=order_id, key=d.key[:24], kind=d.kind[:20], label_zh=d.label_zh[:80],
                      label_en=d.label_en[:120], amount_fen=d.amount_fen) for d in sale.discounts]
        # recorded now (when the server learnt of it: caches of closed days see a newer row), about then
        history.append(dict(order_id=order_id, from_status=None, to_status=COMPLETED, actor=sale.actor[:80],
                            note=f"{sale.note}; sold at {sale.sold_at.isoformat()}"[:300], at=now))
    insert_rows(conn, OrderLine.__table__, lines)
    insert_rows(conn, OrderDiscount.__table__, bill)
    insert_rows(conn, OrderHistory.__table__, history)
    for sale, order_id, number in zip(sales, ids, numbers, strict=True):
        payload = {"order_id": order_id, "number": number, "total_fen": sale.total_fen,
                   "location_id": sale.location_id, "mode": PICKUP, "channel": POS}
        uow.publish("order.paid", payload)
        uow.publish("order.completed", payload)
    return list(zip(ids, numbers, strict=True))


def numbers_of(session: Session, order_ids: list[int]) -> dict[int, str]:
    """Order numbers by id (a re-uploaded sale is answered with the number it got the first time)."""
    if not order_ids:
        return {}
    from sqlalchemy import select

    rows = session.execute(select(Order.id, Order.number).where(Order.id.in_(order_ids)))
    return {int(i): str(n) for i, n in rows}
