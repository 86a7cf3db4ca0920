"""Point of sale: till terminals, till sessions and their cash moves, sales rung up at a till and their tenders.

A POS sale is an ordinary order (`sales_order`, channel `pos`, mode pickup at the till's store,
completed once paid); `pos_sale` ties it to the terminal, the till-generated id (unique per terminal,
so a re-sent or re-uploaded sale is recognised) and the till session it was rung up in. `pos_tender`
holds how it was paid (several tenders per order: cash with the change handed back, card, WeChat Pay,
Alipay, store credit); a refund raises `refunded_fen` by one conditional UPDATE, never past `amount_fen`.

A terminal has at most one open till session on both databases: `open_terminal_id` equals
`terminal_id` while the session is open and is NULL once closed, under a UNIQUE constraint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId

OPEN, CLOSED = "open", "closed"
CASH, CARD, WECHAT, ALIPAY, STORE_CREDIT = "cash", "card", "wechat", "alipay", "store_credit"
TENDER_KINDS = (CASH, CARD, WECHAT, ALIPAY, STORE_CREDIT)
CASH_MOVE_KINDS = ("in", "out", "refund")


class Terminal(Base):
    """A till at a store; it signs in with an iam API key bound to the store (scope pos:write)."""

    __tablename__ = "pos_terminal"
    __table_args__ = (UniqueConstraint("location_id", "code", name="uq_pos_terminal_location_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # the till's label, e.g. "T01"
    name: Mapped[str] = mapped_column(String(80))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"), unique=True)
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class TillSession(Base):
    __tablename__ = "till_session"
    __table_args__ = (CheckConstraint("float_fen >= 0", name="float_non_negative"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("pos_terminal.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    opened_by: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[datetime]
    float_fen: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    open_terminal_id: Mapped[int | None] = mapped_column(unique=True)  # = terminal_id while open, else NULL
    closed_by: Mapped[str | None] = mapped_column(String(80))
    closed_at: Mapped[datetime | None]
    counted: Mapped[dict[str, Any] | None]  # {tender kind: fen} counted at close
    expected: Mapped[dict[str, Any] | None]


class TillCashMove(Base):
    __tablename__ = "till_cash_move"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("till_session.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # in / out / refund
    amount_fen: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]


class PosSale(Base):
    __tablename__ = "pos_sale"
    __table_args__ = (UniqueConstraint("terminal_id", "till_sale_id", name="uq_pos_sale_terminal_till_sale"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("pos_terminal.id"))
    till_sale_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), unique=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("till_session.id"), index=True)
    clerk: Mapped[str] = mapped_column(String(80))  # actor, e.g. "staff:12"
    sold_at: Mapped[datetime]  # the till's clock
    received_at: Mapped[datetime]
    offline: Mapped[bool] = mapped_column(default=False)


class PosTender(Base):
    __tablename__ = "pos_tender"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("change_fen >= 0", name="change_non_negative"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= amount_fen", name="refunded_within_amount"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("pos_sale.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("till_session.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int]  # what this tender paid towards the order (cash: net of the change)
    change_fen: Mapped[int] = mapped_column(default=0)  # cash handed back
    reference: Mapped[str | None] = mapped_column(String(64))  # the provider's transaction id
    refunded_fen: Mapped[int] = mapped_column(default=0)
    clerk: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
