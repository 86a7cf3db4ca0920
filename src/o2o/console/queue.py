"""The store's queue of online orders: new -> picking -> ready -> handed over (today), with pick lists.

Clerks and store managers (fulfillment:write) start picking and mark orders ready (the customer gets
an SMS with the pickup code, through the fulfilment's event); store managers and HQ (fulfillment:ship)
dispatch delivery orders; store managers (fulfillment:reissue) re-issue a locked pickup code. The
pickup code itself never reaches a staff page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from o2o.catalog.lookup import SkuBrief
from o2o.console.common import (
    error_kind,
    name_of,
    page,
    page_number,
    pages,
    redirect,
    router,
    sku_names,
    store_in_scope,
    zone_of,
)
from o2o.console.picking import card_note
from o2o.console.sla_board import at_risk_of
from o2o.console.texts import TEXTS
from o2o.couriers import view as courier_view
from o2o.deps import Container, ContainerDep, PrincipalDep, Uow
from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.schemas import FulfillmentOut
from o2o.kernel.auth import Principal
from o2o.kernel.errors import NotFound, Problem
from o2o.kernel.ids import Id
from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations
from o2o.locations.schemas import LocationOut
from o2o.orders import service as orders
from o2o.orders.schemas import OrderOut
from o2o.web.templating import locale_of, render

LANES = ("short", "new", "picking", "ready", "done")  # short picks first: they need someone to act
LANE_SIZE = 20
STORES_PER_PAGE = 30
# the customer's pickup slot is shown once the order's public shape carries it (the order stores it)
HAS_SLOT = "pickup_slot" in OrderOut.model_fields


@dataclass
class Line:
    sku_id: int
    quantity: int
    sku: SkuBrief | None


@dataclass
class Card:
    """What a staff page shows of a fulfilment: never its pickup code."""

    id: int
    number: str
    mode: str
    status: str
    paid_at: datetime
    ready_at: datetime | None
    closed_at: datetime | None
    slot: str | None = None
    attempts: int = 0
    lines: list[Line] = field(default_factory=list)
    picked: int = 0
    courier: courier_view.Badge | None = None  # a store delivery's courier (issue 13)
    resourced: str = ""  # "re-sourced to <store>" / "re-sourced from <store>" (issue 13)

    @property
    def items(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def locked(self) -> bool:
        return self.attempts >= fulfillment.MAX_CODE_ATTEMPTS


@dataclass
class Lane:
    key: str
    cards: list[Card]
    total: int
    page: int
    pages: int


def cards_of(c: Container, request: Request, fos: list[FulfillmentOut], attempts: dict[int, int],
             with_slot: bool = True) -> list[Card]:
    names = sku_names(c, request, {ln.sku_id for fo in fos for ln in fo.lines})
    with_slot = with_slot and HAS_SLOT
    couriers = courier_view.badges(c.db, [fo.id for fo in fos if fo.mode == "store_delivery"], locale_of(request))
    out: list[Card] = []
    stores: dict[int, str] = {}  # names of the stores the cards' re-sourcing notes name
    for fo in fos:
        slot = getattr(orders.get(c.db, fo.order_number), "pickup_slot", None) if with_slot else None
        out.append(Card(id=fo.id, number=fo.order_number, mode=fo.mode, status=fo.status, paid_at=fo.created_at,
                        ready_at=fo.ready_at, closed_at=fo.closed_at, slot=slot, attempts=attempts.get(fo.id, 0),
                        lines=[Line(ln.sku_id, ln.quantity, names.get(ln.sku_id)) for ln in fo.lines],
                        picked=sum(ln.picked for ln in fo.lines), courier=couriers.get(fo.id),
                        resourced=card_note(c, request, fo, stores)))
    return out


def _start_of_today(c: Container, store: LocationOut) -> datetime:
    zone = zone_of(store)
    return datetime.combine(c.clock.now().astimezone(zone).date(), time(0), tzinfo=zone)


def lanes(c: Container, request: Request, store: LocationOut) -> list[Lane]:
    attempts = fulfillment.failed_attempts(c.db, store.id)
    out = []
    for key in LANES:
        if key == "short" and not fulfillment.short_open(c.db, store.id):
            continue  # the lane shows only when a short pick waits
        params = PageParams(page=page_number(request, f"{key}_page"), size=LANE_SIZE)
        if key == "done":
            found = fulfillment.closed_since(c.db, store.id, _start_of_today(c, store), params)
        else:
            found = fulfillment.queue(c.db, store.id, key, params)
        out.append(Lane(key, cards_of(c, request, found.items, attempts, with_slot=key != "done"), found.total,
                        found.page, pages(found.total, LANE_SIZE)))
    return out


@router.get("/console", response_class=HTMLResponse)
def console_home(request: Request, c: ContainerDep, p: PrincipalDep) -> Response:
    """A store role goes straight to its store; HQ picks a location."""
    if p.store_id is not None:
        return RedirectResponse(f"/console/{p.store_id}", status_code=303)
    locale = locale_of(request)
    q = (request.query_params.get("q") or "").strip()[:60]
    found = [loc for loc in locations.list_all(c.db)
             if not q or any(q.lower() in text.lower() for text in (loc.name_zh, loc.name_en, loc.code, loc.district))]
    number = page_number(request)
    shown = found[(number - 1) * STORES_PER_PAGE:number * STORES_PER_PAGE]
    context = {"q": q, "found": shown, "total": len(found), "page_no": number,
               "pages": pages(len(found), STORES_PER_PAGE), "name_of": lambda loc: name_of(loc, locale)}
    response = render(request, "console/index.html", context, texts=[TEXTS], locale=locale)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/console/{location_id}", response_class=HTMLResponse)
def queue_page(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> HTMLResponse:
    store = store_in_scope(c, p, location_id)
    found = lanes(c, request, store)
    latest, _ = fulfillment.board_state(c.db, store.id)
    return page(request, p, store, "console/queue.html", {"lanes": found, "latest": latest,
                                                          "at_risk": at_risk_of(c, store)}, section="queue")


@router.get("/console/{location_id}/board", response_class=HTMLResponse)
def queue_board(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> HTMLResponse:
    """Just the board, for the page's auto-refresh."""
    store = store_in_scope(c, p, location_id)
    latest, _ = fulfillment.board_state(c.db, store.id)
    return page(request, p, store, "console/_board.html", {"lanes": lanes(c, request, store), "latest": latest,
                                                           "at_risk": at_risk_of(c, store)},
                section="queue", path=f"/console/{store.id}")


