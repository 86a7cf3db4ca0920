"""Point-of-sale queries; never commits."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from o2o.pos.models import OPEN, PosSale, PosTender, Terminal, TillSession


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


def terminal_by_key(s: Session, api_key_id: int) -> Terminal | None:
    return s.scalar(select(Terminal).where(Terminal.api_key_id == api_key_id))


def terminal_by_code(s: Session, location_id: int, code: str) -> Terminal | None:
    return s.scalar(select(Terminal).where(Terminal.location_id == location_id, Terminal.code == code))


def terminals_of(s: Session, location_id: int | None) -> list[Terminal]:
    stmt = select(Terminal).order_by(Terminal.location_id, Terminal.code)
    if location_id is not None:
        stmt = stmt.where(Terminal.location_id == location_id)
    return list(s.scalars(stmt))


def sale_by_till_id(s: Session, terminal_id: int, till_sale_id: str) -> PosSale | None:
    return s.scalar(select(PosSale).where(PosSale.terminal_id == terminal_id, PosSale.till_sale_id == till_sale_id))
