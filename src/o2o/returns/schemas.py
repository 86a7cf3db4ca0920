"""Return shapes at the edges."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from o2o.kernel.history import HistoryOut
from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input

MAX_UNITS = 10_000  # a return line's units: no order line sells more
Reason = Literal["damaged", "wrong_item", "not_as_described", "quality", "changed_mind", "other"]


class ReturnLineIn(Input):
    order_line_id: Id
    quantity: int = Field(gt=0, le=MAX_UNITS)


class ReturnIn(Input):
    """A return request: which units of which order, why, how they come back, where the money goes."""

    order_number: str = Field(min_length=1, max_length=24)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=100)
    reason_code: Reason
    reason: str = Field("", max_length=200)
    method: Literal["store", "courier"] = Field("store", description=(
        "store: brought to any store (location_id: the one the customer means to go to, optional); "
        "courier: picked up at the customer's (with couriers configured, a courier is dispatched when the "
        "return is approved and reports the pickup_status; else the desk sets it)"))
    location_id: Id | None = None
    refund_to: Literal["original", "store_credit"] = Field("original", description=(
        "original: the order's payment (online) or its tenders (till); store_credit: the customer's credit"))


class InspectLineIn(Input):
    line_id: Id = Field(description="the return line's id")
    resellable: int = Field(0, ge=0, le=MAX_UNITS)
    damaged: int = Field(0, ge=0, le=MAX_UNITS)


class ReceiveIn(Input):
    """What the receiving store found, per return line (units not listed, or not counted, did not come)."""

    lines: list[InspectLineIn] = Field(min_length=1, max_length=100)


class DecisionIn(Input):
    note: str = Field("", max_length=300)


class RefuseIn(Input):
    note: str = Field(min_length=1, max_length=300, pattern=r"\S", description="why the return is refused")


class PickupIn(Input):
    status: Literal["requested", "scheduled", "picked_up"]


class ReturnLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    order_line_id: int
    sku_id: int
    name: str  # as the order line was named when placed (its language)
    name_zh: str | None = None  # the order line's name in both languages (pages show theirs: |line_name)
    name_en: str | None = None
    quantity: int
    resellable: int
    damaged: int
    refund_fen: int


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str  # payment, card, wechat, alipay, cash, store_credit
    reference: str | None
    amount_fen: int
    note: str
    at: datetime


class ReturnOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    order_number: str
    customer_id: int | None
    channel: str
    sold_location_id: int
    method: str
    preferred_location_id: int | None
    location_id: int | None
    pickup_status: str | None
    status: str
    reason_code: str
    reason: str
    refund_to: str
    refund_fen: int
    requested_by: str
    decision_note: str
    requested_at: datetime
    received_at: datetime | None
    refunded_at: datetime | None
    closed_at: datetime | None
    hours_to_refund: float | None = None  # request -> refund; while open: hours so far
    late: bool = False  # past the target (O2O_RETURN_REFUND_TARGET_HOURS)
    lines: list[ReturnLineOut] = []
    refunds: list[RefundOut] = []
    photo_ids: list[int] = []
    history: list[HistoryOut] = []

    @property
    def goes_to(self) -> int:
        """The store the goods go to: the one the customer chose, else the one that sold them (a courier
        pickup is brought there). Its staff (or head office) set a courier pickup's progress."""
        return self.preferred_location_id or self.sold_location_id


class ReturnableLineOut(BaseModel):
    """An order line as a return sees it: units bought, units already in returns, what is left."""

    order_line_id: int
    sku_id: int
    name: str
    name_zh: str | None = None
    name_en: str | None = None
    bought: int
    taken: int
    returnable: int
    paid_fen: int  # the line's total less its discounts


class StoreTimeOut(BaseModel):
    """Time from request to refund at one store (the receiving store), over the refunded returns."""

    location_id: int
    refunded: int
    average_hours: float
    within_target: int
    open: int  # received or waiting, not refunded yet
    late_open: int  # of those, past the target already
