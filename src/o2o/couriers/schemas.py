"""Courier delivery shapes, at the edges."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from o2o.kernel.history import HistoryOut
from o2o.kernel.inputs import Input

MAX_TIP_FEN = 5_000  # one raise of the tip: at most 50 yuan
MAX_TOTAL_TIP_FEN = 20_000


class TipIn(Input):
    amount_fen: int = Field(ge=100, le=MAX_TIP_FEN, description="what the tip goes up by (fen)")


class AttemptOut(BaseModel):
    provider: str
    origin_id: str
    platform_order_id: str | None
    state: str
    fee_fen: int
    reason: str
    created_at: datetime


class CourierHistoryOut(HistoryOut):
    provider: str


class DeliveryOut(BaseModel):
    id: int
    fulfillment_id: int | None  # a store delivery's (None: a return's pickup)
    kind: str = "delivery"  # delivery (store -> customer) or pickup (a return: customer -> store)
    return_id: int | None = None
    order_number: str
    location_id: int
    status: str
    provider: str | None
    platform_order_id: str | None
    fee_fen: int
    tip_fen: int
    distance_m: int
    eta_minutes: int | None
    rider_name: str | None
    rider_phone: str | None = None  # masked unless the caller may see personal data
    waiting_since: datetime | None
    created_at: datetime
    updated_at: datetime
    history: list[CourierHistoryOut] = []
    attempts: list[AttemptOut] = []
