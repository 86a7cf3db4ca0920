"""Inventory API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from o2o.deps import ContainerDep, PageDep
from o2o.inventory import service
from o2o.inventory.schemas import CheckReport, MovementIn, SafetyStockIn, StockOut, TransferIn
from o2o.kernel.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["inventory"])


@router.get("/stock", response_model=Page[StockOut])
def list_stock(c: ContainerDep, page: PageDep, location_id: Annotated[int | None, Query(gt=0)] = None,
               sku_id: Annotated[int | None, Query(gt=0)] = None) -> Page[StockOut]:
    return service.stock(c.db, location_id, sku_id, page)


@router.post("/stock/movements", response_model=StockOut, status_code=201)
def record_movement(c: ContainerDep, body: MovementIn) -> StockOut:
    """A receipt, a return, or an adjustment (signed) with a reason; written to the ledger."""
    return service.record_movement(c.uow(), body)


@router.post("/stock/transfers", response_model=list[StockOut], status_code=201)
def transfer(c: ContainerDep, body: TransferIn) -> list[StockOut]:
    return service.transfer(c.uow(), body)


@router.put("/stock/{location_id}/{sku_id}/safety-stock", response_model=StockOut)
def set_safety_stock(c: ContainerDep, location_id: int, sku_id: int, body: SafetyStockIn) -> StockOut:
    return service.set_safety_stock(c.uow(), location_id, sku_id, body)


@router.get("/stock/check", response_model=CheckReport)
def check(c: ContainerDep) -> CheckReport:
    return service.check(c.db)
