"""Catalog: categories, products, SKUs, per-store prices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from o2o.kernel.db import Base, BigId


class Category(Base):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))


class Supplier(Base):
    """A brand or distributor that supplies products; its users see only its own products."""

    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))


class Product(Base):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    skus: Mapped[list[Sku]] = relationship(back_populates="product", order_by="Sku.id")


class Sku(Base):
    __tablename__ = "sku"
    __table_args__ = (CheckConstraint("base_price_fen >= 0", name="price_non_negative"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    barcode: Mapped[str] = mapped_column(String(32), unique=True)
    spec: Mapped[str] = mapped_column(String(80), default="")
    unit: Mapped[str] = mapped_column(String(16), default="件")
    base_price_fen: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    product: Mapped[Product] = relationship(back_populates="skus")


class StorePrice(Base):
    """A location's own price for a SKU, overriding the base price."""

    __tablename__ = "store_price"
    __table_args__ = (
        CheckConstraint("price_fen >= 0", name="price_non_negative"),
        Index("ix_store_price_sku", "sku_id"),
    )

    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"), primary_key=True)
    price_fen: Mapped[int]
