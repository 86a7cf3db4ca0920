"""Inventory API. Store roles see and change only their own store's stock."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from o2o.deps import ContainerDep, PageDep, PrincipalDep, Uow
from o2o.inventory import service
from o2o.inventory.schemas import CheckReport, MovementIn, SafetyStockIn, StockOut, TransferIn
from o2o.kernel.auth import require_location
from o2o.kernel.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["inventory"])


@router.get("/stock", response_model=Page[StockOut])
def list_stock(c: ContainerDep, p: PrincipalDep, page: PageDep, location_id: Annotated[int | None, Query(gt=0)] = None,
               sku_id: Annotated[int | None, Query(gt=0)] = None) -> Page[StockOut]:
    """Stock rows; a store role's own store unless it names it."""
    if p.store_id is not None:
        require_location(p, location_id or p.store_id)
        location_id = p.store_id
    return service.stock(c.db, location_id, sku_id, page)


@router.post("/stock/movements", response_model=StockOut, status_code=201)
def record_movement(uow: Uow, p: PrincipalDep, body: MovementIn) -> StockOut:
    """A receipt, a return, or an adjustment (signed) with a reason; written to the ledger."""
    require_location(p, body.location_id)
    uow.describe(f"location={body.location_id},sku={body.sku_id}", kind=body.kind, quantity=body.quantity)
    return service.record_movement(uow, body, p.actor)


@router.post("/stock/transfers", response_model=list[StockOut], status_code=201)
def transfer(uow: Uow, p: PrincipalDep, body: TransferIn) -> list[StockOut]:
    """Move stock out of a location the caller covers (a store manager sends from their store)."""
    require_location(p, body.from_location_id)
    uow.describe(f"from={body.from_location_id},to={body.to_location_id},sku={body.sku_id}", quantity=body.quantity)
    return service.transfer(uow, body, p.actor)


@router.put("/stock/{location_id}/{sku_id}/safety-stock", response_model=StockOut)
def set_safety_stock(uow: Uow, p: PrincipalDep, location_id: int, sku_id: int, body: SafetyStockIn) -> StockOut:
    require_location(p, location_id)
    uow.describe(safety_stock=body.safety_stock)
    return service.set_safety_stock(uow, location_id, sku_id, body)


@router.get("/stock/check", response_model=CheckReport)
def check(c: ContainerDep) -> CheckReport:
    return service.check(c.db)
