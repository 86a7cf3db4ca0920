"""Catalog queries. Never commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Row, bindparam, func, or_, select
from sqlalchemy.orm import Session, selectinload

from o2o.catalog.models import Category, Product, ProductImage, Sku, StorePrice, Supplier
from o2o.inventory import service as inventory  # the stock condition of `similar_in_stock` is inventory's

_PRICE_COLS = (Sku.id, Product.name_zh, Product.name_en, Sku.spec, Sku.base_price_fen,
               Sku.active & Product.active, Product.category_id)
_SKUS = bindparam("skus", expanding=True)
# built once: the hot path only binds parameters
_PRICES_AT = (select(*_PRICE_COLS, StorePrice.price_fen.label("store_price"))
              .join(Product, Product.id == Sku.product_id)
              .outerjoin(StorePrice, (StorePrice.sku_id == Sku.id) & (StorePrice.location_id == bindparam("loc")))
              .where(Sku.id.in_(_SKUS)))
_BASE_PRICES = (select(*_PRICE_COLS, Sku.base_price_fen.label("store_price"))
                .join(Product, Product.id == Sku.product_id).where(Sku.id.in_(_SKUS)))


def sku_prices(session: Session, sku_ids: Iterable[int], location_id: int | None) -> list[Row]:
    """(sku_id, product name zh, name en, spec, base price, active, category id, store price or base) in one
    query."""
    if location_id is None:
        return list(session.connection().execute(_BASE_PRICES, {"skus": list(sku_ids)}))
    return list(session.connection().execute(_PRICES_AT, {"skus": list(sku_ids), "loc": location_id}))


def get_product(session: Session, product_id: int) -> Product | None:
    return session.scalars(select(Product).options(selectinload(Product.skus))
                           .where(Product.id == product_id)).first()


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.id)))


def suppliers(session: Session) -> list[Supplier]:
    return list(session.scalars(select(Supplier).order_by(Supplier.id)))


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def admin_search(session: Session, q: str | None, category_id: int | None, active: bool | None, offset: int,
                 limit: int) -> tuple[list[Product], int]:
    """Products for the back-office, newest first, inactive ones too; `q` also finds a SKU code or barcode."""
    stmt = select(Product)
    if active is not None:
        stmt = stmt.where(Product.active.is_(active))
    if category_id:
        stmt = stmt.where(Product.category_id == category_id)
    if q:
        like = _like(q)
        by_sku = select(Sku.product_id).where(or_(Sku.code.ilike(like, escape="\\"), Sku.barcode == q))
        found = [Product.name_zh.like(like, escape="\\"), Product.name_en.ilike(like, escape="\\"),
                 Product.brand.ilike(like, escape="\\"), Product.id.in_(by_sku)]
        if q.isdigit() and len(q) < 12:
            found.append(Product.id == int(q))
        stmt = stmt.where(or_(*found))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.options(selectinload(Product.skus)).order_by(Product.id.desc())
                           .offset(offset).limit(limit))
    return list(rows), total


def sku_clash(session: Session, field: str, value: str, except_sku: int | None) -> bool:
    """Whether another SKU already has this code or barcode."""
    column = Sku.code if field == "code" else Sku.barcode
    stmt = select(Sku.id).where(column == value)
    if except_sku is not None:
        stmt = stmt.where(Sku.id != except_sku)
    return session.scalar(stmt.limit(1)) is not None


def image_positions(session: Session, product_id: int) -> tuple[int | None, int | None]:
    """(lowest, highest) position of the product's pictures; (None, None) without any."""
    return tuple(session.execute(select(func.min(ProductImage.position), func.max(ProductImage.position))
                           .where(ProductImage.product_id == product_id)).one())  # type: ignore[return-value]


def similar_in_stock(session: Session, sku_id: int, location_id: int, limit: int) -> list[Row]:
    """Other products' active SKUs of the same category as `sku_id` with units available at the location,
    nearest in price first: (product id, sku id, name_zh, name_en, spec, base price)."""
    src = session.execute(select(Product.id, Product.category_id, Sku.base_price_fen)
                          .join(Sku, Sku.product_id == Product.id).where(Sku.id == sku_id)).first()
    if src is None:
        return []
    return list(session.execute(
        select(Product.id, Sku.id, Product.name_zh, Product.name_en, Sku.spec, Sku.base_price_fen)
        .join(Sku, Sku.product_id == Product.id)
        .where(Product.category_id == src.category_id, Product.id != src.id, Product.active.is_(True),
               Sku.active.is_(True), inventory.has_stock(location_id, Sku.id))
        .order_by(func.abs(Sku.base_price_fen - src.base_price_fen), Sku.id).limit(limit)))
