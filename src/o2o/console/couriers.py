"""A store delivery's courier on the console (issue 13): raise the tip when no rider takes the order.
The card shows the courier's state and rider (o2o.couriers.view.badges, through queue.cards_of)."""

from __future__ import annotations

from fastapi.responses import RedirectResponse

from o2o.console.common import error_kind, redirect, router, store_in_scope
from o2o.couriers import service as couriers
from o2o.couriers.view import TIP_STEP_FEN
from o2o.deps import ContainerDep, PrincipalDep, Uow
from o2o.kernel.errors import NotFound, Problem
from o2o.kernel.ids import Id


@router.post("/console/{location_id}/couriers/{delivery_id}/tip")
def raise_tip(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, delivery_id: Id) -> RedirectResponse:
    """The tip goes up by a fixed step (the platform is told through the outbox); back to the board."""
    store_in_scope(c, p, location_id)
    delivery = couriers.get(c.db, delivery_id, full=False)
    if delivery.location_id != location_id:
        raise NotFound("courier delivery", delivery_id)
    path = f"/console/{location_id}"
    try:
        couriers.add_tip(uow, delivery_id, TIP_STEP_FEN, p.actor)
    except Problem as exc:
        return redirect(path, error=error_kind(exc), ref=delivery.order_number)
    return redirect(path, ref=delivery.order_number)
