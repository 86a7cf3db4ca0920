"""Point-of-sale shapes at the API edge."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input, Moment
from o2o.orders.schemas import MAX_LINE_QTY, DiscountOut, OrderLineOut

MAX_FEN = 10**9  # ten million yuan: no till takes more in one tender
TenderKind = Literal["cash", "card", "wechat", "alipay", "store_credit"]
TILL_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"


class TenderOut(BaseModel):
    """One tender of an order rung up at a till (cash: `amount_fen` is net of the change handed back)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    amount_fen: int
    change_fen: int
    reference: str | None
    refunded_fen: int


class TerminalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    location_id: int
    code: str
    name: str
    api_key_id: int | None
    created_at: datetime
    disabled_at: datetime | None


class NewTerminal(BaseModel):
    terminal: TerminalOut
    key: str | None  # the integration key (shown once); None for the console's browser till


class SaleLineIn(Input):
    """A line by barcode (as scanned) or by SKU id."""

    barcode: str | None = Field(None, min_length=1, max_length=32, pattern=r"^[0-9A-Za-z-]+$")
    sku_id: Id | None = None
    quantity: int = Field(1, gt=0, le=MAX_LINE_QTY)

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.barcode is None) == (self.sku_id is None):
            raise ValueError("give barcode or sku_id")
        return self


class BasketIn(Input):
    """A basket at the till: lines, the member (their member QR in `member_code`, or a `customer_id`
    found by phone or card), coupon codes shown, points to pay with (needs the member's QR)."""

    lines: list[SaleLineIn] = Field(min_length=1, max_length=100)
    customer_id: Id | None = None
    member_code: str | None = Field(None, max_length=64, description="the member QR (O2O-MEMBER:M..-..) or code")
    coupon_codes: list[str] = Field(default_factory=list, max_length=5)
    points: int | None = Field(None, ge=1, le=MAX_FEN)

    @model_validator(mode="after")
    def _codes(self) -> Self:
        if any(not 1 <= len(c) <= 40 for c in self.coupon_codes):
            raise ValueError("coupon_codes: each code is 1 to 40 characters")
        if len(set(self.coupon_codes)) != len(self.coupon_codes):
            raise ValueError("coupon_codes name a coupon twice")
        return self


class TenderIn(Input):
    """`amount_fen`: what this tender pays towards the sale. Cash: `given_fen` is what the customer handed
    over (at least the amount; the change is the difference). WeChat Pay and Alipay are charged through
    the payment adapter (the sandbox); a card's `reference` is the card terminal's slip number. Store credit
    (`store_credit`) is taken from the member's balance in the sale's transaction: it needs the member's QR."""

    kind: TenderKind
    amount_fen: int = Field(gt=0, le=MAX_FEN)
    given_fen: int | None = Field(None, gt=0, le=MAX_FEN)
    reference: str | None = Field(None, max_length=64)

    @model_validator(mode="after")
    def _given(self) -> Self:
        if self.given_fen is not None and self.kind != "cash":
            raise ValueError("given_fen is for cash only")
        if self.given_fen is not None and self.given_fen < self.amount_fen:
            raise ValueError("given_fen must be at least amount_fen")
        return self


class SaleIn(BasketIn):
    till_sale_id: str = Field(pattern=TILL_ID, description="the till's own id of the sale (unique per terminal)")
    sold_at: Moment | None = Field(None, description="the till's clock (default: now)")
    tenders: list[TenderIn] = Field(default_factory=list, max_length=8, description=(
        "what pays the bill: they add up to what is due (none when nothing is due, e.g. a 免单 coupon)"))


class MemberOut(BaseModel):
    customer_id: int
    phone: str | None  # masked
    tier: str
    tier_name: str
    points: int
    present: bool  # found by their member QR: their points may be spent, their coupons used
    store_credit_fen: int = 0  # their store credit balance (spent at the till with their QR)


class ItemOut(BaseModel):
    sku_id: int
    barcode: str
    code: str
    name: str
    unit: str
    price_fen: int
    available: int


class BillOut(BaseModel):
    """The engine's bill of a basket at the till: tier prices, promotions and coupons (each discount line
    with its label, e.g. 满200减30), the points' value, what is due."""

    location_id: int
    customer_id: int | None
    lines: list[OrderLineOut]
    discounts: list[DiscountOut]
    subtotal_fen: int
    discount_fen: int
    points: int = 0
    points_fen: int = 0
    due_fen: int


class SaleOut(BaseModel):
    id: int
    till_sale_id: str
    terminal_id: int
    terminal_code: str
    location_id: int
    session_id: int | None
    order_number: str
    clerk: str
    sold_at: datetime
    received_at: datetime
    offline: bool
    customer_id: int | None
    lines: list[OrderLineOut]
    discounts: list[DiscountOut]
    subtotal_fen: int
    discount_fen: int
    total_fen: int
    tenders: list[TenderOut]
    change_fen: int
