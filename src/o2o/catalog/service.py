"""Catalog use cases, and the one strategy that decides a SKU's price per location and channel."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.catalog import repository as repo
from o2o.catalog.models import Category, Product, ProductImage, Sku, StorePrice, Supplier
from o2o.catalog.schemas import (
    CategoryOut,
    PricedSku,
    ProductImageOut,
    ProductIn,
    ProductOut,
    StorePriceIn,
    SupplierIn,
    SupplierOut,
)
from o2o.catalog.search import service as product_search
from o2o.catalog.search.schemas import SearchPage
from o2o.kernel.db import Database
from o2o.kernel.errors import NotFound
from o2o.kernel.lookups import flush_unique, get_or_404
from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import UnitOfWork


class PriceStrategy:
    """Price and sellability of SKUs at one location for one channel.

    Today: the location's own price when it has one, else the base price; every channel
    pays the same; a member whose tier has a tier price (`tier_pct` < 100, from loyalty's benefits)
    pays that share of it, rounded to the fen (half up). Promotions and channel prices plug in here,
    nowhere else.
    """

    def __init__(self, session: Session, location_id: int | None, channel: str = "h5",
                 locale: str = "zh-CN", *, tier: str | None = None, tier_pct: int = 100) -> None:
        self.session = session
        self.location_id = location_id
        self.channel = channel
        self.locale = locale
        self.tier = tier
        self.tier_pct = tier_pct

    def price(self, sku_ids: Iterable[int]) -> dict[int, PricedSku]:
        out: dict[int, PricedSku] = {}
        for sku_id, name_zh, name_en, spec, base, active, category_id, store_price in repo.sku_prices(
                self.session, sku_ids, self.location_id):
            name = name_zh if self.locale.startswith("zh") else name_en
            listed = base if store_price is None else store_price
            paid = tier_price(listed, self.tier_pct)
            out[sku_id] = PricedSku(sku_id=sku_id, name=f"{name} {spec}".strip(), price_fen=paid, active=bool(active),
                                    name_zh=f"{name_zh} {spec}".strip(), name_en=f"{name_en} {spec}".strip(),
                                    list_price_fen=listed if paid != listed else None,
                                    price_tier=self.tier if paid != listed else None, category_id=category_id)
        return out


def tier_price(list_fen: int, pct: int) -> int:
    """A tier's price of a list price: `pct` percent of it, rounded half up to the fen; never above the
    list price (a percentage over 100 is no tier price) nor below 0."""
    pct = max(0, min(100, pct))
    return (list_fen * pct + 50) // 100


def create_product(uow: UnitOfWork, data: ProductIn) -> ProductOut:
    with uow:
        s = uow.session
        get_or_404(s, Category, data.category_id, "category")
        if data.supplier_id is not None:
            get_or_404(s, Supplier, data.supplier_id, "supplier")
        product = Product(category_id=data.category_id, supplier_id=data.supplier_id,
                          name_zh=data.name_zh, name_en=data.name_en,
                          brand=data.brand, description=data.description, created_at=uow.clock.now())
        product.skus = [Sku(**sku.model_dump()) for sku in data.skus]
        s.add(product)
        flush_unique(s, "a SKU code or barcode is already in use", "skus")
        product_search.reindex(s, [product.id])
        out = ProductOut.model_validate(product)
        uow.describe(f"product={product.id}", skus=[k.id for k in product.skus])
        uow.publish("catalog.product_created", {"product_id": product.id, "sku_ids": [k.id for k in product.skus]})
        uow.commit()
        return out


def set_store_price(uow: UnitOfWork, sku_id: int, data: StorePriceIn) -> None:
    with uow:
        s = uow.session
        get_or_404(s, Sku, sku_id, "sku")
        row = s.get(StorePrice, (data.location_id, sku_id))
        if row is None:
            s.add(StorePrice(location_id=data.location_id, sku_id=sku_id, price_fen=data.price_fen))
        else:
            row.price_fen = data.price_fen
        try:
            s.flush()
        except IntegrityError as exc:
            raise NotFound("location", data.location_id) from exc
        uow.commit()


def get_product(db: Database, product_id: int, supplier_id: int | None = None) -> ProductOut:
    """One product; with `supplier_id`, only if that supplier supplies it (else 404)."""
    with db.read() as s:
        product = repo.get_product(s, product_id)
        if product is None or (supplier_id is not None and product.supplier_id != supplier_id):
            raise NotFound("product", product_id)
        return ProductOut.model_validate(product)


def search(db: Database, q: str | None, category_id: int | None, page: PageParams,
           supplier_id: int | None = None, *, store_id: int | None = None, only_in_stock: bool = False,
           sort: str = "relevance") -> SearchPage:
    """Active products matching `q` (catalog.search: pinyin, typos, both languages), filtered and sorted."""
    return product_search.search(db, q, page, category_id=category_id, store_id=store_id,
                                 only_in_stock=only_in_stock, sort=sort, supplier_id=supplier_id)


def similar_in_stock(db: Database, sku_ids: Iterable[int], location_id: int, locale: str = "zh-CN",
                     per_sku: int = 1) -> dict[int, list[PricedSku]]:
    """For each SKU, other products of its category in stock at the location, nearest in price first,
    priced by the strategy at that location (what to offer instead of a line the store lacks)."""
    with db.read() as s:
        found = {k: repo.similar_in_stock(s, k, location_id, per_sku) for k in sku_ids}
        priced = PriceStrategy(s, location_id, "h5", locale).price({r[1] for rows in found.values() for r in rows})
    return {k: [priced[r[1]] for r in rows if r[1] in priced and priced[r[1]].active] for k, rows in found.items()}


def categories(db: Database) -> list[CategoryOut]:
    with db.read() as s:
        return [CategoryOut.model_validate(c) for c in repo.categories(s)]


def sku_pictures(db: Database, sku_ids: Iterable[int]) -> dict[int, ProductImageOut]:
    """The main picture of each SKU's product (for cart lines); SKUs without one are left out."""
    ids = sorted(set(sku_ids))
    if not ids:
        return {}
    with db.read() as s:
        rows = s.execute(select(Sku.id, ProductImage).join(ProductImage, ProductImage.product_id == Sku.product_id)
                         .where(Sku.id.in_(ids)).order_by(Sku.id, ProductImage.position, ProductImage.id)).all()
        out: dict[int, ProductImageOut] = {}
        for sku_id, image in rows:
            out.setdefault(sku_id, ProductImageOut.model_validate(image))
        return out



def create_supplier(uow: UnitOfWork, data: SupplierIn) -> SupplierOut:
    with uow:
        supplier = Supplier(code=data.code, name=data.name)
        uow.session.add(supplier)
        flush_unique(uow.session, "supplier code already in use", "code")
        out = SupplierOut.model_validate(supplier)
        uow.describe(f"supplier={supplier.id}")
        uow.commit()
        return out


def suppliers(db: Database) -> list[SupplierOut]:
    with db.read() as s:
        return [SupplierOut.model_validate(x) for x in repo.suppliers(s)]


def supplier_exists(session: Session, supplier_id: int) -> bool:
    return session.get(Supplier, supplier_id) is not None
