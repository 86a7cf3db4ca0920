"""Courier API: the platforms' signed callbacks (public, authenticated by their signature), a delivery as
the store and head office see it, and raising the tip."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from o2o.couriers import service
from o2o.couriers.schemas import DeliveryOut, TipIn
from o2o.deps import ContainerDep, PrincipalDep, Uow
from o2o.kernel.auth import require_location
from o2o.kernel.errors import NotFound
from o2o.kernel.ids import Id

router = APIRouter(prefix="/api/v1", tags=["couriers"])

CALLBACK_FAILURES = {401: {"description": "not signed by the platform (forged, tampered, stale): nothing changed"},
                     404: {"description": "no such courier configured, or no delivery of this platform with this id"}}


@router.post("/couriers/{provider}/callback", responses=CALLBACK_FAILURES)
async def callback(c: ContainerDep, provider: str, request: Request) -> dict:
    """A courier platform's status callback (Dada-shaped JSON, signed with the platform's app secret).
    Duplicates and out-of-order callbacks are acknowledged and change nothing; a status never goes back."""
    courier = c.couriers.get(provider[:40])
    if courier is None:
        raise NotFound("courier", provider[:40])
    body = await request.body()
    return await run_in_threadpool(service.handle_callback, c.uow(), courier, body, dict(request.headers))


def _scoped(c: ContainerDep, p: PrincipalDep, delivery_id: int) -> DeliveryOut:
    d = service.get(c.db, delivery_id)
    require_location(p, d.location_id, "courier delivery")
    return d


@router.get("/couriers/deliveries/{delivery_id}", response_model=DeliveryOut)
def get_delivery(c: ContainerDep, p: PrincipalDep, delivery_id: Id) -> DeliveryOut:
    """A delivery with its attempts and history; the rider's phone masked."""
    return _scoped(c, p, delivery_id)


@router.post("/couriers/deliveries/{delivery_id}/tip", response_model=DeliveryOut)
def add_tip(uow: Uow, c: ContainerDep, p: PrincipalDep, delivery_id: Id, body: TipIn) -> DeliveryOut:
    """The store raises the tip while no rider has taken the delivery (409 after); the platform is told
    through the outbox."""
    _scoped(c, p, delivery_id)
    return service.add_tip(uow, delivery_id, body.amount_fen, p.actor)
