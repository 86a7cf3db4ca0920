"""Promotions and coupons: automatic promotions, coupon templates, the coupons issued from them, the
claim keys that hold the abuse limits, and one `promotion_use` row per discount given (an order's
promotion or coupon, or a coupon redeemed at a till), which is what a cancellation gives back and what
the results page sums.

Invariants: a template's `issued_qty <= total_qty` and `spent_fen <= budget_fen` (each raised only by a
conditional UPDATE checked by its row count, backed by CHECK constraints); a coupon goes issued -> used
by one conditional UPDATE; (template, subject, slot) is unique, so a customer, a phone, a device or an
address holds at most `per_customer_limit` coupons of a template whatever runs at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId

CHANNELS = ("online", "till", "both")
COUPON_KINDS = ("threshold", "percent", "free_delivery", "gift", "service")  # service: a free service (till only)
PROMOTION_KINDS = ("sale_price", "nth_discount", "buy_x_get_y", "threshold", "percent", "free_delivery", "gift")
ON_CANCEL = ("restore", "forfeit")
AUTO_ISSUE = ("none", "signup", "first_visit")
ISSUED, USED, EXPIRED, VOID = "issued", "used", "expired", "void"
COUPON_STATUSES = (ISSUED, USED, EXPIRED, VOID)
DEFAULT_RADIUS_M = 3000


class _Rule:
    """The columns a promotion and a coupon template share: what the engine's Offer is built from."""

    kind: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    label_zh: Mapped[str] = mapped_column(String(40), default="")  # "满200减30" on the bill ("" = from the rule)
    label_en: Mapped[str] = mapped_column(String(60), default="")
    min_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    off_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    repeat: Mapped[bool] = mapped_column(default=False)
    pct_off: Mapped[int] = mapped_column(default=0)
    cap_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    nth: Mapped[int] = mapped_column(default=0)
    buy: Mapped[int] = mapped_column(default=0)
    get: Mapped[int] = mapped_column(default=0)
    price_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    gift_sku_id: Mapped[int] = mapped_column(BigInteger, default=0)
    sku_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [] = every SKU
    category_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    location_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [] = every store
    tier_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [] = every tier
    channel: Mapped[str] = mapped_column(String(8), default="both")
    group_code: Mapped[str] = mapped_column(String(40), default="")
    exclusive: Mapped[bool] = mapped_column(default=False)
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)  # None: no budget
    spent_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Promotion(_Rule, Base):
    """An automatic promotion: applies to every basket in its scope and window, no coupon needed."""

    __tablename__ = "promotion"
    __table_args__ = (
        Index("ix_promotion_live", "active", "ends_at"),
        CheckConstraint("budget_fen IS NULL OR spent_fen <= budget_fen", name="within_budget"),
        CheckConstraint("spent_fen >= 0", name="spent_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]


class CouponTemplate(_Rule, Base):
    """What a coupon gives and who may get it: quantity, budget, per-customer limit, tiers, an LBS store
    and radius, the claim window and the validity of what is issued (a fixed window or N days)."""

    __tablename__ = "coupon_template"
    __table_args__ = (
        Index("ix_coupon_template_live", "active", "claim_until"),
        CheckConstraint("total_qty IS NULL OR issued_qty <= total_qty", name="within_quantity"),
        CheckConstraint("budget_fen IS NULL OR spent_fen <= budget_fen", name="within_budget"),
        CheckConstraint("spent_fen >= 0", name="spent_non_negative"),
        CheckConstraint("per_customer_limit >= 1", name="limit_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_from: Mapped[datetime]
    claim_until: Mapped[datetime]
    valid_from: Mapped[datetime | None]  # fixed window (both set) ...
    valid_until: Mapped[datetime | None]
    valid_days: Mapped[int | None]  # ... or N days after the claim (a fixed valid_until still caps it)
    total_qty: Mapped[int | None]  # None: no limit
    issued_qty: Mapped[int] = mapped_column(default=0)
    per_customer_limit: Mapped[int] = mapped_column(default=1)
    store_id: Mapped[int | None] = mapped_column(BigInteger)  # LBS exclusive: near this store, used only there
    radius_m: Mapped[int] = mapped_column(default=DEFAULT_RADIUS_M)
    on_cancel: Mapped[str] = mapped_column(String(8), default="restore")
    auto_issue: Mapped[str] = mapped_column(String(12), default="none")
    claimable: Mapped[bool] = mapped_column(default=True)  # shown in the storefront's coupon centre


class Coupon(Base):
    __tablename__ = "coupon"
    __table_args__ = (
        Index("ix_coupon_customer", "customer_id", "status"),
        Index("ix_coupon_template", "template_id", "status"),
        Index("ix_coupon_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("coupon_template.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(8), default=ISSUED)
    via: Mapped[str] = mapped_column(String(12), default="claim")  # claim | issue | signup | first_visit
    store_id: Mapped[int | None] = mapped_column(BigInteger)  # LBS: redeemable at this store only
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    issued_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    location_id: Mapped[int | None] = mapped_column(BigInteger)  # where it was used
    discount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    used_by: Mapped[str | None] = mapped_column(String(120))


class CouponClaim(Base):
    """One slot of a limit: (template, subject, slot) is unique, slot in 1..per_customer_limit. Subjects:
    `customer:<id>`, `phone:<hash>`, `device:<hash>`, `address:<hash>`: a second claim past the limit,
    or a twin at the same moment, fails on the key, never on a read."""

    __tablename__ = "coupon_claim"

    template_id: Mapped[int] = mapped_column(BigId, ForeignKey("coupon_template.id"), primary_key=True,
                                             autoincrement=False)
    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    slot: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupon.id"))
    created_at: Mapped[datetime]


class PromotionUse(Base):
    """A discount given: per order and offer key (P12 / C345), or a coupon redeemed at a till (no order).
    `released_at`: the order was cancelled, expired or returned and the budget given back."""

    __tablename__ = "promotion_use"
    __table_args__ = (
        Index("ix_promotion_use_order", "order_id"),
        Index("ix_promotion_use_promotion", "promotion_id"),
        Index("ix_promotion_use_template", "template_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(16))
    promotion_id: Mapped[int | None] = mapped_column(BigInteger)
    template_id: Mapped[int | None] = mapped_column(BigInteger)
    coupon_id: Mapped[int | None] = mapped_column(BigInteger)
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    location_id: Mapped[int | None] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    order_total_fen: Mapped[int | None] = mapped_column(BigInteger)  # GMV the offer drove (when known)
    at: Mapped[datetime]
    released_at: Mapped[datetime | None]
