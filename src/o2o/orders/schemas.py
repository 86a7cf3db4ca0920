"""Order shapes at the API edge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from o2o.kernel.history import HistoryOut
from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input

Mode = Literal["pickup", "store_delivery", "parcel", "auto"]
Channel = Literal["h5", "pc", "app", "miniprogram", "pos", "douyin", "wechat", "api"]
MAX_LINE_QTY = 999


class LineIn(Input):
    sku_id: Id
    quantity: int = Field(gt=0, le=MAX_LINE_QTY)


class ShipTo(Input):
    line: str = Field(min_length=1, max_length=300)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


class OrderIn(Input):
    """`pickup` needs location_id; `store_delivery` and `parcel` need address or address_id; `auto` needs
    one of address, address_id or location_id; address and address_id are not given together, and
    address_id needs customer_id (a customer's saved address)."""

    customer_id: Id | None = None
    lines: list[LineIn] = Field(min_length=1, max_length=100)
    mode: Mode = "auto"
    location_id: Id | None = Field(None, description="the store the customer chose")
    address_id: Id | None = None
    address: ShipTo | None = None
    pickup_slot: str | None = Field(None, max_length=40)
    channel: Channel = Field("h5", description=(
        "decided by the caller: customers name h5, pc, app, miniprogram, douyin or wechat (h5 if omitted); "
        "store staff, store-bound keys and pos:write keys are pos; other staff and keys any but pos "
        "(api if omitted); anything else is a 422 naming channel"))
    utm_source: str | None = Field(None, max_length=80)
    utm_medium: str | None = Field(None, max_length=80)
    utm_campaign: str | None = Field(None, max_length=120)
    points: int | None = Field(None, ge=1, le=10**12, description=(
        "loyalty points to pay with (needs customer_id): at most the balance and the configured share of the "
        "bill; the total is lowered by their value"))
    coupon_ids: list[Id] | None = Field(None, max_length=20, description=(
        "the customer's coupons to use (staff and keys: only with the customer's member_code): omitted or "
        "null, the best combination of the wallet's usable coupons is picked; [] uses none; ids use exactly "
        "those (422 naming coupon_ids when one is not the customer's or not usable here, 409 "
        "coupon-not-applicable when the basket does not qualify)"))
    member_code: str | None = Field(None, max_length=48, description=(
        "the customer's member code (GET /me/member-code, shown at the till): staff and keys need it to "
        "spend a customer's points; a customer ordering for themselves does not"))

    @model_validator(mode="after")
    def _needs(self) -> Self:
        has_addr = self.address is not None or self.address_id is not None
        if self.address is not None and self.address_id is not None:
            raise ValueError("give address or address_id, not both")
        if self.address_id is not None and self.customer_id is None:
            raise ValueError("address_id needs customer_id")
        if self.points is not None and self.customer_id is None:
            raise ValueError("points need customer_id")
        if self.coupon_ids and len(set(self.coupon_ids)) != len(self.coupon_ids):
            raise ValueError("coupon_ids name a coupon twice")
        if self.mode == "pickup" and self.location_id is None:
            raise ValueError("pickup needs location_id (the store to pick up at)")
        if self.mode in ("store_delivery", "parcel") and not has_addr:
            raise ValueError(f"{self.mode} needs a delivery address")
        if self.mode == "auto" and not has_addr and self.location_id is None:
            raise ValueError("auto needs a delivery address or a location_id")
        return self


class OrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    sku_id: int
    name: str  # in the language the order was placed in
    name_zh: str | None = None  # the product's name in both languages (None: a line without a catalog name)
    name_en: str | None = None
    quantity: int
    unit_price_fen: int
    line_total_fen: int
    list_price_fen: int | None = None  # the list price when the member's tier price replaced it
    price_tier: str | None = None  # the tier whose price the line is at
    discount_fen: int = 0  # promotions' and coupons' goods discount on the line (whole fen)


class DiscountOut(BaseModel):
    """One line of the bill's explanation: an applied promotion ("P12"), coupon ("C345") or the points."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    kind: str  # an engine kind (threshold, percent, ... free_delivery, gift), or points
    label_zh: str  # "满200减30"
    label_en: str
    amount_fen: int


class RejectedOffer(BaseModel):
    """An offer of the basket that is not used, and why: scope (no line it covers), threshold (not
    reached), worse (a better combination), exclusive, group (one of a kind), or what the engine says."""

    key: str
    label_zh: str
    label_en: str
    reason: str


class CouponChoice(BaseModel):
    """A coupon of the customer's wallet usable at this store and channel, and whether this quote uses it."""

    coupon_id: int
    key: str
    label_zh: str
    label_en: str
    applied: bool
    reason: str | None = None  # why it is not used (see RejectedOffer)


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: str
    status: str
    customer_id: int | None
    channel: str
    utm_source: str | None
    wanted_mode: str
    mode: str
    chosen_location_id: int | None
    fulfil_location_id: int
    pickup_slot: str | None = None
    route_reason: str
    distance_m: int | None
    subtotal_fen: int
    delivery_fee_fen: int
    discount_fen: int
    total_fen: int
    currency: str
    tier_code: str | None = None  # the member's tier when placed
    delivery_fee_waived_fen: int = 0  # the fee the tier's free store delivery waived
    delivery_fee_waived_reason: str | None = None  # "tier:gold" when waived
    created_at: datetime
    expires_at: datetime | None
    paid_at: datetime | None
    held_for: str | None = None  # "groupbuy:12": paid, waits for the group to form before fulfilment
    lines: list[OrderLineOut] = []
    discounts: list[DiscountOut] = []  # what discount_fen is made of: promotions, coupons, points
    history: list[HistoryOut] = []
    fulfillment_ids: list[int] = []
    pickup_code: str | None = None


class QuotePart(BaseModel):
    """One location of the plan and what it would serve: an order the sourcing engine splits has several."""

    location_id: int
    mode: str
    lines: dict[int, int]  # SKU id -> units


class QuoteOut(BaseModel):
    """What placing this order would decide now (POST /quotes): nothing written, nothing reserved.
    `location_id`, `mode`, `distance_m` are the main part's; `parts` every location's."""

    location_id: int
    mode: str
    reason: str
    distance_m: int | None
    lines: list[OrderLineOut]
    subtotal_fen: int
    delivery_fee_fen: int
    discount_fen: int  # goods + delivery discounts of the promotions and coupons (points not counted)
    goods_discount_fen: int = 0
    delivery_discount_fen: int = 0
    total_fen: int
    currency: str
    tier: str | None = None
    delivery_fee_waived_fen: int = 0
    discounts: list[DiscountOut] = []  # applied: "满200减30" and its amount
    rejected: list[RejectedOffer] = []  # not used, and why
    coupons: list[CouponChoice] = []  # the wallet's usable coupons, applied or not
    parts: list[QuotePart] = []


class OrderFacts(BaseModel):
    """What other areas' event handlers need of an order (loyalty earns on it)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    customer_id: int | None
    status: str
    channel: str
    fulfil_location_id: int
    subtotal_fen: int
    delivery_fee_fen: int
    discount_fen: int
    total_fen: int
    completed_at: datetime | None
    paid_at: datetime | None = None


class PaymentOut(BaseModel):
    order_number: str
    out_trade_no: str
    provider: str
    prepay_id: str
    pay_url: str
    amount_fen: int
    code_url: str = ""  # show as a QR (WeChat Native, Alipay precreate)
    client_params: dict[str, str] | None = None  # the mini-program's wx.requestPayment, signed


@dataclass(frozen=True)
class PaymentRecord:
    """Our side of reconciliation: one payment, or one refund (out_refund_no set)."""

    record: str  # payment, refund
    out_trade_no: str
    amount_fen: int
    status: str  # payment: created, succeeded, failed, closed; refund: processing, succeeded, failed
    out_refund_no: str = ""


# why a shopper cancels (the storefront's list; the page names them in its language)
CANCEL_REASONS = ("changed_mind", "wrong_items", "wrong_place", "too_slow", "better_price", "other")
CancelReason = Literal["changed_mind", "wrong_items", "wrong_place", "too_slow", "better_price", "other"]


class CancelIn(BaseModel):
    reason_code: CancelReason | None = Field(None, description=(
        "why, from the list: changed_mind, wrong_items, wrong_place (address or store), too_slow, better_price, "
        "other; kept in the order's history"))
    reason: str = Field("", max_length=300, description="in the caller's words (optional)")

    def note(self) -> str:
        """What the history keeps: `<reason_code>: <words>` (either part may be missing)."""
        return ": ".join(part for part in (self.reason_code or "", self.reason.strip()) if part)[:300]
