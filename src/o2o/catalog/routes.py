"""Catalog API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from o2o.catalog import service
from o2o.catalog.schemas import CategoryOut, ProductIn, ProductOut, StorePriceIn
from o2o.deps import ContainerDep, PageDep
from o2o.kernel.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/categories", response_model=list[CategoryOut])
def list_categories(c: ContainerDep) -> list[CategoryOut]:
    return service.categories(c.db)


@router.get("/products", response_model=Page[ProductOut])
def search_products(c: ContainerDep, page: PageDep, q: Annotated[str | None, Query(max_length=100)] = None,
                    category_id: Annotated[int | None, Query(gt=0)] = None) -> Page[ProductOut]:
    return service.search(c.db, q, category_id, page)


@router.get("/products/{product_id}", response_model=ProductOut)
def get_product(c: ContainerDep, product_id: int) -> ProductOut:
    return service.get_product(c.db, product_id)


@router.post("/products", response_model=ProductOut, status_code=201)
def create_product(c: ContainerDep, body: ProductIn) -> ProductOut:
    return service.create_product(c.uow(), body)


@router.put("/skus/{sku_id}/store-prices", status_code=204)
def set_store_price(c: ContainerDep, sku_id: int, body: StorePriceIn) -> None:
    service.set_store_price(c.uow(), sku_id, body)
