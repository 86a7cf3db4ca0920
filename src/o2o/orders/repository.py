"""Order statements. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from o2o.orders.models import (
    COMPLETED,
    PAID,
    PENDING_PAYMENT,
    Order,
    OrderDiscount,
    OrderHistory,
    OrderLine,
    Payment,
)

# Core statements on the tables, built once: the hot path only binds parameters, and runs them on the
# session's connection (no ORM execution layer: Core statements neither need nor trigger a flush)
_INSERT_ORDER = Order.__table__.insert().returning(Order.__table__.c.id)
_INSERT_LINE = OrderLine.__table__.insert()
_INSERT_HISTORY = OrderHistory.__table__.insert()
_INSERT_DISCOUNT = OrderDiscount.__table__.insert()


def insert_order(session: Session, values: dict) -> int:
    return int(session.connection().execute(_INSERT_ORDER, values).scalar_one())


def insert_lines(session: Session, rows: list[dict]) -> None:
    session.connection().execute(_INSERT_LINE, rows)


def insert_discounts(session: Session, rows: list[dict]) -> None:
    session.connection().execute(_INSERT_DISCOUNT, rows)


def discounts_of(session: Session, order_id: int) -> list[OrderDiscount]:
    return list(session.scalars(select(OrderDiscount).where(OrderDiscount.order_id == order_id)
                                .order_by(OrderDiscount.id)))


def add_history(session: Session, order_id: int, src: str | None, dst: str, actor: str, note: str,
                at: datetime) -> None:
    session.connection().execute(_INSERT_HISTORY, {"order_id": order_id, "from_status": src, "to_status": dst, "actor": actor,
                                      "note": note[:300], "at": at})


def by_number(session: Session, number: str, lock: bool = False) -> Order | None:
    stmt = select(Order).where(Order.number == number)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def by_id(session: Session, order_id: int, lock: bool = False) -> Order | None:
    stmt = select(Order).where(Order.id == order_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def lines_of(session: Session, order_id: int) -> list[OrderLine]:
    return list(session.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)))


def history_of(session: Session, order_id: int) -> list[OrderHistory]:
    return list(session.scalars(select(OrderHistory).where(OrderHistory.order_id == order_id)
                                .order_by(OrderHistory.id)))


def payment_by_trade_no(session: Session, out_trade_no: str, lock: bool = False) -> Payment | None:
    stmt = select(Payment).where(Payment.out_trade_no == out_trade_no)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def open_payment(session: Session, order_id: int, since: datetime, provider: str | None = None) -> Payment | None:
    """The order's newest payment still waiting for the customer: created since `since`, no result yet
    (at `provider`, when given)."""
    stmt = select(Payment).where(Payment.order_id == order_id, Payment.status == "created", Payment.created_at > since)
    if provider is not None:
        stmt = stmt.where(Payment.provider == provider)
    return session.scalars(stmt.order_by(Payment.id.desc())).first()


def succeeded_payment(session: Session, order_id: int) -> Payment | None:
    """The payment that paid the order: the one its move to paid names (history note = out_trade_no). Another
    succeeded payment of the order came late and was refunded whole when it came; the first by id may be it."""
    paid_by = (select(OrderHistory.note).where(OrderHistory.order_id == order_id, OrderHistory.to_status == PAID,
                                               OrderHistory.actor.like("payment:%"))
               .order_by(OrderHistory.id).limit(1).scalar_subquery())
    found = session.scalars(select(Payment).where(Payment.order_id == order_id, Payment.status == "succeeded",
                                                  Payment.out_trade_no == paid_by)).first()
    if found is not None:
        return found
    return session.scalars(select(Payment).where(Payment.order_id == order_id, Payment.status == "succeeded")
                           .order_by(Payment.id)).first()


def due_unpaid(session: Session, now: datetime, limit: int) -> list[str]:
    stmt = (select(Order.number).where(Order.status == PENDING_PAYMENT, Order.expires_at <= now)
            .order_by(Order.expires_at).limit(limit))
    return list(session.scalars(stmt))


def recent(session: Session, customer_id: int | None, offset: int, limit: int,
           location_id: int | None = None) -> list[Order]:
    stmt = select(Order)
    if customer_id:
        stmt = stmt.where(Order.customer_id == customer_id)
    if location_id:
        stmt = stmt.where(Order.fulfil_location_id == location_id)
    return list(session.scalars(stmt.order_by(Order.id.desc()).offset(offset).limit(limit)))


def has_order_at(session: Session, customer_id: int, location_id: int) -> bool:
    """Whether the customer has an order chosen at, or fulfilled (picked up, delivered) from, the location."""
    stmt = select(Order.id).where(Order.customer_id == customer_id,
                                  or_(Order.fulfil_location_id == location_id, Order.chosen_location_id == location_id))
    return session.scalars(stmt.limit(1)).first() is not None


def served_at(session: Session, customer_id: int, location_id: int) -> bool:
    """Whether an order of the customer's was completed from the location (collected or delivered: the
    customer took it, which staff cannot fake by placing an order in their name)."""
    stmt = select(Order.id).where(Order.customer_id == customer_id, Order.fulfil_location_id == location_id,
                                  Order.status == COMPLETED)
    return session.scalars(stmt.limit(1)).first() is not None


def owner_of(session: Session, number: str) -> tuple[int | None, int] | None:
    """(customer id, fulfilling location id) of an order, for scope checks."""
    row = session.execute(select(Order.customer_id, Order.fulfil_location_id).where(Order.number == number)).first()
    return (row[0], row[1]) if row else None
