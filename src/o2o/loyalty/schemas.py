"""Loyalty shapes at the edges (and what other areas read: MemberSummary, Benefits)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from o2o.kernel.inputs import Input

MAX_POINTS = 10**12  # far beyond any real balance; keeps every sum inside BIGINT
MAX_FEN = 10**13


class Benefits(BaseModel):
    """What a member's tier gives; other areas read it (`service.benefits`)."""

    tier: str
    points_multiplier_pct: int
    free_store_delivery: bool
    free_home_service: bool
    dedicated_service: bool
    price_pct: int  # tier price: 95 = pay 95% of the list price
    tier_name_zh: str = ""
    tier_name_en: str = ""


class MemberSummary(BaseModel):
    customer_id: int
    tier: str
    tier_name: str
    tier_since: datetime | None
    review_at: datetime | None
    balance: int
    points_value_fen: int  # what the balance is worth at checkout
    expiring_points: int
    expiring_at: datetime | None
    spend_12m_fen: int
    orders_12m: int
    next_tier: str | None
    next_tier_name: str | None
    missing_spend_fen: int | None  # to reach the next tier by spend (None: no spend rule)
    missing_orders: int | None
    progress_pct: int  # 0..100 toward the next tier (100 at the top)
    benefits: Benefits


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    points: int
    remaining: int
    shortfall: int
    expires_at: datetime | None
    order_id: int | None
    note: str
    created_at: datetime


class PointsOut(BaseModel):
    balance: int
    entries: list[EntryOut]
    page: int
    size: int


class RewardOut(BaseModel):
    id: int
    kind: str
    name: str
    name_zh: str
    name_en: str
    points_cost: int
    stock: int
    active: bool


class RewardIn(Input):
    kind: Literal["goods", "service"]
    name_zh: str = Field(min_length=1, max_length=80)
    name_en: str = Field(min_length=1, max_length=80)
    points_cost: int = Field(ge=1, le=MAX_POINTS)
    stock: int = Field(ge=0, le=10**9)
    active: bool = True


class RedemptionOut(BaseModel):
    id: int
    reward_id: int
    reward_name: str
    points: int
    code: str
    balance: int
    created_at: datetime


class TierIn(Input):
    code: Literal["normal", "silver", "gold", "diamond"]
    min_spend_fen: int = Field(ge=0, le=MAX_FEN)
    min_orders: int = Field(ge=0, le=100_000)
    points_multiplier_pct: int = Field(ge=0, le=1000)
    free_store_delivery: bool = False
    free_home_service: bool = False
    dedicated_service: bool = False
    price_pct: int = Field(ge=1, le=100)


class RatesIn(Input):
    earn_points_per_yuan: int = Field(ge=0, le=1000)
    redeem_points_per_yuan: int = Field(ge=1, le=100_000)
    redeem_cap_pct: int = Field(ge=0, le=100)
    expiry_days: int = Field(ge=1, le=3650)
    expiring_notice_days: int = Field(ge=0, le=365)
    review_days: int = Field(ge=1, le=3650)


class RulesIn(Input):
    tiers: list[TierIn] = Field(min_length=4, max_length=4)
    rates: RatesIn


class TierOut(BaseModel):
    code: str
    rank: int
    name_zh: str
    name_en: str
    min_spend_fen: int
    min_orders: int
    points_multiplier_pct: int
    free_store_delivery: bool
    free_home_service: bool
    dedicated_service: bool
    price_pct: int


class RulesOut(BaseModel):
    tiers: list[TierOut]
    rates: RatesIn


class PreviewRow(BaseModel):
    tier: str
    members_now: int
    members_new: int


class PreviewOut(BaseModel):
    """Last month's members under the current and the proposed rules."""

    since: datetime
    until: datetime
    members: int
    tiers: list[PreviewRow]
    points_now: int
    points_new: int


class TillRedeemIn(Input):
    customer_id: int = Field(ge=1, le=2**63 - 1)
    points: int = Field(ge=1, le=MAX_POINTS)
    bill_fen: int = Field(ge=1, le=MAX_FEN)
    client_key: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.:-]+$")
    member_code: str | None = Field(None, max_length=48, description=(
        "the member code the customer shows (their dynamic QR, /me/member-code): proves they are at the till. "
        "Without it only customers of the caller's store (who ordered or were served there) can be redeemed for"))


class TillRedeemOut(BaseModel):
    customer_id: int
    points: int
    discount_fen: int
    balance: int
    entry_id: int


class AdjustIn(Input):
    points: int = Field(ge=-MAX_POINTS, le=MAX_POINTS)
    note: str = Field(min_length=1, max_length=200)
