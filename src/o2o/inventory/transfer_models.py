"""Tables of planned transfers and of transfer receipts that differ from what was sent (migration 0028).

- `transfer_batch`: the back-office planned many transfer requests at once (one SKU from the warehouse
  to 20 stores, a CSV, a rebalancing suggestion); its `key` makes creating it idempotent (the same key
  twice creates one batch). Its requests carry `transfer_request.batch_id`.
- `transfer_discrepancy`: a receipt counted other than what was sent (short, over, or damaged units).
  open -> investigated -> resolved (written off / found / charged to the carrier); who and when at each
  step, with notes. One per transfer request (a request is one SKU line).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId

# where a batch's lines came from
MANUAL, CSV, REBALANCE = "manual", "csv", "rebalance"
ORIGINS = (MANUAL, CSV, REBALANCE)

# discrepancy states and resolutions
OPEN, INVESTIGATED, RESOLVED = "open", "investigated", "resolved"
DISCREPANCY_STEPS: dict[str, frozenset[str]] = {
    OPEN: frozenset({INVESTIGATED, RESOLVED}),
    INVESTIGATED: frozenset({RESOLVED}),
    RESOLVED: frozenset(),
}
WRITTEN_OFF, FOUND, CHARGED_TO_CARRIER = "written_off", "found", "charged_to_carrier"
RESOLUTIONS = (WRITTEN_OFF, FOUND, CHARGED_TO_CARRIER)


class TransferBatch(Base):
    __tablename__ = "transfer_batch"
    __table_args__ = (
        CheckConstraint("origin in ('manual','csv','rebalance')", name="origin"),
        CheckConstraint("lines > 0", name="lines_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # the idempotency key of its creation
    name: Mapped[str] = mapped_column(String(120))
    origin: Mapped[str] = mapped_column(String(12))
    lines: Mapped[int]
    units: Mapped[int]
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]


class TransferDiscrepancy(Base):
    """sent = received + damaged + missing - extra (short: missing > 0; over: extra > 0; never both)."""

    __tablename__ = "transfer_discrepancy"
    __table_args__ = (
        CheckConstraint("status in ('open','investigated','resolved')", name="status"),
        CheckConstraint("resolution is null or resolution in ('written_off','found','charged_to_carrier')",
                        name="resolution"),
        CheckConstraint("received >= 0 and damaged >= 0 and missing >= 0 and extra >= 0", name="non_negative"),
        CheckConstraint("missing = 0 or extra = 0", name="missing_or_extra"),
        Index("ix_transfer_discrepancy_status", "status", "id"),
        Index("ix_transfer_discrepancy_location_status", "location_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    transfer_request_id: Mapped[int] = mapped_column(ForeignKey("transfer_request.id"), unique=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))  # the receiving location
    from_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    sent: Mapped[int]
    received: Mapped[int]
    damaged: Mapped[int]
    missing: Mapped[int]  # short: sent but not there
    extra: Mapped[int]  # over: there but not sent
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    resolution: Mapped[str | None] = mapped_column(String(20))
    found: Mapped[int] = mapped_column(default=0)  # missing units found later and taken into stock
    opened_by: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[datetime]
    receipt_note: Mapped[str] = mapped_column(String(200), default="")
    investigated_by: Mapped[str | None] = mapped_column(String(80))
    investigated_at: Mapped[datetime | None]
    investigation_note: Mapped[str] = mapped_column(String(500), default="")
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str] = mapped_column(String(500), default="")
