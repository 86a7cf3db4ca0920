"""Returns API: customers ask for their own orders; store staff find any return (a return may come back to
any store), receive and inspect it at their store, and refund what their store received; head office
(and a store's manager, for their store's returns) approves or refuses requests; head office reads the time
to refund per store."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from o2o.deps import ContainerDep, IdempotencyKey, PrincipalDep, Uow
from o2o.kernel.auth import Principal, require_owner
from o2o.kernel.errors import NotFound
from o2o.kernel.ids import Id
from o2o.returns import service
from o2o.returns.models import STATUSES
from o2o.returns.schemas import (
    DecisionIn,
    PickupIn,
    ReceiveIn,
    RefuseIn,
    ReturnableLineOut,
    ReturnIn,
    ReturnOut,
    StoreTimeOut,
)

router = APIRouter(prefix="/api/v1", tags=["returns"])


def _readable(c: ContainerDep, p: Principal, return_id: int) -> ReturnOut:
    """A customer reaches only their own returns (others' look unknown); staff reach any (returns come
    back to any store, found by their number)."""
    r = service.get_by_id(c.db, return_id, c.clock.now())
    require_owner(p, r.customer_id, "return", return_id)
    return r


def _decides(c: ContainerDep, p: Principal, return_id: int) -> None:
    """Head office decides on any return; a store's manager only on those sold at, meant for or received at
    their store (another's looks unknown)."""
    if p.store_id is not None:
        r = service.get_by_id(c.db, return_id)
        if p.store_id not in (r.sold_location_id, r.preferred_location_id, r.location_id):
            raise NotFound("return", return_id)


def _collects(c: ContainerDep, p: Principal, return_id: int) -> None:
    """A courier pickup's progress is the business of the store the goods go to (`ReturnOut.goes_to`): its
    staff, or head office; another store's staff find the return unknown."""
    if p.store_id is not None and service.get_by_id(c.db, return_id).goes_to != p.store_id:
        raise NotFound("return", return_id)


@router.post("/returns", response_model=ReturnOut, status_code=201,
             responses={409: {"description": "more units than bought minus those already returned "
                                             "(return-exceeds-bought), the order not received yet "
                                             "(not-returnable), store credit for an order without a member"}})
def create_return(uow: Uow, c: ContainerDep, p: PrincipalDep, body: ReturnIn,
                  idempotency_key: IdempotencyKey = None) -> ReturnOut:
    """A return request: a customer for their own order (another's is 404), or staff at a store's desk. A
    retry with the same Idempotency-Key answers the first return."""
    customer_id = p.id if p.is_customer else None
    return service.request(uow, body, p.actor, customer_id=customer_id, idempotency_key=idempotency_key)


@router.get("/returns", response_model=list[ReturnOut])
def list_returns(c: ContainerDep, p: PrincipalDep,
                 status: Annotated[list[str] | None, Query(max_length=6)] = None,
                 q: Annotated[str, Query(max_length=24, description="a return or order number")] = "",
                 page: Annotated[int, Query(ge=1, le=10_000)] = 1,
                 size: Annotated[int, Query(ge=1, le=200)] = 50) -> list[ReturnOut]:
    """A customer's own returns; a store's staff those received at or meant for their store, or any one found
    by its number; head office all."""
    statuses = [s for s in (status or []) if s in STATUSES]
    customer_id = p.id if p.is_customer else None
    location_id = p.store_id if (not p.is_customer and p.store_id is not None and not q) else None
    _, items = service.find(c.db, statuses=statuses, location_id=location_id, text=q, customer_id=customer_id,
                            limit=size, offset=(page - 1) * size, now=c.clock.now())
    return items


@router.get("/returns/returnable", response_model=list[ReturnableLineOut],
            responses={404: {"description": "no such order (or another customer's)"}})
def returnable(c: ContainerDep, p: PrincipalDep,
               order: Annotated[str, Query(min_length=1, max_length=24)]) -> list[ReturnableLineOut]:
    """The order's lines with the units that can still be returned."""
    return service.returnable(c.db, order, p.id if p.is_customer else None)


@router.get("/returns/times", response_model=list[StoreTimeOut])
def refund_times(c: ContainerDep, days: Annotated[int, Query(ge=1, le=366)] = 90) -> list[StoreTimeOut]:
    """Time from request to refund per receiving store (location 0: not at a store yet), against the
    target (O2O_RETURN_REFUND_TARGET_HOURS)."""
    return service.time_to_refund(c.db, c.clock.now(), days)


@router.get("/returns/{return_id}", response_model=ReturnOut)
def get_return(c: ContainerDep, p: PrincipalDep, return_id: Id) -> ReturnOut:
    return _readable(c, p, return_id)


@router.get("/returns/{return_id}/photos/{photo_id}", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}})
def get_photo(c: ContainerDep, p: PrincipalDep, return_id: Id, photo_id: Id) -> Response:
    _readable(c, p, return_id)
    kind, data = service.photo(c.db, return_id, photo_id)
    return Response(data, media_type=kind, headers={"Cache-Control": "private, no-store",
                                                    "X-Content-Type-Options": "nosniff"})


@router.post("/returns/{return_id}/cancel", response_model=ReturnOut)
def cancel_return(uow: Uow, p: PrincipalDep, return_id: Id) -> ReturnOut:
    """The customer withdraws their request while it is not received."""
    return service.cancel_by_customer(uow, return_id, p.id)


@router.post("/returns/{return_id}/approve", response_model=ReturnOut)
def approve_return(uow: Uow, c: ContainerDep, p: PrincipalDep, return_id: Id, body: DecisionIn) -> ReturnOut:
    _decides(c, p, return_id)
    return service.approve(uow, return_id, p.actor, body.note)


@router.post("/returns/{return_id}/refuse", response_model=ReturnOut)
def refuse_return(uow: Uow, c: ContainerDep, p: PrincipalDep, return_id: Id, body: RefuseIn) -> ReturnOut:
    """Refused with a reason (`note`, required); its units can be returned again."""
    _decides(c, p, return_id)
    return service.refuse(uow, return_id, p.actor, body.note)


@router.post("/returns/{return_id}/pickup", response_model=ReturnOut,
             responses={404: {"description": "no such return, or one going to another store"}})
def set_pickup(uow: Uow, c: ContainerDep, p: PrincipalDep, return_id: Id, body: PickupIn) -> ReturnOut:
    """A courier pickup's progress (until the courier integration reports it), set by the staff of the store
    the goods go to (the store chosen, else the one that sold them) or head office."""
    _collects(c, p, return_id)
    return service.set_pickup(uow, return_id, body.status, p.actor)


@router.post("/returns/{return_id}/receive", response_model=ReturnOut)
def receive_return(uow: Uow, p: PrincipalDep, return_id: Id, body: ReceiveIn,
                   location_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None) -> ReturnOut:
    """The goods arrive at the caller's store (head office names the store: `location_id`): each line
    inspected; resellable units go into that store's stock, damaged ones are written off."""
    store = p.store_id if p.store_id is not None else location_id
    if store is None:  # head office names the store
        raise NotFound("location", "")
    if location_id is not None and location_id != store:
        raise NotFound("location", location_id)
    return service.receive(uow, return_id, store, body.lines, p.actor)


@router.post("/returns/{return_id}/refund", response_model=ReturnOut)
def refund_return(uow: Uow, p: PrincipalDep, return_id: Id) -> ReturnOut:
    """Refund a received return to the original tenders or the store credit; a store refunds only what it
    received (another store's return is 404)."""
    return service.refund(uow, return_id, p.actor, location_id=p.store_id)
