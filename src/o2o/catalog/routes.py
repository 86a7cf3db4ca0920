"""Catalog API: browsing is public; suppliers see only their own products."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from o2o.catalog import service
from o2o.catalog.schemas import CategoryOut, ProductIn, ProductOut, StorePriceIn, SupplierIn, SupplierOut
from o2o.deps import ContainerDep, PageDep, PrincipalDep, Uow
from o2o.kernel.auth import require_location
from o2o.kernel.ids import Id
from o2o.kernel.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["catalog"])
Search = Annotated[str | None, Query(max_length=100)]


@router.get("/categories", response_model=list[CategoryOut])
def list_categories(c: ContainerDep) -> list[CategoryOut]:
    return service.categories(c.db)


@router.get("/products", response_model=Page[ProductOut])
def search_products(c: ContainerDep, page: PageDep, q: Search = None,
                    category_id: Id | None = None) -> Page[ProductOut]:
    return service.search(c.db, q, category_id, page)


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


@router.get("/supplier/products", response_model=Page[ProductOut])
def my_products(c: ContainerDep, p: PrincipalDep, page: PageDep, q: Search = None) -> Page[ProductOut]:
    """A supplier's own products (a supplier user sees no one else's)."""
    return service.search(c.db, q, None, page, supplier_id=p.supplier_id or 0)


@router.get("/supplier/products/{product_id}", response_model=ProductOut)
def my_product(c: ContainerDep, p: PrincipalDep, product_id: Id) -> ProductOut:
    return service.get_product(c.db, product_id, supplier_id=p.supplier_id or 0)
