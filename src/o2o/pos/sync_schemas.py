"""Shapes of an offline till's upload (`POST /api/v1/pos/batches`) and of its per-sale report.

The body's types bound what any number may be (a JSON number past them is a 422 of the whole batch: no
till makes those); the business rules (what the till may have sold, totals adding up, tenders paying the
total, the sale's time) are checked per sale, and a sale that breaks one is refused with its reasons while
the batch's other sales go in (o2o.pos.sync).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input, Moment

MAX_SALES = 1000  # sales in one batch
MAX_FEN = 10**11  # what any amount in the body may be (type bound); a sale's total is bounded per sale
MAX_UNITS = 10**6  # what a quantity may be (type bound); a line's units are bounded per sale

TENDER_KINDS = ("cash", "card", "wechat", "alipay", "store_credit")


def _in_utc(value: datetime) -> datetime:
    """The sale time in datetime.UTC (pydantic's own offset objects make every later conversion, one per
    column written, ~10x slower); a time without an offset stays so and is refused per sale."""
    offset = value.utcoffset()
    try:
        return value if offset is None else (value.replace(tzinfo=None) - offset).replace(tzinfo=UTC)
    except OverflowError:  # year 1 with an offset west of UTC
        raise ValueError("a date and time between the years 1 and 9999") from None


SaleTime = Annotated[Moment, AfterValidator(_in_utc)]
PLAIN = r"^[^\x00-\x1f\x7f]*$"  # printable text: no NUL (PostgreSQL refuses it in text) or control characters


class OfflineLineIn(Input):
    sku_id: Id
    quantity: int = Field(ge=1, le=MAX_UNITS)
    unit_price_fen: int = Field(ge=0, le=MAX_FEN, description="what the till charged a unit (tier price applied)")
    list_price_fen: int | None = Field(None, ge=0, le=MAX_FEN, description="the list price, when a tier price "
                                                                           "replaced it")
    discount_fen: int = Field(0, ge=0, le=MAX_FEN, description="the line's share of the bill's discounts")


class OfflineDiscountIn(Input):
    key: str = Field(min_length=1, max_length=24, pattern=PLAIN, description='the offer as the till knew it ("P12", "C345", '
                                                             '"manual")')
    kind: str = Field("promotion", min_length=1, max_length=20, pattern=PLAIN)
    label: str = Field("", max_length=80, pattern=PLAIN, description="as printed on the receipt (满200减30)")
    amount_fen: int = Field(ge=1, le=MAX_FEN)


class OfflineTenderIn(Input):
    kind: Literal["cash", "card", "wechat", "alipay", "store_credit"]
    amount_fen: int = Field(ge=1, le=MAX_FEN, description="what it paid towards the sale (cash: net of change)")
    change_fen: int = Field(0, ge=0, le=MAX_FEN, description="cash handed back")
    reference: str | None = Field(None, max_length=64, pattern=PLAIN, description="the provider's transaction id")


class OfflineSaleIn(Input):
    till_sale_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$",
                              description="the till's own id of the sale: unique per till, the key of re-uploads")
    sold_at: SaleTime = Field(description="the till's clock when the sale was made (with its offset)")
    lines: list[OfflineLineIn] = Field(min_length=1, max_length=200)
    discounts: list[OfflineDiscountIn] = Field(default_factory=list, max_length=20)
    total_fen: int = Field(ge=0, le=MAX_FEN, description="what the customer paid: lines less discounts")
    tenders: list[OfflineTenderIn] = Field(default_factory=list, max_length=10)
    customer_id: Id | None = Field(None, description="the member the till recognised, if any")
    session_id: Id | None = Field(None, description="the till session it was rung up in, if known")


class BatchIn(Input):
    batch_id: str | None = Field(None, max_length=64, pattern=PLAIN, description="the till's name for this upload (logs only)")
    sales: list[OfflineSaleIn] = Field(min_length=1, max_length=MAX_SALES)


class Reason(BaseModel):
    code: str  # stable: unknown-sku, not-for-sale, too-large, totals-mismatch, tenders-mismatch, ...
    field: str  # where in the sale, e.g. "lines[1].sku_id"
    message: str


class SaleResult(BaseModel):
    till_sale_id: str
    status: Literal["accepted", "duplicate", "refused"]
    order_number: str | None = None  # accepted now, or accepted by an earlier upload (duplicate)
    reasons: list[Reason] = []  # why refused
    warnings: list[str] = []  # accepted, but: member-unknown (kept without the member), session-closed (in no session)
    oversold: dict[int, int] = {}  # SKU -> units sold beyond the store's count (that line is now flagged)


class BatchOut(BaseModel):
    terminal_id: int
    location_id: int
    received: int
    accepted: int
    duplicates: int
    refused: int
    results: list[SaleResult]  # one per sale, in the order sent


class FlaggedLineOut(BaseModel):
    location_id: int
    sku_id: int
    on_hand: int
    reserved: int
    oversold: int
    flagged_at: datetime
