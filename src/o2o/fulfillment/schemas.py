"""Fulfilment shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from o2o.fulfillment.sourcing.rules import RuleSpec
from o2o.kernel.history import HistoryOut
from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input


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
    promised_at: datetime | None = None  # the SLA promise (o2o.fulfillment.sla): by then its mode's step
    lines: list[FulfillmentLineOut] = []
    history: list[HistoryOut] = []


class HandoverIn(BaseModel):
    code: str = Field(pattern=r"^[0-9]{6}$", description="the customer's 6-digit pickup code")


class RejectIn(Input):
    """A store will not fulfil an order it has not started: why (shown to head office and in the history)."""

    reason: str = Field(min_length=1, max_length=200, description="why the store cannot serve it")


class RuleIn(Input):
    """A sourcing rule: `spec` is one of the kinds of o2o.fulfillment.sourcing.rules (by `kind`), with an
    optional `when` (channels, regions, modes). It goes last unless `position` (1 = first) is given."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f]*$")
    spec: RuleSpec
    enabled: bool = True
    position: int | None = Field(None, ge=1, le=10_000)


class RuleUpdate(Input):
    """What changes of a rule (fields left out stay)."""

    name: str | None = Field(None, min_length=1, max_length=80, pattern=r"^[^\x00-\x1f]*$")
    spec: RuleSpec | None = None
    enabled: bool | None = None


class RuleOrderIn(Input):
    """Every rule id, in the new order (first applies first)."""

    ids: list[Id] = Field(min_length=1, max_length=1_000)


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    position: int
    enabled: bool
    spec: dict[str, Any]
    updated_at: datetime
    updated_by: str


class DecisionOut(BaseModel):
    """One sourcing decision of an order: `record` is the whole decision (allocations, every candidate
    ranked with its cost components, or why it was ruled out and `costs` null, the rules that applied,
    how it was found)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    order_number: str
    status: str
    reason: str
    method: str
    optimal: bool
    total_fen: int
    record: dict[str, Any]
    created_at: datetime


class PreviewLine(Input):
    sku_id: Id
    quantity: int = Field(ge=1, le=10_000)


class PreviewIn(Input):
    """A sourcing question head office asks to try the rules and costs: nothing is recorded or reserved."""

    lines: list[PreviewLine] = Field(min_length=1, max_length=100)
    mode: Literal["pickup", "store_delivery", "parcel"]
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    chosen_location_id: Id | None = None
    promised_minutes: int | None = Field(None, ge=1, le=10_080, description="the promise, minutes from now")
    tier: str | None = Field(None, max_length=16)
    channel: str = Field("h5", min_length=1, max_length=40)
    region: str | None = Field(None, max_length=60)
