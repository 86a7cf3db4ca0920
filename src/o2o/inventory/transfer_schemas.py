"""Shapes of transfer receipts, discrepancies and planned batches (o2o.inventory.transfers)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input

MAX_UNITS = 100_000  # a transfer request's own bound (TransferRequestIn.quantity)
MAX_BATCH_LINES = 2_000


class ReceiptIn(Input):
    """What the receiving store counted of one transfer: good units (into its stock) and damaged units
    (set aside, not in stock). Left out, `received` is everything that was sent; a count other than the
    sent quantity opens a discrepancy. An over-receipt is at most as many again as was sent."""

    received: int | None = Field(None, ge=0, le=MAX_UNITS, description="good units counted (default: all sent)")
    damaged: int = Field(0, ge=0, le=MAX_UNITS, description="units that arrived damaged (not taken into stock)")
    note: str = Field("", max_length=200)


class InvestigateIn(Input):
    note: str = Field(..., min_length=1, max_length=500, description="what was checked and found")


class ResolveIn(Input):
    resolution: Literal["written_off", "found", "charged_to_carrier"] = Field(
        description="written_off: the units are lost; found: the missing units turned up and go into the "
                    "receiving store's stock; charged_to_carrier: lost, the carrier pays")
    note: str = Field("", max_length=500)


class DiscrepancyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    transfer_request_id: int
    location_id: int
    from_location_id: int
    sku_id: int
    sent: int
    received: int
    damaged: int
    missing: int
    extra: int
    status: str
    resolution: str | None
    found: int
    opened_by: str
    opened_at: datetime
    receipt_note: str
    investigated_by: str | None
    investigated_at: datetime | None
    investigation_note: str
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_note: str

    @property
    def kinds(self) -> list[str]:
        """short / over / damaged: what the receipt found."""
        return [k for k, n in (("short", self.missing), ("over", self.extra), ("damaged", self.damaged)) if n]


class PlanLine(Input):
    """One transfer of a plan: `quantity` of `sku_id` from `from_location_id` to `to_location_id`."""

    from_location_id: Id
    to_location_id: Id
    sku_id: Id
    quantity: int = Field(gt=0, le=MAX_UNITS)


class BatchIn(Input):
    """Many transfer requests planned at once. `key` names this plan: creating it again with the same
    key returns the first batch and creates nothing."""

    key: str = Field(min_length=8, max_length=80, pattern=r"^[A-Za-z0-9._:-]+$")
    name: str = Field(min_length=1, max_length=120)
    origin: Literal["manual", "csv", "rebalance"] = "manual"
    note: str = Field("", max_length=200)
    lines: list[PlanLine] = Field(min_length=1, max_length=MAX_BATCH_LINES)


class PreviewLine(BaseModel):
    line: PlanLine
    available: int = Field(description="units free to send at the source now")
    problem: str | None = Field(None, description="same-location, no-from, no-to, or short (the source has not "
                                                  "got the units of all its lines)")


class Preview(BaseModel):
    lines: list[PreviewLine]
    units: int
    destinations: int
    ok: bool = Field(description="no line has a problem")


class BatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    name: str
    origin: str
    lines: int
    units: int
    created_by: str
    created_at: datetime
    created: bool = Field(True, description="false when the key had already created this batch")


class ProgressRow(BaseModel):
    to_location_id: int
    lines: int
    units: int
    requested: int
    sent: int
    received: int
    with_difference: int
    rejected: int
    received_units: int


class BatchProgress(BaseModel):
    batch: BatchOut
    rows: list[ProgressRow]
    totals: ProgressRow


class TransitLine(BaseModel):
    from_location_id: int
    to_location_id: int
    sku_id: int
    quantity: int
