"""Promotion and coupon shapes at the API edge. Money in fen; times ISO 8601 with a zone (UTC stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input, Moment

Channel = Literal["online", "till", "both"]
Tier = Literal["normal", "silver", "gold", "diamond"]
PromotionKind = Literal["sale_price", "nth_discount", "buy_x_get_y", "threshold", "percent", "free_delivery", "gift"]
CouponKind = Literal["threshold", "percent", "free_delivery", "gift", "service"]
MAX_FEN = 10**10  # 100 million yuan: beyond any rule
MAX_IDS = 500


class RuleIn(Input):
    """What a promotion and a coupon template share. Scope lists empty = everything."""

    name_zh: str = Field(min_length=1, max_length=80)
    name_en: str = Field(min_length=1, max_length=80)
    label_zh: str = Field("", max_length=40, description="the bill's line, e.g. 满200减30 ('' = made from the rule)")
    label_en: str = Field("", max_length=60)
    min_fen: int = Field(0, ge=0, le=MAX_FEN)
    off_fen: int = Field(0, ge=0, le=MAX_FEN)
    repeat: bool = False
    pct_off: int = Field(0, ge=0, le=100)
    cap_fen: int = Field(0, ge=0, le=MAX_FEN)
    nth: int = Field(0, ge=0, le=100)
    buy: int = Field(0, ge=0, le=100)
    get: int = Field(0, ge=0, le=100)
    price_fen: int = Field(0, ge=0, le=MAX_FEN)
    gift_sku_id: int = Field(0, ge=0, le=2**63 - 1)
    sku_ids: list[Id] = Field(default_factory=list, max_length=MAX_IDS)
    category_ids: list[Id] = Field(default_factory=list, max_length=MAX_IDS)
    location_ids: list[Id] = Field(default_factory=list, max_length=MAX_IDS)
    tier_codes: list[Tier] = Field(default_factory=list, max_length=4)
    channel: Channel = "both"
    group_code: str = Field("", max_length=40, description="rules sharing a group never combine")
    exclusive: bool = Field(False, description="combines with nothing else")
    budget_fen: int | None = Field(None, ge=1, le=MAX_FEN, description="discounts given never exceed it")
    active: bool = True

    def _check_rule(self, kind: str) -> None:
        need = {
            "threshold": self.off_fen > 0 and (self.min_fen >= self.off_fen or (self.min_fen == 0 and not self.repeat)),
            "percent": 1 <= self.pct_off <= 100,
            "nth_discount": self.nth >= 2 and 1 <= self.pct_off <= 100,
            "buy_x_get_y": self.buy >= 1 and self.get >= 1,
            "sale_price": self.price_fen > 0 and bool(self.sku_ids),
            "gift": self.gift_sku_id > 0,
        }
        why = {"threshold": "threshold needs off_fen > 0 and min_fen >= off_fen (or min_fen 0: no threshold, not repeat)",
               "percent": "percent needs pct_off 1..100",
               "nth_discount": "nth_discount needs nth >= 2 and pct_off 1..100",
               "buy_x_get_y": "buy_x_get_y needs buy >= 1 and get >= 1",
               "sale_price": "sale_price needs price_fen > 0 and sku_ids",
               "gift": "gift needs gift_sku_id"}
        if not need.get(kind, True):
            raise ValueError(why[kind])


class PromotionIn(RuleIn):
    kind: PromotionKind
    starts_at: Moment
    ends_at: Moment

    @model_validator(mode="after")
    def _valid(self) -> Self:
        self._check_rule(self.kind)
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("starts_at and ends_at need a time zone")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must come after starts_at")
        return self


class TemplateIn(RuleIn):
    """A coupon template: validity is a fixed window (valid_from + valid_until) or valid_days after the
    claim (valid_until, when also given, caps it). store_id makes it an LBS exclusive: claimable by
    customers whose home or last location is within radius_m of the store, redeemable only there."""

    kind: CouponKind
    claim_from: Moment
    claim_until: Moment
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    valid_days: int | None = Field(None, ge=1, le=3650)
    total_qty: int | None = Field(None, ge=1, le=100_000_000, description="None: no limit")
    per_customer_limit: int = Field(1, ge=1, le=100, description="also per phone, device and address")
    store_id: Id | None = None
    radius_m: int = Field(3000, ge=100, le=100_000)
    on_cancel: Literal["restore", "forfeit"] = "restore"
    auto_issue: Literal["none", "signup", "first_visit"] = "none"
    claimable: bool = Field(True, description="shown in the storefront's coupon centre")

    @model_validator(mode="after")
    def _valid(self) -> Self:
        self._check_rule(self.kind)
        if self.kind in ("sale_price", "nth_discount", "buy_x_get_y"):
            raise ValueError(f"{self.kind} is for automatic promotions")
        for name in ("claim_from", "claim_until", "valid_from", "valid_until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a time zone")
        if self.claim_until <= self.claim_from:
            raise ValueError("claim_until must come after claim_from")
        if self.valid_days is None and (self.valid_from is None or self.valid_until is None):
            raise ValueError("give valid_from and valid_until (a fixed window) or valid_days")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must come after valid_from")
        return self


class _RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    name_zh: str
    name_en: str
    label_zh: str
    label_en: str
    min_fen: int
    off_fen: int
    repeat: bool
    pct_off: int
    cap_fen: int
    nth: int
    buy: int
    get: int
    price_fen: int
    gift_sku_id: int
    sku_ids: list[int]
    category_ids: list[int]
    location_ids: list[int]
    tier_codes: list[str]
    channel: str
    group_code: str
    exclusive: bool
    budget_fen: int | None
    spent_fen: int
    active: bool
    created_at: datetime
    updated_at: datetime


class PromotionOut(_RuleOut):
    starts_at: datetime
    ends_at: datetime


class TemplateOut(_RuleOut):
    claim_from: datetime
    claim_until: datetime
    valid_from: datetime | None
    valid_until: datetime | None
    valid_days: int | None
    total_qty: int | None
    issued_qty: int
    per_customer_limit: int
    store_id: int | None
    radius_m: int
    on_cancel: str
    auto_issue: str
    claimable: bool


class ClaimIn(Input):
    template_id: Id
    lat: float | None = Field(None, ge=-90, le=90, description="the customer's last location (LBS exclusives)")
    lng: float | None = Field(None, ge=-180, le=180)
    device_id: str | None = Field(None, min_length=8, max_length=120, description="the app's device id (limits)")

    @model_validator(mode="after")
    def _pair(self) -> Self:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("give lat and lng together")
        return self


class CouponOut(BaseModel):
    """A coupon in the wallet. `state`: usable | used | expired | void (expired: past valid_until)."""

    id: int
    code: str
    code_display: str
    template_id: int
    kind: str
    name: str
    label_zh: str
    label_en: str
    state: str
    valid_from: datetime
    valid_until: datetime
    store_id: int | None
    channel: str
    min_fen: int
    off_fen: int
    pct_off: int
    cap_fen: int
    issued_at: datetime
    used_at: datetime | None
    via: str


class WalletOut(BaseModel):
    usable: list[CouponOut]
    used: list[CouponOut]
    expired: list[CouponOut]


class CenterItem(BaseModel):
    template_id: int
    kind: str
    name: str
    label_zh: str
    label_en: str
    channel: str
    claim_until: datetime
    valid_from: datetime | None
    valid_until: datetime | None
    valid_days: int | None
    remaining: int | None  # None: no limit
    limit: int
    claimed: int  # by this customer
    can_claim: bool
    store_id: int | None  # LBS exclusive: the store
    store_name: str | None
    distance_m: int | None  # from the customer's home or the given location


class SegmentIn(Input):
    tier: Tier | None = None
    ordered_at: Id | None = Field(None, description="customers with an order at this store")

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.tier is None) == (self.ordered_at is None):
            raise ValueError("give tier or ordered_at")
        return self


class IssueIn(Input):
    """To a list of customers or a segment (not both). All or nothing on quantity: when the template has
    fewer coupons left than eligible customers, nothing is issued (409)."""

    customer_ids: list[Id] | None = Field(None, min_length=1, max_length=10_000)
    segment: SegmentIn | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.customer_ids is None) == (self.segment is None):
            raise ValueError("give customer_ids or segment")
        return self


class IssueOut(BaseModel):
    template_id: int
    issued: int
    skipped: list[int]  # customers unknown, or already holding their limit
    issued_qty: int
    total_qty: int | None


class RedeemIn(Input):
    code: str = Field(min_length=1, max_length=40, description="as typed or scanned (case, spaces, dashes ignored)")
    bill_fen: int | None = Field(None, ge=0, le=MAX_FEN, description=(
        "the till's bill before the coupon (threshold and percent coupons need it: the discount is worked "
        "out from it)"))


class RedeemOut(BaseModel):
    coupon_id: int
    code_display: str
    kind: str
    label_zh: str
    label_en: str
    discount_fen: int
    gift_sku_id: int
    location_id: int
    used_at: datetime


class LookupOut(BaseModel):
    code_display: str
    kind: str
    name: str
    label_zh: str
    label_en: str
    state: str
    valid_from: datetime
    valid_until: datetime
    owner: str | None  # masked phone
    store_id: int | None
    redeemable_here: bool
    why_not: str | None
    min_fen: int
    off_fen: int
    pct_off: int
    cap_fen: int


class ResultsOut(BaseModel):
    """issued: coupons issued (templates; None for promotions); redeemed: uses not released (coupons used /
    orders discounted); gmv_fen: totals of the orders that used them; cost_fen: discounts given."""

    id: int
    issued: int | None
    redeemed: int
    orders: int
    gmv_fen: int
    cost_fen: int
    budget_fen: int | None
    spent_fen: int
