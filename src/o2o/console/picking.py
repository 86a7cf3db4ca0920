"""One order's pick list: tick lines as they go in the basket, mark a line short, print it.

- Ticks are saved on the fulfilment's lines (`picked`), so another clerk opening the list sees the progress.
- A short pick ("found 1 of 3") moves the fulfilment to "short": it cannot be made ready, handed over or
  dispatched until a store manager (orders:write) records what the customer chose: accept the partial
  order (lines reduced, the difference refunded through order.refund_needed) or cancel (full refund).
  Re-sourcing from another location is the fulfilment engine's, not done here yet.
- Printing: `?paper=a4` (pick list) or `?paper=receipt` (80 mm roll), each with its own print stylesheet
  (`@page` size), printed by the browser's own dialog.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2o.catalog.lookup import SkuBrief
from o2o.console.common import error_kind, int_or_none, page, redirect, router, sku_names, store_in_scope
from o2o.deps import Container, ContainerDep, PrincipalDep, Uow
from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.schemas import FulfillmentOut
from o2o.kernel.auth import Principal
from o2o.kernel.errors import NotFound, Problem
from o2o.kernel.ids import Id
from o2o.kernel.money import format_cny
from o2o.kernel.uow import UnitOfWork
from o2o.locations.schemas import LocationOut
from o2o.orders import service as orders

PAPERS = ("a4", "receipt")


@dataclass
class PickLine:
    sku_id: int
    quantity: int
    picked: int
    missing: int
    sku: SkuBrief | None
    unit_price_fen: int = 0

    @property
    def done(self) -> bool:
        return self.picked == self.quantity and not self.missing


def _fulfilment(c: Container, p: Principal, location_id: int, fulfillment_id: int) -> tuple[LocationOut,
                                                                                           FulfillmentOut]:
    """The store in scope and its fulfilment: another location's fulfilment is 404, like a missing one."""
    store = store_in_scope(c, p, location_id)
    fo = fulfillment.get(c.db, fulfillment_id)
    if fo.location_id != store.id:
        raise NotFound("fulfillment", fulfillment_id)
    return store, fo


def refund_of(fo: FulfillmentOut, prices: dict[int, int]) -> int:
    """What accepting the partial order gives back: the missing units at the price paid."""
    return sum(ln.missing * prices.get(ln.sku_id, 0) for ln in fo.lines)


@router.get("/console/{location_id}/fulfillments/{fulfillment_id}", response_class=HTMLResponse)
def pick_list(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, fulfillment_id: Id) -> HTMLResponse:
    store, fo = _fulfilment(c, p, location_id, fulfillment_id)
    order = orders.get(c.db, fo.order_number)
    prices: dict[int, int] = {}
    for ln in order.lines:
        prices.setdefault(ln.sku_id, ln.unit_price_fen)
    names = sku_names(c, request, {ln.sku_id for ln in fo.lines})
    lines = [PickLine(ln.sku_id, ln.quantity, ln.picked, ln.missing, names.get(ln.sku_id), prices.get(ln.sku_id, 0))
             for ln in fo.lines]
    paper = request.query_params.get("paper")
    context = {"fo": fo, "order": order, "lines": lines, "paper": paper if paper in PAPERS else "a4",
               "picked": sum(ln.picked for ln in lines), "total": sum(ln.quantity for ln in lines),
               "refund": refund_of(fo, prices), "cny": format_cny,
               "order_total": sum(ln.quantity * ln.unit_price_fen for ln in lines)}
    return page(request, p, store, "console/pick.html", context, section="queue")


def _act(c: Container, p: Principal, uow: UnitOfWork, location_id: int, fulfillment_id: int, done: str,
         run: object) -> RedirectResponse:
    _, fo = _fulfilment(c, p, location_id, fulfillment_id)
    path = f"/console/{location_id}/fulfillments/{fulfillment_id}"
    try:
        run()  # type: ignore[operator]
    except Problem as exc:
        return redirect(path, error=error_kind(exc), ref=fo.order_number)
    return redirect(path, done=done, ref=fo.order_number)


@router.post("/console/{location_id}/fulfillments/{fulfillment_id}/lines/{sku_id}/tick")
def tick_line(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, fulfillment_id: Id, sku_id: Id,
              picked: str = Form("1")) -> RedirectResponse:
    return _act(c, p, uow, location_id, fulfillment_id, "ticked",
                lambda: fulfillment.tick(uow, fulfillment_id, sku_id, picked != "0", p.actor))


@router.post("/console/{location_id}/fulfillments/{fulfillment_id}/lines/{sku_id}/short")
def short_line(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, fulfillment_id: Id, sku_id: Id,
               found: str = Form("")) -> RedirectResponse:
    count = int_or_none(found, 0, 1_000_000)

    def run() -> None:
        fulfillment.short_pick(uow, fulfillment_id, sku_id, -1 if count is None else count, p.actor)
    return _act(c, p, uow, location_id, fulfillment_id, "short", run)


@router.post("/console/{location_id}/fulfillments/{fulfillment_id}/accept-partial")
def accept_partial(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id,
                   fulfillment_id: Id) -> RedirectResponse:
    """Store managers: the customer takes what was found; the difference is refunded."""
    _, fo = _fulfilment(c, p, location_id, fulfillment_id)
    return _act(c, p, uow, location_id, fulfillment_id, "accepted",
                lambda: orders.accept_partial(uow, fo.order_number, p.actor))


@router.post("/console/{location_id}/fulfillments/{fulfillment_id}/cancel-short")
def cancel_short(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, fulfillment_id: Id) -> RedirectResponse:
    """Store managers: the customer does not want a partial order: cancel it (a full refund)."""
    _, fo = _fulfilment(c, p, location_id, fulfillment_id)
    return _act(c, p, uow, location_id, fulfillment_id, "cancelled",
                lambda: orders.cancel_short(uow, fo.order_number, p.actor))
