"""Loyalty: tier rules, the points configuration, each member's balance row, the append-only points
ledger (earn lots carry what is left of them for oldest-first use and expiry), qualifying spend, and
the points mall (rewards with stock, redemptions with a voucher code).

Invariants (checked by `o2o check`-style tests): for every member, balance == sum(points of its
entries) == sum(remaining of its lots), and balance >= 0 (a CHECK constraint backs the conditional
UPDATE that debits it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId

# ledger entry kinds
EARN, REDEEM, EXPIRE = "earn", "redeem", "expire"
REVERSE_EARN, REVERSE_REDEEM, ADJUST = "reverse_earn", "reverse_redeem", "adjust"
MERGE_IN, MERGE_OUT = "merge_in", "merge_out"
KINDS = (EARN, REDEEM, EXPIRE, REVERSE_EARN, REVERSE_REDEEM, ADJUST, MERGE_IN, MERGE_OUT)

TIERS = ("normal", "silver", "gold", "diamond")


class Tier(Base):
    __tablename__ = "loyalty_tier"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    rank: Mapped[int]
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(40))
    min_spend_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # 0: no spend rule
    min_orders: Mapped[int] = mapped_column(default=0)  # 0: no order-count rule
    points_multiplier_pct: Mapped[int] = mapped_column(default=100)  # 150 = 1.5x
    free_store_delivery: Mapped[bool] = mapped_column(default=False)
    free_home_service: Mapped[bool] = mapped_column(default=False)
    dedicated_service: Mapped[bool] = mapped_column(default=False)
    price_pct: Mapped[int] = mapped_column(default=100)  # tier price: 95 = 5% off the list price
    updated_at: Mapped[datetime | None]


class LoyaltyConfig(Base):
    """One row (id 1): the points rates."""

    __tablename__ = "loyalty_config"

    id: Mapped[int] = mapped_column(primary_key=True)
    earn_points_per_yuan: Mapped[int] = mapped_column(default=1)
    redeem_points_per_yuan: Mapped[int] = mapped_column(default=100)
    redeem_cap_pct: Mapped[int] = mapped_column(default=50)  # at most this share of a bill paid in points
    expiry_days: Mapped[int] = mapped_column(default=365)
    expiring_notice_days: Mapped[int] = mapped_column(default=30)
    review_days: Mapped[int] = mapped_column(default=365)  # a tier holds at least this long
    updated_at: Mapped[datetime | None]


class PointsAccount(Base):
    """A member's balance row: every debit is one conditional UPDATE on it."""

    __tablename__ = "points_account"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_non_negative"),
                      Index("ix_points_account_review", "review_at"))

    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customer.id"), primary_key=True,
                                             autoincrement=False)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    tier_code: Mapped[str] = mapped_column(String(16), default="normal")
    tier_since: Mapped[datetime]
    review_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PointsEntry(Base):
    """Append-only ledger. Positive entries are lots (`remaining` is what is left of them); negative
    entries consumed lots oldest-first. `shortfall`: points a reversal could not take back (spent)."""

    __tablename__ = "points_entry"
    __table_args__ = (
        Index("ix_points_entry_customer", "customer_id", "id"),
        Index("ix_points_entry_lots", "customer_id", "expires_at"),
        Index("ix_points_entry_expiry", "expires_at"),
        Index("ix_points_entry_order", "order_id"),
        CheckConstraint("remaining >= 0", name="remaining_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger, default=0)
    shortfall: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]  # the "expiring soon" event went out for this lot
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    key: Mapped[str | None] = mapped_column(String(160), unique=True)  # once per order+kind, per till key
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]


class Spend(Base):
    """Qualifying spend of a completed order (any channel), for the rolling 12-month tier rules."""

    __tablename__ = "loyalty_spend"
    __table_args__ = (Index("ix_loyalty_spend_customer", "customer_id", "at"),)

    order_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    returned_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    at: Mapped[datetime]


class Reward(Base):
    """The points mall: goods or a local service for points, with stock."""

    __tablename__ = "loyalty_reward"
    __table_args__ = (CheckConstraint("stock >= 0", name="stock_non_negative"),
                      CheckConstraint("points_cost > 0", name="cost_positive"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # goods | service
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    points_cost: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Redemption(Base):
    """A reward redeemed: the voucher the member shows (or the goods order)."""

    __tablename__ = "loyalty_redemption"
    __table_args__ = (Index("ix_loyalty_redemption_customer", "customer_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("loyalty_reward.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    points: Mapped[int] = mapped_column(BigInteger)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    key: Mapped[str | None] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime]
