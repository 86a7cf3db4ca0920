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
    # loaded with the product (one IN query per batch of products): the storefront shows the first
    images: Mapped[list[ProductImage]] = relationship(
        order_by=lambda: (ProductImage.position, ProductImage.id), lazy="selectin", viewonly=True)

    @property
    def image_url(self) -> str | None:
        """The main picture's stable URL (the first by position), or None."""
        return self.images[0].url if self.images else None


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


MEDIA_URL = "/media"  # where the app serves the media directory (o2o.main mounts it)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


class ProductImage(Base):
    """A picture of a product: a file under the media directory, named by its content (so its URL
    never changes meaning and may be cached for ever). The lowest `position` is the main picture."""

    __tablename__ = "product_image"
    __table_args__ = (
        CheckConstraint("content_type in ('image/jpeg', 'image/png', 'image/webp')", name="content_type"),
        CheckConstraint("size_bytes > 0 and width > 0 and height > 0", name="dimensions"),
        Index("ix_product_image_product", "product_id", "position"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    path: Mapped[str] = mapped_column(String(200), unique=True)  # relative to the media directory
    content_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]

    @property
    def url(self) -> str:
        return f"{MEDIA_URL}/{self.path}"


class ProductSearch(Base):
    """A product as search sees it (kept in step by catalog.search.service.reindex on every change):
    the tokenised names (kernel.searchtext), and what results are sorted by. SQLite searches `terms`
    through an FTS5 index (`product_search_fts`), PostgreSQL through a generated tsvector column `tokens`
    with a GIN index; both are made by migration 0015, not by these models."""

    __tablename__ = "product_search"
    __table_args__ = (Index("ix_product_search_sales", "sales"), Index("ix_product_search_category", "category_id"))

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))  # the product's, copied: no join
    active: Mapped[bool] = mapped_column(default=True)  # the product's, copied: no join
    terms: Mapped[str] = mapped_column(Text)  # " 光 明 纯 牛 奶 niunai nai ... milk " (spaces at both ends)
    name_len: Mapped[int]  # the Chinese name's length: the shorter of two equal matches ranks first
    price_fen: Mapped[int | None]  # the cheapest active SKU's base price (None without one)
    sales: Mapped[int] = mapped_column(default=0)  # units sold (order lines), for "best selling"
