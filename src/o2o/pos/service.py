"""Point-of-sale use cases: the transaction boundaries of the till API.

Called by other areas (returns, till sessions, offline sync), these take the caller's session and
never commit: `tenders_of`, `refund_tender`, `open_session_id`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.pos import repository as repo
from o2o.pos.schemas import TenderOut


def tenders_of(session: Session, order_id: int) -> list[TenderOut]:
    """The tenders that paid an order rung up at a till, in the order they were taken."""
    return [TenderOut.model_validate(t) for t in repo.tenders_of(session, order_id)]


def refund_tender(session: Session, tender_id: int, amount_fen: int) -> bool:
    """Count `amount_fen` as refunded on a tender, in the caller's transaction: one conditional UPDATE
    (`refunded_fen + amount <= amount_fen`), False when it would pass what the tender paid."""
    if amount_fen <= 0:
        raise ValueError("a refund is a positive amount")
    return repo.add_refund(session, tender_id, amount_fen)


def open_session_id(session: Session, terminal_id: int) -> int | None:
    """The terminal's open till session, if any."""
    return repo.open_session_id(session, terminal_id)
