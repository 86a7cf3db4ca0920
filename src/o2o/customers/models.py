"""Customers (minimal profile; the members issue deepens it) and their addresses.

Name, phone, email and address fields (recipient included) are encrypted at rest (`Encrypted`), and
so are the home and address coordinates (`EncryptedFloat`: floats in Python, tokens in the database,
so never compared or sorted in SQL); phone and email are found by their keyed lookup hash (unique),
never by the ciphertext. Nothing searches by name, so a name has no lookup hash (a keyed hash of a
name would still show who shares one). An erased customer keeps its row (orders and ledgers point at
it) with the personal fields cleared and `erased_at` set.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId
from o2o.kernel.pii import Encrypted, EncryptedFloat


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Encrypted())
    phone: Mapped[str | None] = mapped_column(Encrypted())
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(Encrypted())
    email_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    home_lat: Mapped[float | None] = mapped_column(EncryptedFloat())
    home_lng: Mapped[float | None] = mapped_column(EncryptedFloat())
    created_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]
    # a tombstone: this customer was merged into another (its rows moved there); set once, never cleared
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))


class Address(Base):
    __tablename__ = "address"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="")
    recipient: Mapped[str] = mapped_column(Encrypted(), default="")
    phone: Mapped[str] = mapped_column(Encrypted(), default="")
    district: Mapped[str] = mapped_column(String(60), default="")
    line: Mapped[str] = mapped_column(Encrypted())
    door: Mapped[str | None] = mapped_column(Encrypted())  # 门牌号 (building, unit, room); NULL: not given
    lat: Mapped[float] = mapped_column(EncryptedFloat())
    lng: Mapped[float] = mapped_column(EncryptedFloat())
    created_at: Mapped[datetime]


IDENTITY_KINDS = ("phone", "email", "wechat_openid", "wechat_unionid", "douyin_openid", "pos_card", "device")


class Identity(Base):
    """One way of recognising a customer: (kind, value) is unique over all customers. Found by the keyed
    lookup hash of the value; the value itself is sealed (openids and card numbers are personal data too)."""

    __tablename__ = "customer_identity"
    __table_args__ = (
        UniqueConstraint("kind", "value_hash"),
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in IDENTITY_KINDS) + ")", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value_hash: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Encrypted())
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class CustomerMerge(Base):
    """Why and by whom `merged_id` became part of `survivor_id`, and how many rows moved per table."""

    __tablename__ = "customer_merge"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), unique=True)  # merged away once only
    reason: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(120))  # "staff:12 ops-li", "customer:7 (verified phone)"
    moved: Mapped[dict[str, Any]]  # {"sales_order": 3, "address": 1, ...}
    created_at: Mapped[datetime]


FAVORITE_KINDS = ("product", "store")


class Favorite(Base):
    """关注: a customer follows a product or a store (one row per customer, kind and target)."""

    __tablename__ = "customer_favorite"
    __table_args__ = (
        UniqueConstraint("customer_id", "kind", "target_id"),
        CheckConstraint("kind IN ('product', 'store')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(BigId)
    created_at: Mapped[datetime]


class BrowsingView(Base):
    """The products a signed-in customer looked at: one row per product (the latest view), the newest
    BROWSING_KEEP kept."""

    __tablename__ = "customer_browsing"
    __table_args__ = (
        UniqueConstraint("customer_id", "product_id"),
        Index("ix_customer_browsing_recent", "customer_id", "viewed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    product_id: Mapped[int] = mapped_column(BigId)
    viewed_at: Mapped[datetime]