Step = Callable[[UnitOfWork, int, str], FulfillmentOut]
BACK = {"queue": "", "handover": "/handover"}


def act(c: Container, p: Principal, uow: UnitOfWork, location_id: int, fulfillment_id: int, step: Step,
        done: str, back: str) -> RedirectResponse:
    """One button on a card: in scope, this location's fulfilment, then back to the page with a message."""
    store_in_scope(c, p, location_id)
    fo = fulfillment.get(c.db, fulfillment_id)
    if fo.location_id != location_id:
        raise NotFound("fulfillment", fulfillment_id)
    path = f"/console/{location_id}{BACK.get(back, '')}"
    try:
        step(uow, fulfillment_id, p.actor)
    except Problem as exc:
        return redirect(path, error=error_kind(exc), ref=fo.order_number)
    return redirect(path, done=done, ref=fo.order_number)


@router.post("/console/{location_id}/fulfillments/{fulfillment_id}/picking")
def start_picking(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, fulfillment_id: Id,
                  back: str = Form("queue")) -> RedirectResponse:
    return act(c, p, uow, location_id, fulfillment_id, fulfillment.start_picking, "picking", back)


@router.post("/console/{location_id}/fulfillments/{fulfillment_id}/ready")
def mark_ready(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, fulfillment_id: Id,
               back: str = Form("queue")) -> RedirectResponse:
    """A pickup's customer is sent the code by SMS (fulfillment.pickup_ready, through the outbox)."""
    return act(c, p, uow, location_id, fulfillment_id, fulfillment.mark_ready, "ready", back)


@router.post("/console/{location_id}/fulfillments/{fulfillment_id}/ship")
def ship(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, fulfillment_id: Id,
         back: str = Form("queue")) -> RedirectResponse:
    return act(c, p, uow, location_id, fulfillment_id, fulfillment.ship, "shipped", back)


@router.post("/console/{location_id}/fulfillments/{fulfillment_id}/reissue-code")
def reissue_code(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, fulfillment_id: Id,
                 back: str = Form("queue")) -> RedirectResponse:
    """Store managers: a new code for the customer (after 5 wrong ones locked the handover, or a lost SMS)."""
    return act(c, p, uow, location_id, fulfillment_id, fulfillment.reissue_code, "reissued", back)
