"""A cart and its lines. An anonymous cart is found by the hash of its cookie token, a customer's by
the customer id; exactly one of the two is set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId

MAX_QUANTITY = 999  # per line, as an order line allows


class Cart(Base):
    __tablename__ = "cart"
    __table_args__ = (
        CheckConstraint("(token_hash IS NULL) <> (customer_id IS NULL)", name="one_owner"),
        Index("ix_cart_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # sha256 of the cookie token
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CartLine(Base):
    __tablename__ = "cart_line"
    __table_args__ = (CheckConstraint(f"quantity > 0 AND quantity <= {MAX_QUANTITY}", name="quantity_range"),)

    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"), primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"), primary_key=True)
    quantity: Mapped[int]
    added_at: Mapped[datetime]
