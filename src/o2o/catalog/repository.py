"""Catalog queries. Never commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session, selectinload

from o2o.catalog.models import Category, Product, Sku, StorePrice


def sku_prices(session: Session, sku_ids: Iterable[int], location_id: int | None) -> list[Row]:
    """(sku_id, product name zh, name en, spec, base price, store price or None, active) in one query."""
    ids = list(sku_ids)
    cols = [Sku.id, Product.name_zh, Product.name_en, Sku.spec, Sku.base_price_fen,
            Sku.active & Product.active]
    if location_id is None:
        stmt = select(*cols, Sku.base_price_fen.label("store_price"))
    else:
        stmt = select(*cols, StorePrice.price_fen.label("store_price")).outerjoin(
            StorePrice, (StorePrice.sku_id == Sku.id) & (StorePrice.location_id == location_id))
    return list(session.execute(stmt.join(Product, Product.id == Sku.product_id).where(Sku.id.in_(ids))))


def search_products(session: Session, q: str | None, category_id: int | None, offset: int,
                    limit: int) -> tuple[list[Product], int]:
    stmt = select(Product).where(Product.active.is_(True))
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
