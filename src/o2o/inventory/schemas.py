"""Inventory shapes at the API edge and between areas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input


@dataclass(frozen=True, slots=True)
class Hold:
    """Reserve `quantity` of `sku_id` at `location_id`."""

    location_id: int
    sku_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Short:
    location_id: int
    sku_id: int
    requested: int
    available: int


class StockOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    location_id: int
    sku_id: int
    on_hand: int
    reserved: int
    safety_stock: int
    available: int


class MovementIn(Input):
    # what JSON Schema can say of the service's rules: never 0; receipts and returns are positive
    model_config = ConfigDict(json_schema_extra={"allOf": [{
        "if": {"properties": {"kind": {"enum": ["receipt", "return"]}}},
        "then": {"properties": {"quantity": {"minimum": 1}}}}]})

    location_id: Id
    sku_id: Id
    kind: Literal["receipt", "adjustment", "return"]
    quantity: int = Field(ge=-1_000_000, le=1_000_000, json_schema_extra={"not": {"const": 0}},
                          description="signed for an adjustment; never 0; positive for a receipt or a return")
    reason: str = Field("", max_length=200)


class CountIn(Input):
    """A stocktake line: how many units were counted on the shelf. The difference to on hand goes to the
    ledger as an adjustment with reason "count"; a count below what orders have reserved is refused."""

    location_id: Id
    sku_id: Id
    counted: int = Field(ge=0, le=1_000_000, description="units counted (0 or more)")


class CountOut(BaseModel):
    stock: StockOut
    previous_on_hand: int
    difference: int = Field(description="counted - previous on hand: the ledger row's quantity (none when 0)")


class TransferIn(Input):
    from_location_id: Id
    to_location_id: Id = Field(description="another location than from_location_id")
    sku_id: Id
    quantity: int = Field(gt=0, le=1_000_000)
    reason: str = Field("", max_length=200)


class SafetyStockIn(Input):
    safety_stock: int = Field(ge=0, le=1_000_000)


class CheckReport(BaseModel):
    ok: bool
    ledger_mismatches: list[dict[str, int]]
    reserved_mismatches: list[dict[str, int]]
    negatives: list[dict[str, int]]
    stock_rows: int


class TransferRequestIn(Input):
    """Ask `from_location_id` (another store or a warehouse) for stock, delivered to `to_location_id`."""

    from_location_id: Id = Field(description="another location than to_location_id")
    to_location_id: Id
    sku_id: Id
    quantity: int = Field(gt=0, le=100_000)
    note: str = Field("", max_length=200)


class TransferDecisionIn(BaseModel):
    note: str = Field("", max_length=200, description="e.g. why a request is rejected")


class TransferRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    from_location_id: int
    to_location_id: int
    sku_id: int
    quantity: int
    status: str
    note: str
    decision_note: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    received_by: str | None
    received_at: datetime | None
    received_quantity: int | None = Field(None, description="good units the receipt counted (into stock)")
    damaged_quantity: int | None = Field(None, description="units the receipt found damaged (not in stock)")
    batch_id: int | None = Field(None, description="the back-office batch that planned it")

    @property
    def ref(self) -> str:
        """The ledger rows of this transfer carry this ref."""
        return f"TRQ-{self.id}"
