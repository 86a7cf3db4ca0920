"""Fulfilment API: the store flow."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from o2o.deps import ContainerDep, PageDep
from o2o.fulfillment import service
from o2o.fulfillment.schemas import ActorIn, FulfillmentOut, HandoverIn
from o2o.kernel.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["fulfillment"])
Status = Literal["new", "picking", "ready", "handed_over", "shipped", "delivered", "cancelled"]


@router.get("/fulfillments", response_model=Page[FulfillmentOut])
def queue(c: ContainerDep, page: PageDep, location_id: Annotated[int, Query(gt=0)],
          status: Status | None = None) -> Page[FulfillmentOut]:
    """A location's queue: open fulfilments (new, picking, ready) unless a status is given."""
    return service.queue(c.db, location_id, status, page)


@router.get("/fulfillments/{fulfillment_id}", response_model=FulfillmentOut)
def get_fulfillment(c: ContainerDep, fulfillment_id: int) -> FulfillmentOut:
    return service.get(c.db, fulfillment_id)


@router.post("/fulfillments/{fulfillment_id}/picking", response_model=FulfillmentOut)
def start_picking(c: ContainerDep, fulfillment_id: int, body: ActorIn | None = None) -> FulfillmentOut:
    return service.start_picking(c.uow(), fulfillment_id, (body or ActorIn()).actor)


@router.post("/fulfillments/{fulfillment_id}/ready", response_model=FulfillmentOut)
def mark_ready(c: ContainerDep, fulfillment_id: int, body: ActorIn | None = None) -> FulfillmentOut:
    return service.mark_ready(c.uow(), fulfillment_id, (body or ActorIn()).actor)


@router.post("/fulfillments/{fulfillment_id}/handover", response_model=FulfillmentOut)
def hand_over(c: ContainerDep, fulfillment_id: int, body: HandoverIn) -> FulfillmentOut:
    """Verify the customer's pickup code; stock leaves the store exactly once."""
    return service.hand_over(c.uow(), fulfillment_id, body.code, "store")


@router.post("/fulfillments/{fulfillment_id}/ship", response_model=FulfillmentOut)
def ship(c: ContainerDep, fulfillment_id: int, body: ActorIn | None = None) -> FulfillmentOut:
    return service.ship(c.uow(), fulfillment_id, (body or ActorIn()).actor)


@router.post("/fulfillments/{fulfillment_id}/delivered", response_model=FulfillmentOut)
def confirm_delivery(c: ContainerDep, fulfillment_id: int, body: ActorIn | None = None) -> FulfillmentOut:
    """A courier or carrier confirms delivery of shipped goods; the order completes."""
    return service.confirm_delivery(c.uow(), fulfillment_id, (body or ActorIn(actor="courier")).actor)


@router.get("/fulfillments/{fulfillment_id}/qr.svg", response_class=Response)
def pickup_qr(c: ContainerDep, fulfillment_id: int) -> Response:
    return Response(service.qr_svg(c.db, fulfillment_id), media_type="image/svg+xml")
