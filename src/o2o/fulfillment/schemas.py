"""Fulfilment shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from o2o.kernel.history import HistoryOut


@dataclass(frozen=True, slots=True)
class NewFulfillment:
    order_id: int
    order_number: str
    location_id: int
    mode: str
    reason: str
    lines: dict[int, int]  # sku_id -> quantity


class FulfillmentLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    sku_id: int
    quantity: int
    picked: int = 0
    missing: int = 0


class FulfillmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    order_id: int
    order_number: str
    location_id: int
    mode: str
    status: str
    reason: str
    pickup_code: str | None
    created_at: datetime
    ready_at: datetime | None
    closed_at: datetime | None
    lines: list[FulfillmentLineOut] = []
    history: list[HistoryOut] = []


class HandoverIn(BaseModel):
    code: str = Field(pattern=r"^[0-9]{6}$", description="the customer's 6-digit pickup code")
