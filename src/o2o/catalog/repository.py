"""Catalog queries. Never commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Row, bindparam, func, or_, select
from sqlalchemy.orm import Session, selectinload

from o2o.catalog.models import Category, Product, Sku, StorePrice, Supplier

_PRICE_COLS = (Sku.id, Product.name_zh, Product.name_en, Sku.spec, Sku.base_price_fen,
               Sku.active & Product.active)
_SKUS = bindparam("skus", expanding=True)
# built once: the hot path only binds parameters
_PRICES_AT = (select(*_PRICE_COLS, StorePrice.price_fen.label("store_price"))
              .join(Product, Product.id == Sku.product_id)
              .outerjoin(StorePrice, (StorePrice.sku_id == Sku.id) & (StorePrice.location_id == bindparam("loc")))
              .where(Sku.id.in_(_SKUS)))
_BASE_PRICES = (select(*_PRICE_COLS, Sku.base_price_fen.label("store_price"))
                .join(Product, Product.id == Sku.product_id).where(Sku.id.in_(_SKUS)))


def sku_prices(session: Session, sku_ids: Iterable[int], location_id: int | None) -> list[Row]:
    """(sku_id, product name zh, name en, spec, base price, active, store price or base) in one query."""
    if location_id is None:
        return list(session.execute(_BASE_PRICES, {"skus": list(sku_ids)}))
    return list(session.execute(_PRICES_AT, {"skus": list(sku_ids), "loc": location_id}))


def search_products(session: Session, q: str | None, category_id: int | None, offset: int,
                    limit: int, supplier_id: int | None = None) -> tuple[list[Product], int]:
    stmt = select(Product).where(Product.active.is_(True))
    if supplier_id is not None:
        stmt = stmt.where(Product.supplier_id == supplier_id)
    if category_id:
        stmt = stmt.where(Product.category_id == category_id)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Product.name_zh.like(like), Product.name_en.ilike(like), Product.brand.ilike(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.options(selectinload(Product.skus)).order_by(Product.id)
                           .offset(offset).limit(limit))
    return list(rows), total


def get_product(session: Session, product_id: int) -> Product | None:
    return session.scalars(select(Product).options(selectinload(Product.skus))
                           .where(Product.id == product_id)).first()


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.id)))


def suppliers(session: Session) -> list[Supplier]:
    return list(session.scalars(select(Supplier).order_by(Supplier.id)))
