"""Fulfilment orders: what one location hands over or ships for an order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId
from o2o.kernel.history import HistoryColumns

NEW, PICKING, READY, HANDED_OVER, SHIPPED, DELIVERED, CANCELLED = (
    "new", "picking", "ready", "handed_over", "shipped", "delivered", "cancelled")
# short picked: a line was not (fully) found; nothing leaves until someone resolves it (the customer
# accepts the partial order -> back to picking with the lines reduced, or the order is cancelled)
SHORT = "short"

TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({PICKING, CANCELLED}),
    PICKING: frozenset({READY, SHIPPED, SHORT, CANCELLED}),
    SHORT: frozenset({PICKING, CANCELLED}),
    READY: frozenset({HANDED_OVER, SHIPPED, CANCELLED}),
    HANDED_OVER: frozenset(),
    SHIPPED: frozenset({DELIVERED}),
    DELIVERED: frozenset(),
    CANCELLED: frozenset(),
}
OPEN = frozenset({NEW, PICKING, SHORT, READY})


def can_transition(src: str, dst: str) -> bool:
    return dst in TRANSITIONS.get(src, frozenset())


class FulfillmentOrder(Base):
    __tablename__ = "fulfillment_order"
    __table_args__ = (
        Index("ix_fulfillment_location_status", "location_id", "status"),
        Index("ix_fulfillment_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"))
    order_number: Mapped[str] = mapped_column(String(24))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=NEW)
    reason: Mapped[str] = mapped_column(String(300))
    pickup_code: Mapped[str | None] = mapped_column(String(6))
    failed_code_attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    ready_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class FulfillmentLine(Base):
    __tablename__ = "fulfillment_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fulfillment_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_order.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    quantity: Mapped[int]
    # picking progress, saved so every clerk sees it: units put in the basket, and units the shelf did
    # not have (a short pick; picked + missing <= quantity)
    picked: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    missing: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class FulfillmentHistory(HistoryColumns, Base):
    __tablename__ = "fulfillment_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fulfillment_id: Mapped[int] = mapped_column(ForeignKey("fulfillment_order.id"), index=True)
