"""Catalog API: browsing is public; suppliers see only their own products."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from o2o.catalog import service
from o2o.catalog.schemas import CategoryOut, ProductIn, ProductOut, StorePriceIn, SupplierIn, SupplierOut
from o2o.catalog.search import service as product_search
from o2o.catalog.search.schemas import SearchPage, Sort, Suggestion
from o2o.deps import ContainerDep, PageDep, PrincipalDep, Uow
from o2o.kernel.auth import require_location
from o2o.kernel.ids import Id

router = APIRouter(prefix="/api/v1", tags=["catalog"])
Search = Annotated[str | None, Query(max_length=100)]


@router.get("/categories", response_model=list[CategoryOut])
def list_categories(c: ContainerDep) -> list[CategoryOut]:
    return service.categories(c.db)


@router.get("/products", response_model=SearchPage)
def search_products(c: ContainerDep, page: PageDep, q: Search = None, category_id: Id | None = None,
                    in_stock_at: Annotated[Id | None, Query(description="a store: its in-stock products first")] = None,
                    in_stock: Annotated[bool, Query(description="only products in stock at in_stock_at")] = False,
                    sort: Sort = "relevance") -> SearchPage:
    """Search by Chinese or English name, pinyin (`niunai`) or initials (`nn`), with typos forgiven."""
    return service.search(c.db, q, category_id, page, store_id=in_stock_at, only_in_stock=in_stock and
                          in_stock_at is not None, sort=sort)


@router.get("/catalog/suggest", response_model=list[Suggestion])
def suggest(c: ContainerDep, q: Annotated[str, Query(min_length=1, max_length=60)],
            limit: Annotated[int, Query(ge=1, le=20)] = 8) -> list[Suggestion]:
    """Product names completing what the shopper is typing (as in the storefront's search box)."""
    return product_search.suggest(c.db, q, limit)


@router.get("/products/{product_id}", response_model=ProductOut)
def get_product(c: ContainerDep, product_id: Id) -> ProductOut:
    return service.get_product(c.db, product_id)


@router.post("/products", response_model=ProductOut, status_code=201)
def create_product(uow: Uow, body: ProductIn) -> ProductOut:
    return service.create_product(uow, body)


@router.put("/skus/{sku_id}/store-prices", status_code=204)
def set_store_price(uow: Uow, p: PrincipalDep, sku_id: Id, body: StorePriceIn) -> None:
    require_location(p, body.location_id)
    uow.describe(f"sku={sku_id},location={body.location_id}", price_fen=body.price_fen)
    service.set_store_price(uow, sku_id, body)


@router.get("/suppliers", response_model=list[SupplierOut])
def list_suppliers(c: ContainerDep) -> list[SupplierOut]:
    return service.suppliers(c.db)


@router.post("/suppliers", response_model=SupplierOut, status_code=201)
def create_supplier(uow: Uow, body: SupplierIn) -> SupplierOut:
    return service.create_supplier(uow, body)


@router.get("/supplier/products", response_model=SearchPage)
def my_products(c: ContainerDep, p: PrincipalDep, page: PageDep, q: Search = None) -> SearchPage:
    """A supplier's own products (a supplier user sees no one else's)."""
    return service.search(c.db, q, None, page, supplier_id=p.supplier_id or 0)


@router.get("/supplier/products/{product_id}", response_model=ProductOut)
def my_product(c: ContainerDep, p: PrincipalDep, product_id: Id) -> ProductOut:
    return service.get_product(c.db, product_id, supplier_id=p.supplier_id or 0)
