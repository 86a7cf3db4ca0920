"""Inventory API. Store roles see and change only their own store's stock."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from o2o.deps import ContainerDep, IdempotencyKey, PageDep, PrincipalDep, Uow
from o2o.inventory import service, transfers
from o2o.inventory.schemas import (
    CheckReport,
    CountIn,
    CountOut,
    MovementIn,
    SafetyStockIn,
    StockOut,
    TransferDecisionIn,
    TransferIn,
    TransferRequestIn,
    TransferRequestOut,
)
from o2o.inventory.transfer_schemas import (
    BatchIn,
    BatchOut,
    BatchProgress,
    DiscrepancyOut,
    InvestigateIn,
    PlanLine,
    Preview,
    ReceiptIn,
    ResolveIn,
    TransitLine,
)
from o2o.kernel.auth import Principal, require_location
from o2o.kernel.errors import NotFound
from o2o.kernel.ids import Id
from o2o.kernel.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["inventory"])


@router.get("/stock", response_model=Page[StockOut])
def list_stock(c: ContainerDep, p: PrincipalDep, page: PageDep, location_id: Id | None = None,
               sku_id: Id | None = None) -> Page[StockOut]:
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


@router.post("/stock/counts", response_model=CountOut, status_code=201,
             responses={409: {"description": "the count is below what orders have reserved (below-reserved: "
                                             "reserved, lowest_allowed)"}})
def record_count(uow: Uow, p: PrincipalDep, body: CountIn) -> CountOut:
    """Stocktake: the units counted on the shelf. On hand becomes the count; the difference is an
    adjustment in the ledger with reason "count" (none when the count matches)."""
    require_location(p, body.location_id)
    uow.describe(f"location={body.location_id},sku={body.sku_id}", counted=body.counted)
    return service.record_count(uow, body, p.actor)


@router.post("/stock/transfers", response_model=list[StockOut], status_code=201)
def transfer(uow: Uow, p: PrincipalDep, body: TransferIn) -> list[StockOut]:
    """Move stock out of a location the caller covers (a store manager sends from their store)."""
    require_location(p, body.from_location_id)
    uow.describe(f"from={body.from_location_id},to={body.to_location_id},sku={body.sku_id}", quantity=body.quantity)
    return service.transfer(uow, body, p.actor)


@router.put("/stock/{location_id}/{sku_id}/safety-stock", response_model=StockOut)
def set_safety_stock(uow: Uow, p: PrincipalDep, location_id: Id, sku_id: Id, body: SafetyStockIn) -> StockOut:
    require_location(p, location_id)
    uow.describe(safety_stock=body.safety_stock)
    return service.set_safety_stock(uow, location_id, sku_id, body)


@router.get("/stock/check", response_model=CheckReport)
def check(c: ContainerDep) -> CheckReport:
    return service.check(c.db)


# transfer requests: a location asks another for stock (inventory:write, for the asking location); the
# source sends or rejects it (inventory:transfer, for the source); the asker receives it (inventory:write)

TransferStatus = Literal["requested", "sent", "received", "received_with_difference", "rejected"]


def _transfer_for(c: ContainerDep, p: Principal, request_id: int, side: str = "") -> TransferRequestOut:
    """The request if the caller covers its source (side "from"), its requester ("to"), or either ("");
    otherwise it looks unknown (404)."""
    tr = service.get_transfer(c.db, request_id)
    sides = {"from": (tr.from_location_id,), "to": (tr.to_location_id,)}.get(
        side, (tr.from_location_id, tr.to_location_id))
    if not any(p.covers(location_id) for location_id in sides):
        raise NotFound("transfer request", request_id)
    return tr


@router.get("/stock/transfer-requests", response_model=Page[TransferRequestOut])
def list_transfer_requests(c: ContainerDep, p: PrincipalDep, page: PageDep,
                           location_id: Id | None = None,
                           direction: Literal["in", "out"] | None = None,
                           status: TransferStatus | None = None) -> Page[TransferRequestOut]:
    """Newest first. `direction=in`: asked by the location; `out`: asked of it. A store role sees its own."""
    if p.store_id is not None:
        require_location(p, location_id or p.store_id)
        location_id = p.store_id
    return service.transfer_requests(c.db, location_id, direction, [status] if status else [], page)


@router.post("/stock/transfer-requests", response_model=TransferRequestOut, status_code=201)
def request_transfer(uow: Uow, p: PrincipalDep, body: TransferRequestIn,
                     idempotency_key: IdempotencyKey = None) -> TransferRequestOut:
    """Ask another store or a warehouse for stock, delivered to a location the caller covers."""
    require_location(p, body.to_location_id)
    return service.request_transfer(uow, body, p.actor, idempotency_key, scope=f"{p.kind}:{p.id}")


@router.get("/stock/transfer-requests/{request_id}", response_model=TransferRequestOut)
def get_transfer_request(c: ContainerDep, p: PrincipalDep, request_id: Id) -> TransferRequestOut:
    return _transfer_for(c, p, request_id)


@router.post("/stock/transfer-requests/{request_id}/send", response_model=TransferRequestOut)
def send_transfer(uow: Uow, c: ContainerDep, p: PrincipalDep, request_id: Id,
                  body: TransferDecisionIn | None = None) -> TransferRequestOut:
    """The source sends the goods: its stock goes out once, however many press at the same time."""
    _transfer_for(c, p, request_id, "from")
    return service.send_transfer(uow, request_id, p.actor, body.note if body else "")


@router.post("/stock/transfer-requests/{request_id}/reject", response_model=TransferRequestOut)
def reject_transfer(uow: Uow, c: ContainerDep, p: PrincipalDep, request_id: Id,
                    body: TransferDecisionIn | None = None) -> TransferRequestOut:
    _transfer_for(c, p, request_id, "from")
    return service.reject_transfer(uow, request_id, p.actor, body.note if body else "")


@router.post("/stock/transfer-requests/{request_id}/receive", response_model=TransferRequestOut)
def receive_transfer(uow: Uow, c: ContainerDep, p: PrincipalDep, request_id: Id,
                     body: ReceiptIn | None = None) -> TransferRequestOut:
    """The requester counts what arrived (without a body: everything sent, in good order): good units go
    into its stock once, however many receive at the same time; a count other than what was sent makes it
    received_with_difference and opens a discrepancy for head office."""
    _transfer_for(c, p, request_id, "to")
    return transfers.receive(uow, request_id, body or ReceiptIn(), p.actor)


# stock on the way, receipt discrepancies, planned batches (o2o.inventory.transfers). Discrepancies are
# investigated and resolved, and batches planned, by head office: a store-bound caller gets 404 there.

def _head_office(p: Principal, what: str, ident: object) -> None:
    if p.store_id is not None:
        raise NotFound(what, ident)


@router.get("/stock/in-transit", response_model=list[TransitLine])
def in_transit(c: ContainerDep, p: PrincipalDep, location_id: Id | None = None,
               sku_id: Id | None = None) -> list[TransitLine]:
    """Units sent and not received (on no shelf), per source, destination and SKU; a store role sees what
    is on the way to or from its own store."""
    if p.store_id is not None:
        require_location(p, location_id or p.store_id)
        location_id = p.store_id
    lines = transfers.in_transit(c.db, sku_id=sku_id)
    return [x for x in lines if location_id is None or location_id in (x.from_location_id, x.to_location_id)]


@router.get("/stock/transfer-discrepancies", response_model=Page[DiscrepancyOut])
def list_discrepancies(c: ContainerDep, p: PrincipalDep, page: PageDep, location_id: Id | None = None,
                       status: Literal["open", "investigated", "resolved"] | None = None) -> Page[DiscrepancyOut]:
    """Oldest first. A store role sees those of its own receipts."""
    if p.store_id is not None:
        require_location(p, location_id or p.store_id)
        location_id = p.store_id
    return transfers.discrepancies(c.db, [status] if status else [], location_id, page)


@router.post("/stock/transfer-discrepancies/{discrepancy_id}/investigate", response_model=DiscrepancyOut)
def investigate_discrepancy(uow: Uow, p: PrincipalDep, discrepancy_id: Id, body: InvestigateIn) -> DiscrepancyOut:
    _head_office(p, "transfer discrepancy", discrepancy_id)
    return transfers.investigate(uow, discrepancy_id, body, p.actor)


@router.post("/stock/transfer-discrepancies/{discrepancy_id}/resolve", response_model=DiscrepancyOut)
def resolve_discrepancy(uow: Uow, p: PrincipalDep, discrepancy_id: Id, body: ResolveIn) -> DiscrepancyOut:
    """Once: written_off, found (the missing units go into the receiving store's stock) or charged_to_carrier."""
    _head_office(p, "transfer discrepancy", discrepancy_id)
    return transfers.resolve(uow, discrepancy_id, body, p.actor)


@router.post("/stock/transfer-batch-previews", response_model=Preview)
def preview_batch(c: ContainerDep, p: PrincipalDep, body: BatchIn) -> Preview:
    """Check a plan line by line without creating anything."""
    _head_office(p, "page", "transfer-batches")
    return transfers.preview(c.db, body.lines)


@router.post("/stock/transfer-batches", response_model=BatchOut, status_code=201)
def create_batch(uow: Uow, p: PrincipalDep, body: BatchIn) -> BatchOut:
    """Create every transfer request of the plan at once; the same `key` again returns the first batch
    (created: false) and creates nothing."""
    _head_office(p, "page", "transfer-batches")
    return transfers.create_batch(uow, body, p.actor)


@router.get("/stock/transfer-batches/{batch_id}", response_model=BatchProgress)
def batch_progress(c: ContainerDep, p: PrincipalDep, batch_id: Id) -> BatchProgress:
    """The batch and, per destination, its lines requested, sent, received (with a difference), rejected."""
    _head_office(p, "transfer batch", batch_id)
    return transfers.progress(c.db, batch_id)


@router.get("/stock/rebalance-suggestion", response_model=list[PlanLine])
def rebalance_suggestion(c: ContainerDep, p: PrincipalDep, sku_id: Id) -> list[PlanLine]:
    """Lines that bring the locations below their safety stock back to it from the warehouse and from stores
    with twice theirs (a plan to preview and create as a batch)."""
    _head_office(p, "page", "rebalance-suggestion")
    return transfers.suggest_rebalance(c.db, sku_id)
