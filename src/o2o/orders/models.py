"""Online orders, their lines, their append-only history, and payments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId
from o2o.kernel.history import HistoryColumns
from o2o.kernel.pii import Encrypted, EncryptedFloat

# order states
PENDING_PAYMENT, PAID, PICKING, READY, SHIPPED, COMPLETED = (
    "pending_payment", "paid", "picking", "ready", "shipped", "completed")
CANCELLED, EXPIRED = "cancelled", "expired"

TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING_PAYMENT: frozenset({PAID, CANCELLED, EXPIRED}),
    PAID: frozenset({PICKING, CANCELLED}),
    PICKING: frozenset({READY, SHIPPED, CANCELLED}),
    READY: frozenset({COMPLETED, SHIPPED, CANCELLED}),
    SHIPPED: frozenset({COMPLETED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
    EXPIRED: frozenset(),
}
STATUSES = tuple(TRANSITIONS)
# cancelling from these releases the reserved stock
HOLDS_STOCK = frozenset({PENDING_PAYMENT, PAID, PICKING, READY})

# fulfilment modes
PICKUP, STORE_DELIVERY, PARCEL, AUTO = "pickup", "store_delivery", "parcel", "auto"
MODES = (PICKUP, STORE_DELIVERY, PARCEL)
WANTED_MODES = (*MODES, AUTO)

CHANNELS = ("h5", "pc", "app", "miniprogram", "pos", "douyin", "wechat", "api")
POS, API = "pos", "api"
# what a signed-in customer may say it orders through (the till and integrations are not theirs)
CUSTOMER_CHANNELS = ("h5", "pc", "app", "miniprogram", "douyin", "wechat")


def waived_reason(tier_code: str | None, waived_fen: int) -> str | None:
    """Why an order pays no store-delivery fee: "tier:gold" (the tier's free store delivery)."""
    return f"tier:{tier_code}" if waived_fen and tier_code else None


def can_transition(src: str, dst: str) -> bool:
    return dst in TRANSITIONS.get(src, frozenset())


class Order(Base):
    __tablename__ = "sales_order"
    __table_args__ = (
        CheckConstraint("total_fen >= 0", name="total_non_negative"),
        Index("ix_sales_order_status_expires", "status", "expires_at"),
        Index("ix_sales_order_customer", "customer_id", "created_at"),
        Index("ix_sales_order_location_created", "fulfil_location_id", "created_at"),
        Index("ix_sales_order_paid_at", "paid_at"),  # the dashboard reads a period of payments
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    channel: Mapped[str] = mapped_column(String(16))
    utm_source: Mapped[str | None] = mapped_column(String(80))
    utm_medium: Mapped[str | None] = mapped_column(String(80))
    utm_campaign: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))
    wanted_mode: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    chosen_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    fulfil_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    route_reason: Mapped[str] = mapped_column(String(300))
    distance_m: Mapped[int | None]
    ship_lat: Mapped[float | None] = mapped_column(EncryptedFloat())  # personal data: encrypted at rest
    ship_lng: Mapped[float | None] = mapped_column(EncryptedFloat())
    ship_address: Mapped[str | None] = mapped_column(Encrypted())  # personal data: encrypted at rest
    pickup_slot: Mapped[str | None] = mapped_column(String(40))
    subtotal_fen: Mapped[int]
    delivery_fee_fen: Mapped[int]
    discount_fen: Mapped[int] = mapped_column(default=0)
    total_fen: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    tier_code: Mapped[str | None] = mapped_column(String(16))  # the member's tier when placed
    delivery_fee_waived_fen: Mapped[int] = mapped_column(default=0)  # the tier's free store delivery

    @property
    def delivery_fee_waived_reason(self) -> str | None:
        return waived_reason(self.tier_code, self.delivery_fee_waived_fen)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # a trusted caller keeps a paid order from fulfilment ("groupbuy:12": until the group forms)
    held_for: Mapped[str | None] = mapped_column(String(40))


class OrderLine(Base):
    __tablename__ = "order_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # in the language the order was placed in
    name_zh: Mapped[str | None] = mapped_column(String(200))  # both languages, for pages in either (0017)
    name_en: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_price_fen: Mapped[int]
    line_total_fen: Mapped[int]
    list_price_fen: Mapped[int | None]  # set when the member's tier price replaced it
    price_tier: Mapped[str | None] = mapped_column(String(16))  # whose tier price ("gold": 黄金会员价)
    # the goods discount of promotions and coupons on this line, whole fen; paid = line_total - discount
    discount_fen: Mapped[int] = mapped_column(default=0)


class OrderDiscount(Base):
    """One line of the bill's explanation: an applied promotion ("P12"), coupon ("C345") or the points
    ("points"), its label as shown ("满200减30") and what it took off. The order's discount_fen is their sum."""

    __tablename__ = "order_discount"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    key: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(20))
    label_zh: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(120))
    amount_fen: Mapped[int]


class OrderHistory(HistoryColumns, Base):
    """Append-only: who moved the order from what to what, when."""

    __tablename__ = "order_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)


class Payment(Base):
    __tablename__ = "payment"
    __table_args__ = (Index("ix_payment_order", "order_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"))
    provider: Mapped[str] = mapped_column(String(20))
    out_trade_no: Mapped[str] = mapped_column(String(40), unique=True)
    provider_txn_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the provider's handle of the started payment: WeChat prepay_id or Native code_url, Alipay qr_code
    prepay_id: Mapped[str | None] = mapped_column(String(256))
    amount_fen: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="created")  # created, succeeded, failed
    created_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]


REFUND_STATUSES = ("processing", "succeeded", "failed")


class PaymentRefund(Base):
    """A refund asked of the provider; idempotent there by out_refund_no."""

    __tablename__ = "payment_refund"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),
                      Index("ix_payment_refund_payment", "payment_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"))
    out_refund_no: Mapped[str] = mapped_column(String(64), unique=True)
    provider_refund_id: Mapped[str | None] = mapped_column(String(64))
    amount_fen: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # processing, succeeded, failed
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
