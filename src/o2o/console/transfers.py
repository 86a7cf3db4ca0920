"""Transfers between locations, from this location's side.

Who may do what (the permission table enforces the action, these pages the location):
- request stock FROM another store or a warehouse TO this location: inventory:write (clerks, store
  managers, HQ) — asking moves nothing;
- send or reject a request made OF this location: inventory:transfer (its store manager, or HQ:
  operator, admin; clerks do not have it) — sending takes the stock out of this location
  (transfer_out), exactly once however many press "send" at the same time;
- receive a sent request at the location that asked: inventory:write — the clerk counts what arrived
  (good units, damaged units): the good units arrive (transfer_in); a count other than what was sent
  is reported to head office as a discrepancy (o2o.inventory.transfers). Between sending and receiving
  the goods are on the way and on neither shelf (the page says how many are on the way here).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from o2o.catalog import lookup
from o2o.console.common import (
    error_kind,
    int_or_none,
    name_of,
    page,
    page_number,
    pages,
    redirect,
    router,
    say,
    sku_names,
    store_in_scope,
)
from o2o.deps import Container, ContainerDep, PrincipalDep, Uow
from o2o.inventory import service as inventory
from o2o.inventory import transfers
from o2o.inventory.schemas import TransferRequestIn, TransferRequestOut
from o2o.inventory.transfer_schemas import MAX_UNITS, ReceiptIn
from o2o.kernel.auth import Principal
from o2o.kernel.errors import InvalidInput, NotFound, Problem
from o2o.kernel.ids import Id
from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations
from o2o.locations.schemas import LocationOut
from o2o.web.templating import locale_of

PAGE_SIZE = 10
MAX_QTY = 100_000


def _sources(c: Container, store: LocationOut, sku_id: int | None) -> list[tuple[LocationOut, int | None]]:
    """The locations to ask: with a SKU known, the warehouses and the locations that have some of it
    free, most first (every other location if none has); else every other location."""
    free = dict(inventory.where_available(c.db, sku_id, limit=500)) if sku_id else {}
    others = [loc for loc in locations.list_all(c.db) if loc.id != store.id]
    if free:
        others = [loc for loc in others if loc.id in free or loc.kind == "warehouse"]
    others.sort(key=lambda loc: (-free.get(loc.id, 0), loc.kind != "warehouse", loc.id))
    return [(loc, free.get(loc.id, 0) if sku_id else None) for loc in others]


def _page(request: Request, c: Container, p: Principal, store: LocationOut, *, form: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, status_code: int = 200,
          counts: dict[int, dict[str, str]] | None = None) -> HTMLResponse:
    locale = locale_of(request)
    form = {"sku": "", "from_location_id": "", "quantity": "", "note": "", **(form or {})}
    sku = None
    sku_id = int_or_none(request.query_params.get("sku"))
    if sku_id and not form["sku"]:
        sku = sku_names(c, request, [sku_id]).get(sku_id)
        form["sku"] = sku.code if sku else ""
    elif form["sku"]:
        sku = lookup.by_code(c.db, form["sku"], locale)
    asked_of = inventory.transfer_requests(c.db, store.id, "out", [],
                                           PageParams(page=page_number(request, "out_page"), size=PAGE_SIZE))
    asked_by = inventory.transfer_requests(c.db, store.id, "in", [],
                                           PageParams(page=page_number(request, "in_page"), size=PAGE_SIZE))
    shown = asked_of.items + asked_by.items
    names = {loc.id: name_of(loc, locale) for loc in locations.list_all(c.db)}
    context = {"form": form, "errors": errors or {}, "sku": sku,
               "sources": [(loc, name_of(loc, locale), free) for loc, free in _sources(c, store, sku.sku_id if sku
                                                                                       else None)],
               "asked_of": asked_of, "asked_by": asked_by, "out_pages": pages(asked_of.total, PAGE_SIZE),
               "in_pages": pages(asked_by.total, PAGE_SIZE),
               "skus": sku_names(c, request, {tr.sku_id for tr in shown}), "places": names,
               "transit": transfers.in_transit(c.db, to_location_id=store.id),
               "discrepancies": transfers.discrepancy_of(c.db, [tr.id for tr in asked_by.items]),
               "counts": counts or {}}
    return page(request, p, store, "console/transfers.html", context, section="transfers", status_code=status_code)


@router.get("/console/{location_id}/transfers", response_class=HTMLResponse)
def transfers_page(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> HTMLResponse:
    return _page(request, c, p, store_in_scope(c, p, location_id))


@router.post("/console/{location_id}/transfers", response_class=HTMLResponse)
def request_transfer(request: Request, c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id,
                     sku: str = Form(""), from_location_id: str = Form(""), quantity: str = Form(""),
                     note: str = Form("")) -> Response:
    """Ask another location for stock, to be delivered here."""
    store = store_in_scope(c, p, location_id)
    form = {"sku": sku.strip()[:40], "from_location_id": from_location_id[:12], "quantity": quantity[:12],
            "note": note[:200]}
    errors: dict[str, str] = {}
    found = lookup.by_code(c.db, sku, locale_of(request))
    if found is None:
        errors["sku"] = say(request, "transfers.bad.sku")
    source = int_or_none(from_location_id)
    if source is None or source == store.id:
        errors["from_location_id"] = say(request, "transfers.bad.from")
    qty = int_or_none(quantity.strip(), 1, MAX_QTY)
    if qty is None:
        errors["quantity"] = say(request, "transfers.bad.quantity")
    if len(note.strip()) > 200:
        errors["note"] = say(request, "transfers.bad.note")
    if not errors and found and source and qty:
        try:
            tr = inventory.request_transfer(uow, TransferRequestIn(from_location_id=source, to_location_id=store.id,
                                                                   sku_id=found.sku_id, quantity=qty,
                                                                   note=note.strip()), p.actor)
        except InvalidInput as exc:
            field = exc.extra["errors"][0]["field"]
            errors["sku" if field == "sku_id" else "from_location_id"] = say(
                request, "transfers.bad.sku" if field == "sku_id" else "transfers.bad.from")
        else:
            return redirect(f"/console/{store.id}/transfers", done="requested", ref=tr.id)
    return _page(request, c, p, store, form=form, errors=errors, status_code=422)


Step = Callable[[TransferRequestOut], TransferRequestOut]


def _decide(c: Container, p: Principal, location_id: int, request_id: int, side: str, done: str,
            step: Step) -> RedirectResponse:
    """A button on a request: only the source sends or rejects, only the asker receives; others get 404."""
    store_in_scope(c, p, location_id)
    tr = inventory.get_transfer(c.db, request_id)
    if (tr.from_location_id if side == "from" else tr.to_location_id) != location_id:
        raise NotFound("transfer request", request_id)
    try:
        step(tr)
    except Problem as exc:
        return redirect(f"/console/{location_id}/transfers", error=error_kind(exc), ref=request_id)
    return redirect(f"/console/{location_id}/transfers", done=done, ref=request_id)


def _with(uow: UnitOfWork, fn: Callable[..., TransferRequestOut], *args: object) -> Step:
    return lambda tr: fn(uow, tr.id, *args)


@router.post("/console/{location_id}/transfers/{request_id}/send")
def send_transfer(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, request_id: Id) -> RedirectResponse:
    return _decide(c, p, location_id, request_id, "from", "sent", _with(uow, inventory.send_transfer, p.actor))


@router.post("/console/{location_id}/transfers/{request_id}/reject")
def reject_transfer(c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, request_id: Id,
                    note: str = Form("")) -> RedirectResponse:
    return _decide(c, p, location_id, request_id, "from", "rejected",
                   _with(uow, inventory.reject_transfer, p.actor, note.strip()[:200]))


@router.post("/console/{location_id}/transfers/{request_id}/receive", response_class=HTMLResponse)
def receive_transfer(request: Request, c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id, request_id: Id,
                     received: str = Form(""), damaged: str = Form(""), note: str = Form("")) -> Response:
    """The count of what arrived: good units (empty: everything sent) and damaged ones. Only the asking
    location receives (others: 404); a count that is not whole numbers, or more than twice what was sent,
    comes back next to its row (422)."""
    store = store_in_scope(c, p, location_id)
    good = int_or_none(received, 0, MAX_UNITS) if received.strip() else None
    bad = int_or_none(damaged, 0, MAX_UNITS) if damaged.strip() else 0
    count = {"received": received.strip()[:12], "damaged": damaged.strip()[:12], "note": note.strip()[:200],
             "error": say(request, "trc.bad.count")}
    if (received.strip() and good is None) or bad is None or len(note.strip()) > 200:
        return _page(request, c, p, store, status_code=422, counts={request_id: count})
    try:
        transfers.receive(uow, request_id, ReceiptIn(received=good, damaged=bad, note=note.strip()), p.actor,
                          location_id=store.id)
    except InvalidInput:
        return _page(request, c, p, store, status_code=422, counts={request_id: count})
    except NotFound:
        raise
    except Problem as exc:
        return redirect(f"/console/{location_id}/transfers", error=error_kind(exc), ref=request_id)
    return redirect(f"/console/{location_id}/transfers", done="received", ref=request_id)
