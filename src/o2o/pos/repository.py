"""Point-of-sale queries; never commits."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from o2o.pos.models import OPEN, PosTender, TillSession


def tenders_of(s: Session, order_id: int) -> list[PosTender]:
    return list(s.scalars(select(PosTender).where(PosTender.order_id == order_id).order_by(PosTender.id)))


def add_refund(s: Session, tender_id: int, amount_fen: int) -> bool:
    """One conditional UPDATE: the tender's refunds never pass what it paid."""
    result = s.execute(update(PosTender)
                       .where(PosTender.id == tender_id,
                              PosTender.refunded_fen + amount_fen <= PosTender.amount_fen)
                       .values(refunded_fen=PosTender.refunded_fen + amount_fen)
                       .execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def open_session_id(s: Session, terminal_id: int) -> int | None:
    return s.scalar(select(TillSession.id).where(TillSession.open_terminal_id == terminal_id,
                                                 TillSession.status == OPEN))
