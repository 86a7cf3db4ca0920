"""Stock per (location, SKU), the movement ledger, and reservations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId

# movement kinds: the ledger's sum per (location, sku) is on_hand
RECEIPT, ONLINE_SALE, POS_SALE = "receipt", "online_sale", "pos_sale"
TRANSFER_OUT, TRANSFER_IN, ADJUSTMENT, RETURN = "transfer_out", "transfer_in", "adjustment", "return"
MOVEMENT_KINDS = (RECEIPT, ONLINE_SALE, POS_SALE, TRANSFER_OUT, TRANSFER_IN, ADJUSTMENT, RETURN)

# reservation states
LIVE, RELEASED, COMMITTED, EXPIRED = "live", "released", "committed", "expired"


class Stock(Base):
    __tablename__ = "stock"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("safety_stock >= 0", name="safety_non_negative"),
        Index("ix_stock_sku_location", "sku_id", "location_id"),
    )

    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    safety_stock: Mapped[int] = mapped_column(default=0)
    # flagged for reconciliation (migration 0026): units a till sold offline beyond the count, since the
    # line was last counted, and when it was first flagged; a count clears both (see sell_offline)
    oversold: Mapped[int] = mapped_column(default=0, server_default="0")
    flagged_at: Mapped[datetime | None]

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved - self.safety_stock)


class StockMovement(Base):
    """Append-only: never updated, never deleted."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        CheckConstraint(
            "kind in ('receipt','online_sale','pos_sale','transfer_out','transfer_in','adjustment','return')",
            name="kind"),
        Index("ix_stock_movement_location_sku", "location_id", "sku_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int]  # signed: + into the location, - out of it
    ref: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime]


class Reservation(Base):
    __tablename__ = "reservation"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status in ('live','released','committed','expired')", name="status"),
        Index("ix_reservation_ref", "ref"),
        Index("ix_reservation_live_expiry", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(64))  # the order number holding it
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    quantity: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default=LIVE)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


# transfer request states: a store asks another location for stock; the source sends it (the stock
# leaves the source, transfer_out) and the requester receives it (it arrives, transfer_in); a receipt that
# counts other than what was sent is "received_with_difference" (o2o.inventory.transfers: its discrepancy)
REQUESTED, SENT, RECEIVED, REJECTED = "requested", "sent", "received", "rejected"
RECEIVED_WITH_DIFFERENCE = "received_with_difference"
TRANSFER_STEPS: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({SENT, REJECTED}),
    SENT: frozenset({RECEIVED, RECEIVED_WITH_DIFFERENCE}),
    RECEIVED: frozenset(),
    RECEIVED_WITH_DIFFERENCE: frozenset(),
    REJECTED: frozenset(),
}


class TransferRequest(Base):
    """One SKU and quantity asked of a location (a store or a warehouse) by another; its ledger rows
    carry the ref `TRQ-<id>`. Who asked, who decided (sent or rejected), who received, and when."""

    __tablename__ = "transfer_request"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("from_location_id <> to_location_id", name="two_locations"),
        CheckConstraint("status in ('requested','sent','received','received_with_difference','rejected')",
                        name="status"),
        Index("ix_transfer_request_from_status", "from_location_id", "status"),
        Index("ix_transfer_request_to_status", "to_location_id", "status"),
        Index("ix_transfer_request_batch_id", "batch_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    quantity: Mapped[int]
    status: Mapped[str] = mapped_column(String(24), default=REQUESTED)
    note: Mapped[str] = mapped_column(String(200), default="")
    decision_note: Mapped[str] = mapped_column(String(200), default="")
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None]
    received_by: Mapped[str | None] = mapped_column(String(80))
    received_at: Mapped[datetime | None]
    # the receipt's count (migration 0028): good units taken into stock, damaged units set aside
    received_quantity: Mapped[int | None]
    damaged_quantity: Mapped[int | None]
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_batch.id"))  # planned by the back-office


# planned batches and receipt discrepancies (transfer_request.batch_id refers to transfer_batch)
from o2o.inventory import transfer_models  # noqa: E402,F401
