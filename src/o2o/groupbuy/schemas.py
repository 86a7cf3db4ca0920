"""Group buying shapes at the API edge."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input, Moment

Mode = Literal["pickup", "store_delivery", "parcel"]
MAX_FEN = 10**9


class DealItemIn(Input):
    sku_id: Id
    quantity: int = Field(1, ge=1, le=99)
    price_fen: int = Field(ge=0, le=MAX_FEN, description="the group price of one unit, in fen")


class DealIn(Input):
    """An operator's deal. `location_ids` empty: any store or warehouse orders route to."""

    title_zh: str = Field(min_length=1, max_length=80)
    title_en: str = Field(min_length=1, max_length=120)
    items: list[DealItemIn] = Field(min_length=1, max_length=10)
    group_size: int = Field(ge=2, le=100)
    hours: int = Field(ge=1, le=24 * 7, description=(
        "a group must fill and pay within this many hours (at most a week: a paid order holds its stock a week)"))
    modes: list[Mode] = Field(min_length=1, max_length=3)
    location_ids: list[Id] = Field(default_factory=list, max_length=200)
    starts_at: Moment
    ends_at: Moment
    stock_cap: int = Field(ge=1, le=10**7, description="portions the deal may hand out (one per member)")
    active: bool = True

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("starts_at and ends_at need a time zone (e.g. +08:00 or Z)")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if len({i.sku_id for i in self.items}) != len(self.items):
            raise ValueError("items name a SKU twice")
        if sum(i.price_fen * i.quantity for i in self.items) < 1:
            raise ValueError("the bundle must cost something (a member pays for it)")
        if len(set(self.modes)) != len(self.modes) or len(set(self.location_ids)) != len(self.location_ids):
            raise ValueError("modes and location_ids name each one once")
        return self


class DealItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    sku_id: int
    name: str = ""
    quantity: int
    price_fen: int
    list_price_fen: int = 0  # the SKU's own (base) price, to show what the group saves


class DealOut(BaseModel):
    id: int
    title_zh: str
    title_en: str
    title: str  # in the caller's language
    items: list[DealItemOut]
    price_fen: int  # the bundle at the group price
    list_price_fen: int  # the bundle at the SKUs' base prices
    group_size: int
    hours: int
    modes: list[str]
    location_ids: list[int]
    starts_at: datetime
    ends_at: datetime
    stock_cap: int
    sold: int
    active: bool
    on: bool  # active, in its window and not sold out: groups may open


class GroupOut(BaseModel):
    """A group as anyone may see it: no one's name or phone, only how far it got."""

    id: int
    deal_id: int
    size: int
    joined: int
    paid: int
    missing: int  # slots still free ("还差 2 人")
    status: str  # open, succeeded, failing, failed
    opened_at: datetime
    deadline: datetime
    closed_at: datetime | None = None
    seconds_left: int  # until the deadline (0 once past)


class MemberOut(BaseModel):
    """The caller's own place in a group."""

    group: GroupOut
    deal_title: str
    order_number: str
    status: str  # joined (pay now), paid, left, failed
    joined_at: datetime
    paid_at: datetime | None = None


class JoinIn(Input):
    """How the member gets the goods: `pickup` at location_id; `store_delivery` or `parcel` to a saved
    address (address_id). Where a deal names its stores, location_id is one of them (the store that
    serves the order)."""

    mode: Mode
    location_id: Id | None = None
    address_id: Id | None = None

    @model_validator(mode="after")
    def _needs(self) -> Self:
        if self.mode == "pickup" and self.location_id is None:
            raise ValueError("pickup needs location_id (the store to pick up at)")
        if self.mode != "pickup" and self.address_id is None:
            raise ValueError(f"{self.mode} needs address_id (one of the customer's saved addresses)")
        return self


class JoinOut(BaseModel):
    """A slot taken: the group and the order to pay (POST /api/v1/orders/{number}/payments)."""

    group: GroupOut
    order_number: str
    total_fen: int
    expires_at: datetime | None  # pay before this, or the order expires and the slot frees
