"""Courier deliveries: one per store-delivery fulfilment or return pickup, with every platform attempt and the
status history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId
from o2o.kernel.history import HistoryColumns
from o2o.kernel.pii import Encrypted

# ours before a platform has the delivery, and when no platform would take it
DISPATCHING, FAILED = "dispatching", "failed"
# an attempt's own state: asked (the platform call is under way), placed (the platform has it), refused,
# or ended (cancelled / expired at the platform, or taken back by us)
ASKED, PLACED, REFUSED, ENDED = "asked", "placed", "refused", "ended"
# what a delivery carries: a store delivery's fulfilment to the customer, or a return from the customer to a
# store (a courier pickup, issue 11)
DELIVERY, PICKUP = "delivery", "pickup"


class CourierDelivery(Base):
    __tablename__ = "courier_delivery"
    __table_args__ = (Index("ix_courier_delivery_status", "status", "waiting_since"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fulfillment_id: Mapped[int | None] = mapped_column(ForeignKey("fulfillment_order.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(12), default=DELIVERY, server_default=DELIVERY)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return_request.id"), unique=True)  # a pickup's
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    order_number: Mapped[str] = mapped_column(String(24))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))  # the store (a pickup's: where it goes)
    status: Mapped[str] = mapped_column(String(20), default=DISPATCHING)
    round: Mapped[int] = mapped_column(default=1)  # dispatch rounds: each failover starts the next
    provider: Mapped[str | None] = mapped_column(String(40))  # the current attempt's platform
    origin_id: Mapped[str | None] = mapped_column(String(64))  # the current attempt's id at the platform
    platform_order_id: Mapped[str | None] = mapped_column(String(64))
    fee_fen: Mapped[int] = mapped_column(default=0)
    tip_fen: Mapped[int] = mapped_column(default=0)
    distance_m: Mapped[int] = mapped_column(default=0)
    eta_minutes: Mapped[int | None]
    rider_id: Mapped[str | None] = mapped_column(String(40))
    rider_name: Mapped[str | None] = mapped_column(Encrypted())  # personal data: sealed at rest
    rider_phone: Mapped[str | None] = mapped_column(Encrypted())
    last_update_at: Mapped[int] = mapped_column(default=0)  # the platform's time of the newest update applied
    waiting_since: Mapped[datetime | None]  # placed and no rider yet: expires after N minutes
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CourierAttempt(Base):
    """One try at one platform. `origin_id` is what the platform knows us by (unique: a retry is the same)."""

    __tablename__ = "courier_attempt"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("courier_delivery.id"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    origin_id: Mapped[str] = mapped_column(String(64), unique=True)
    platform_order_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=ASKED)
    fee_fen: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(300), default="")
    cancel_requested: Mapped[bool] = mapped_column(default=False)  # we asked the platform to cancel (once)
    created_at: Mapped[datetime]


class CourierHistory(HistoryColumns, Base):
    __tablename__ = "courier_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("courier_delivery.id"), index=True)
    provider: Mapped[str] = mapped_column(String(40), default="")
