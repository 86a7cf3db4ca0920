"""Returns (reverse logistics): a customer's or a store's request to bring back units of an order (online or
till), the units inspected at the receiving store, the refunds made, and an append-only history.

`return_tally` holds, per order line, the units taken by returns (never more than bought: a CHECK and the
one conditional UPDATE that takes them) and the units and fen refunded (never more than the line paid
after its discounts: a CHECK), so two clerks returning the same line at once cannot both succeed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId
from o2o.kernel.history import HistoryColumns

# return states
REQUESTED, APPROVED, RECEIVED, REFUNDED, REFUSED, CANCELLED = (
    "requested", "approved", "received", "refunded", "refused", "cancelled")
TRANSITIONS: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({APPROVED, RECEIVED, REFUSED, CANCELLED}),
    APPROVED: frozenset({RECEIVED, REFUSED, CANCELLED}),
    RECEIVED: frozenset({REFUNDED}),
    REFUNDED: frozenset(),
    REFUSED: frozenset(),
    CANCELLED: frozenset(),
}
STATUSES = tuple(TRANSITIONS)
OPEN = frozenset({REQUESTED, APPROVED, RECEIVED})
# the units of these hold their place in the tally (a refused or cancelled return gives them back)
HOLDS_UNITS = frozenset({REQUESTED, APPROVED, RECEIVED, REFUNDED})

# how the goods come back
AT_STORE, COURIER = "store", "courier"
METHODS = (AT_STORE, COURIER)
# a courier pickup's progress: set by the desk by hand, or reported by the courier dispatched for it (delivered:
# at the store, for the desk to receive; failed: no courier would take it, the desk arranges it)
PICKUP_STATUSES = ("requested", "scheduled", "picked_up", "delivered", "failed")
# the courier delivery's status (o2o.couriers) -> the pickup's progress shown on the return
PICKUP_OF_COURIER = {"dispatching": "requested", "waiting": "requested", "assigned": "scheduled",
                     "at_store": "scheduled", "delivering": "picked_up", "returning": "picked_up",
                     "delivered": "delivered", "failed": "failed"}

# where the money goes
ORIGINAL, STORE_CREDIT = "original", "store_credit"
REFUND_TO = (ORIGINAL, STORE_CREDIT)

REASONS = ("damaged", "wrong_item", "not_as_described", "quality", "changed_mind", "other")


def can_transition(src: str, dst: str) -> bool:
    return dst in TRANSITIONS.get(src, frozenset())


class ReturnRequest(Base):
    __tablename__ = "return_request"
    __table_args__ = (
        CheckConstraint("refund_fen >= 0", name="refund_non_negative"),
        Index("ix_return_request_status_requested", "status", "requested_at"),
        Index("ix_return_request_location_status", "location_id", "status"),
        Index("ix_return_request_customer", "customer_id", "requested_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)  # RT<yyyymmdd><id>, set after insert
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    order_number: Mapped[str] = mapped_column(String(24), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    channel: Mapped[str] = mapped_column(String(16))  # the order's: pos or an online channel
    sold_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    method: Mapped[str] = mapped_column(String(12))  # store / courier
    preferred_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))  # the store that received it
    pickup_status: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(300), default="")
    refund_to: Mapped[str] = mapped_column(String(16), default=ORIGINAL)
    refund_fen: Mapped[int] = mapped_column(default=0)
    requested_by: Mapped[str] = mapped_column(String(80))
    decision_note: Mapped[str] = mapped_column(String(300), default="")
    requested_at: Mapped[datetime]
    received_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class ReturnLine(Base):
    __tablename__ = "return_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("resellable >= 0 AND damaged >= 0 AND resellable + damaged <= quantity",
                        name="inspected_within_quantity"),
        CheckConstraint("refund_fen >= 0", name="refund_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    resellable: Mapped[int] = mapped_column(default=0)
    damaged: Mapped[int] = mapped_column(default=0)
    refund_fen: Mapped[int] = mapped_column(default=0)


class ReturnTally(Base):
    """Per order line: units taken by returns and what was refunded for it, never past what it sold/paid."""

    __tablename__ = "return_tally"
    __table_args__ = (
        CheckConstraint("taken >= 0 AND taken <= bought", name="taken_within_bought"),
        CheckConstraint("refunded_units >= 0 AND refunded_units <= bought", name="refunded_within_bought"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= paid_fen", name="refunded_within_paid"),
    )

    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    bought: Mapped[int]
    paid_fen: Mapped[int]  # the line's total less its discounts
    taken: Mapped[int] = mapped_column(default=0)
    refunded_units: Mapped[int] = mapped_column(default=0)
    refunded_fen: Mapped[int] = mapped_column(default=0)


class ReturnRefund(Base):
    """One refund made for a return: to the online payment, a till tender, cash, or store credit."""

    __tablename__ = "return_refund"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # payment, card, wechat, alipay, cash, store_credit
    tender_id: Mapped[int | None] = mapped_column(BigId)  # the till tender (pos_tender.id), if any
    reference: Mapped[str | None] = mapped_column(String(64))  # the payment's out_trade_no, the tender's reference
    amount_fen: Mapped[int]
    note: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime]


class ReturnPhoto(Base):
    """A photo the customer sent with the request: checked by its bytes (JPEG, PNG, WebP; size), kept in the
    database (personal: served only to the customer and staff, never from the public /media)."""

    __tablename__ = "return_photo"
    __table_args__ = (
        CheckConstraint("content_type in ('image/jpeg', 'image/png', 'image/webp')", name="content_type"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime]


class StoreCredit(Base):
    """A customer's store credit (refunds taken as credit instead of money)."""

    __tablename__ = "store_credit"
    __table_args__ = (CheckConstraint("balance_fen >= 0", name="balance_non_negative"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    balance_fen: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]


class ReturnHistory(HistoryColumns, Base):
    """Append-only: who moved the return from what to what, when."""

    __tablename__ = "return_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
