"""Return statements. Never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.returns.models import (
    ReturnHistory,
    ReturnLine,
    ReturnPhoto,
    ReturnRefund,
    ReturnRequest,
    ReturnTally,
    StoreCredit,
)


def by_id(session: Session, return_id: int, lock: bool = False) -> ReturnRequest | None:
    stmt = select(ReturnRequest).where(ReturnRequest.id == return_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def by_number(session: Session, number: str) -> ReturnRequest | None:
    return session.scalars(select(ReturnRequest).where(ReturnRequest.number == number)).first()


def lines_of(session: Session, return_id: int) -> list[ReturnLine]:
    return list(session.scalars(select(ReturnLine).where(ReturnLine.return_id == return_id).order_by(ReturnLine.id)))


def refunds_of(session: Session, return_id: int) -> list[ReturnRefund]:
    return list(session.scalars(select(ReturnRefund).where(ReturnRefund.return_id == return_id)
                                .order_by(ReturnRefund.id)))


def photo_ids_of(session: Session, return_id: int) -> list[int]:
    return list(session.scalars(select(ReturnPhoto.id).where(ReturnPhoto.return_id == return_id)
                                .order_by(ReturnPhoto.id)))


def photo(session: Session, return_id: int, photo_id: int) -> ReturnPhoto | None:
    return session.scalars(select(ReturnPhoto).where(ReturnPhoto.id == photo_id,
                                                     ReturnPhoto.return_id == return_id)).first()


def history_of(session: Session, return_id: int) -> list[ReturnHistory]:
    return list(session.scalars(select(ReturnHistory).where(ReturnHistory.return_id == return_id)
                                .order_by(ReturnHistory.id)))


def add_history(session: Session, return_id: int, src: str | None, dst: str, actor: str, note: str,
                at: datetime) -> None:
    session.add(ReturnHistory(return_id=return_id, from_status=src, to_status=dst, actor=actor[:80],
                              note=note[:300], at=at))


def of_order(session: Session, order_id: int) -> list[ReturnRequest]:
    return list(session.scalars(select(ReturnRequest).where(ReturnRequest.order_id == order_id)
                                .order_by(ReturnRequest.id)))


def tallies(session: Session, order_id: int, lock: bool = False) -> dict[int, ReturnTally]:
    """The order's tally rows by order line id (locked in order line id order: two refunds of one order
    take their turns, and never deadlock)."""
    stmt = select(ReturnTally).where(ReturnTally.order_id == order_id).order_by(ReturnTally.order_line_id)
    if lock:
        stmt = stmt.with_for_update()
    return {t.order_line_id: t for t in session.scalars(stmt)}


def ensure_tally(session: Session, order_line_id: int, order_id: int, bought: int, paid_fen: int) -> None:
    """The line's tally row, made on its first return (two at once: one inserts, the other finds it)."""
    if session.get(ReturnTally, order_line_id) is not None:
        return
    try:
        with session.begin_nested():
            session.execute(ReturnTally.__table__.insert().values(
                order_line_id=order_line_id, order_id=order_id, bought=bought, paid_fen=paid_fen, taken=0,
                refunded_units=0, refunded_fen=0))
    except IntegrityError:
        pass  # made by a concurrent return meanwhile


def take(session: Session, order_line_id: int, units: int) -> bool:
    """One conditional UPDATE: `units` more of the line in returns, never past what was bought."""
    t = ReturnTally.__table__
    result = session.execute(update(t).where(t.c.order_line_id == order_line_id, t.c.taken + units <= t.c.bought)
                             .values(taken=t.c.taken + units))
    return result.rowcount == 1


def give_back(session: Session, order_line_id: int, units: int) -> None:
    t = ReturnTally.__table__
    session.execute(update(t).where(t.c.order_line_id == order_line_id, t.c.taken >= units)
                    .values(taken=t.c.taken - units))


def mark_refunded(session: Session, order_line_id: int, units_before: int, units: int, fen: int) -> bool:
    """One conditional UPDATE: the units and fen refunded for the line, only from the count read (the CHECKs
    keep them within what was bought and paid)."""
    t = ReturnTally.__table__
    result = session.execute(update(t).where(t.c.order_line_id == order_line_id, t.c.refunded_units == units_before,
                                             t.c.refunded_units + units <= t.c.bought,
                                             t.c.refunded_fen + fen <= t.c.paid_fen)
                             .values(refunded_units=t.c.refunded_units + units, refunded_fen=t.c.refunded_fen + fen))
    return result.rowcount == 1


def credit(session: Session, customer_id: int, amount_fen: int, now: datetime) -> int:
    """Add to the customer's store credit; returns the new balance."""
    row = session.get(StoreCredit, customer_id, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                session.add(StoreCredit(customer_id=customer_id, balance_fen=0, updated_at=now))
                session.flush()
        except IntegrityError:
            pass
        row = session.get(StoreCredit, customer_id, with_for_update=True, populate_existing=True)
    assert row is not None
    row.balance_fen += amount_fen
    row.updated_at = now
    session.flush()
    return row.balance_fen


def debit(session: Session, customer_id: int, amount_fen: int, now: datetime) -> bool:
    """Take `amount_fen` off the customer's store credit: one conditional UPDATE (`balance_fen >= amount`),
    False when the balance (or no balance row) does not cover it. Never negative (also a CHECK)."""
    t = StoreCredit.__table__
    result = session.execute(update(t).where(t.c.customer_id == customer_id, t.c.balance_fen >= amount_fen)
                             .values(balance_fen=t.c.balance_fen - amount_fen, updated_at=now))
    return result.rowcount == 1  # type: ignore[attr-defined]


def credit_of(session: Session, customer_id: int) -> int:
    return session.scalar(select(StoreCredit.balance_fen).where(StoreCredit.customer_id == customer_id)) or 0


def search(statuses: Iterable[str] = (), location_id: int | None = None, text: str = "",
           customer_id: int | None = None) -> Select:
    stmt = select(ReturnRequest)
    statuses = list(statuses)
    if statuses:
        stmt = stmt.where(ReturnRequest.status.in_(statuses))
    if location_id is not None:
        stmt = stmt.where(or_(ReturnRequest.location_id == location_id,
                              ReturnRequest.preferred_location_id == location_id))
    if text:
        stmt = stmt.where(or_(ReturnRequest.number == text, ReturnRequest.order_number == text))
    if customer_id is not None:
        stmt = stmt.where(ReturnRequest.customer_id == customer_id)
    return stmt


def refund_times(session: Session, since: datetime) -> list[tuple[int | None, str, datetime, datetime | None]]:
    """(receiving store, status, requested, refunded) of the returns requested since `since` that are
    refunded or still open."""
    rows = session.execute(select(ReturnRequest.location_id, ReturnRequest.status, ReturnRequest.requested_at,
                                  ReturnRequest.refunded_at)
                           .where(ReturnRequest.requested_at >= since,
                                  ReturnRequest.status.in_(("requested", "approved", "received", "refunded"))))
    return [tuple(r) for r in rows]  # type: ignore[misc]


def count(session: Session, stmt: Select) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
