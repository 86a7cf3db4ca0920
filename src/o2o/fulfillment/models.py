"""Fulfilment orders: what one location hands over or ships for an order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
        # capacity used this hour / today at a location (sourcing counts its fulfilments since a moment)
        Index("ix_fulfillment_location_created", "location_id", "created_at"),
        # the SLA watch and at-risk lists (o2o.fulfillment.sla): only fulfilments still waiting have a due_at
        Index("ix_fulfillment_due", "due_at"),
        Index("ix_fulfillment_location_due", "location_id", "due_at"),
        # the on-time rate: promises that fell due in a period
        Index("ix_fulfillment_promised", "promised_at"),
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
    # SLA (o2o.fulfillment.sla): the promise, when it was met, the watch's due time and its announcements
    promised_at: Mapped[datetime | None]
    promise_met_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    at_risk_at: Mapped[datetime | None]
    late_at: Mapped[datetime | None]


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


class SourcingRule(Base):
    """One configurable sourcing strategy (o2o.fulfillment.sourcing.rules): applied in `position` order."""

    __tablename__ = "sourcing_rule"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(index=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    spec: Mapped[dict[str, Any]]  # the rule's JSON, validated by sourcing.rules.SPEC
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120), default="")


class SourcingDecision(Base):
    """What the sourcing engine decided for an order and why: every candidate ranked with its costs."""

    __tablename__ = "sourcing_decision"
    __table_args__ = (Index("ix_sourcing_decision_order", "order_number", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_number: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300))
    method: Mapped[str] = mapped_column(String(16))
    optimal: Mapped[bool]
    total_fen: Mapped[int]
    record: Mapped[dict[str, Any]]  # Decision.to_json()
    created_at: Mapped[datetime]
