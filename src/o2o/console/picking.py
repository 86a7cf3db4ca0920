"""One order's pick list: tick lines as they go in the basket, mark a line short, print it.

- Ticks are saved on the fulfilment's lines (`picked`), so another clerk opening the list sees the progress.
- A short pick ("found 1 of 3") moves the fulfilment to "short": it cannot be made ready, handed over or
  dispatched until a store manager (orders:write) records what the customer chose: accept the partial
  order (lines reduced, the difference refunded through order.refund_needed) or cancel (full refund).
  Before that the sourcing engine looks for another location for the missing units (orders.resource,
  through the outbox); the list then says where they went ("re-sourced to <store>"), and the new store's
  list where they came from.
- Reject: a store that cannot serve an order it has not started sends it elsewhere the same way.
- Printing: `?paper=a4` (pick list) or `?paper=receipt` (80 mm roll), each with its own print stylesheet
  (`@page` size), printed by the browser's own dialog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2o.catalog.lookup import SkuBrief
from o2o.console.common import (
    error_kind,
    int_or_none,
    name_of,
    page,
    redirect,
    router,
    sku_names,
    store_in_scope,
)
from o2o.console.resourcing_texts import TEXTS as RESOURCING_TEXTS
from o2o.deps import Container, ContainerDep, PrincipalDep, Uow
from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.schemas import FulfillmentOut
from o2o.kernel.auth import Principal
from o2o.kernel.errors import InvalidInput, NotFound, Problem
from o2o.kernel.ids import Id
from o2o.kernel.money import format_cny
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations
from o2o.locations.schemas import LocationOut
from o2o.orders import service as orders
from o2o.orders.schemas import OrderOut
from o2o.web.templating import Translator, locale_of

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


_FROM = re.compile(r"^re-sourced from location (\d+)$")  # the reason fulfillment.reallocate gives a new part
_TO = re.compile(r"^re-sourced to (.*)$")  # its history note on the part that gave units away: "12: sku 3 x2, ..."
_TO_ID = re.compile(r"(?:^|, )(\d+): sku")


def card_note(c: Container, request: Request, fo: FulfillmentOut, names: dict[int, str]) -> str:
    """A board card's line about re-sourcing, in the page's language: "re-sourced to <store>" (from the
    fulfilment's own history) or "re-sourced from <store>" (its reason); "" for the others. No query but
    the names of the stores it names (kept in `names`, shared by the cards of one page)."""
    went = [int(i) for h in fo.history if (m := _TO.match(h.note or "")) for i in _TO_ID.findall(m[1])]
    came = _FROM.match(fo.reason or "")
    if not went and not came:
        return ""
    locale = locale_of(request)

    def named(location_id: int) -> str:
        if location_id not in names:
            try:
                names[location_id] = name_of(locations.get(c.db, location_id), locale)
            except NotFound:
                names[location_id] = f"#{location_id}"
        return names[location_id]

    rs = Translator(locale, [RESOURCING_TEXTS])
    sep = "、" if locale.startswith("zh") else ", "
    if went:
        return rs("resourced.to", stores=sep.join(named(i) for i in dict.fromkeys(went)))
    return rs("resourced.from", store=named(int(came[1]))) if came else ""


def resourcing(c: Container, request: Request, fo: FulfillmentOut, order: OrderOut) -> dict[str, Any]:
    """Where the rest of this fulfilment went (the order's parts re-sourced from this store) and where this
    one came from, as store names in the page's language, with the re-sourcing texts (`rs`)."""
    locale = locale_of(request)

    def named(location_id: int) -> str:
        try:
            return name_of(locations.get(c.db, location_id), locale)
        except NotFound:
            return f"#{location_id}"

    went = [f.location_id for f in (fulfillment.get(c.db, fid) for fid in order.fulfillment_ids if fid != fo.id)
            if f.reason == f"re-sourced from location {fo.location_id}"]
    came = _FROM.match(fo.reason or "")
    sep = "、" if locale.startswith("zh") else ", "
    return {"rs": Translator(locale, [RESOURCING_TEXTS]),
            "resourced_to": sep.join(named(loc) for loc in dict.fromkeys(went)),
            "resourced_from": named(int(came[1])) if came else ""}


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
               "order_total": sum(ln.quantity * ln.unit_price_fen for ln in lines),
               **resourcing(c, request, fo, order)}
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


@router.post("/console/{location_id}/fulfillments/{fulfillment_id}/reject")
def reject(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, fulfillment_id: Id,
           reason: str = Form("")) -> RedirectResponse:
    """The store cannot serve an order it has not started: it is re-sourced to another store (the
    outbox's orders.resource), or waits as a short pick when none can."""
    why = reason.strip()[:200]

    def run() -> None:
        if not why:
            raise InvalidInput("reason", "say why the store cannot serve it")
        fulfillment.reject(uow, fulfillment_id, why, p.actor)
    return _act(c, p, uow, location_id, fulfillment_id, "rejected", run)


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
