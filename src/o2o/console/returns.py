"""The returns desk (退货台): find a return by its number, an order by its number, or scan either; take a
return at the desk for an order the customer brings back (sold at any store, online or at a till); receive
a return and inspect each line (resellable -> this store's stock, damaged -> written off); refund what this
store received. Courier pickups: the desk of the store the goods go to (the store chosen, else the one that
sold them) sets their progress until the courier integration reports it (another store's: 404).

A clerk of any store finds any return or order here (goods come back to any store); refunding is for the
store that received the goods only (another store's return answers 404 there).
"""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.console.common import page, redirect, router, store_in_scope
from o2o.console.returns_texts import TEXTS
from o2o.couriers import view as courier_view
from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from o2o.kernel.ids import Id
from o2o.kernel.money import format_cny
from o2o.locations import service as locations
from o2o.returns import service as returns
from o2o.returns.schemas import InspectLineIn, ReturnIn
from o2o.web.templating import locale_of

REASONS = ("damaged", "wrong_item", "not_as_described", "quality", "changed_mind", "other")
OPEN = ("requested", "approved", "received")
QR_PREFIXES = ("O2O-RETURN:", "O2O-ORDER:")


def _int(raw: str, high: int = 10_000) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 19 and int(raw) <= high else None


def _key(request: Request, name: str, prefix: str = "") -> str:
    """A message key named in the query, only if it is one of the desk's texts."""
    key = prefix + request.query_params.get(name, "")[:40]
    return key if key in TEXTS["en"] else ""


def _store_names(c: ContainerDep, locale: str) -> dict[int, str]:
    return {s.id: (s.name_zh if locale.startswith("zh") else s.name_en) for s in locations.list_all(c.db)}


def _text_of(raw: str) -> str:
    raw = raw.strip()
    for prefix in QR_PREFIXES:
        if raw.startswith(prefix):
            raw = raw[len(prefix):]
    return raw.upper()[:24]


@router.get("/console/{location_id}/returns", response_class=HTMLResponse)
def desk(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> Response:
    store = store_in_scope(c, p, location_id)
    q = _text_of(request.query_params.get("q", ""))
    order_lines, order_returns, missing = None, [], False
    if q:
        total, found = returns.find(c.db, text=q, now=c.clock.now())
        exact = [r for r in found if r.number == q]
        if exact:
            return redirect(f"/console/{store.id}/returns/{exact[0].id}")
        try:
            order_lines = returns.returnable(c.db, q)
            order_returns = found
        except NotFound:
            missing = True
    _, waiting = returns.find(c.db, statuses=OPEN, location_id=store.id, limit=50, now=c.clock.now())
    ctx = {"q": q, "order_lines": order_lines, "order_returns": order_returns, "missing": missing,
           **courier_view.for_returns(c.db, [r.id for r in waiting if r.method == "courier"], locale_of(request)),
           "waiting": waiting, "reasons": REASONS, "money": format_cny, "error_key": _key(request, "e"),
           "target": returns.target_hours()}
    return page(request, p, store, "console/returns.html", ctx, section="returns",
                status_code=404 if missing else 200)


@router.post("/console/{location_id}/returns")
def take_at_desk(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, order: str = Form(""),
                 line: list[str] = Form([]), qty: list[str] = Form([]), reason_code: str = Form(""),
                 reason: str = Form(""), refund_to: str = Form("original"), scan: str = Form("")) -> Response:
    store = store_in_scope(c, p, location_id)
    if scan:  # the camera read a return's QR (the customer's order page shows it): find it
        return redirect(f"/console/{store.id}/returns", q=_text_of(scan))
    order = _text_of(order)
    wanted: dict[int, int] = {}
    for raw_line, raw_qty in zip(line[:100], qty[:100], strict=False):
        line_id, n = _int(raw_line, 2**62), _int(raw_qty or "0")
        if line_id is None or n is None:
            return redirect(f"/console/{store.id}/returns", q=order, e="rd.err.qty")
        if n:
            wanted[line_id] = wanted.get(line_id, 0) + n
    try:
        body = ReturnIn(order_number=order, reason_code=reason_code, reason=reason.strip()[:200],  # type: ignore[arg-type]
                        method="store", location_id=store.id,
                        refund_to=refund_to if refund_to in ("original", "store_credit") else "original",  # type: ignore[arg-type]
                        lines=[{"order_line_id": k, "quantity": q} for k, q in wanted.items()])
        made = returns.request(c.uow(), body, p.actor)
    except returns.ReturnTooLarge:
        return redirect(f"/console/{store.id}/returns", q=order, e="rd.err.taken")
    except returns.NotReturnable:
        return redirect(f"/console/{store.id}/returns", q=order, e="rd.err.not_returnable")
    except returns.NeedsMember:
        return redirect(f"/console/{store.id}/returns", q=order, e="rd.err.credit")
    except (ValueError, NotFound, InvalidInput):
        return redirect(f"/console/{store.id}/returns", q=order, e="rd.err.input")
    return redirect(f"/console/{store.id}/returns/{made.id}", done="requested", ref=made.number)


@router.get("/console/{location_id}/returns/{return_id}", response_class=HTMLResponse)
def return_page(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, return_id: Id) -> Response:
    store = store_in_scope(c, p, location_id)
    r = returns.get_by_id(c.db, return_id, c.clock.now())
    ctx = {"r": r, "money": format_cny, "stores": _store_names(c, locale_of(request)),
           **courier_view.for_returns(c.db, [r.id] if r.method == "courier" else [], locale_of(request)),
           "done_key": request.query_params.get("done", ""), "error_key": _key(request, "e"),
           "target": returns.target_hours(), "ours": r.location_id == store.id,
           "pickup_ours": p.store_id is None or r.goes_to == p.store_id}
    return page(request, p, store, "console/return.html", ctx, section="returns")


@router.post("/console/{location_id}/returns/{return_id}/receive")
async def receive(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, return_id: Id) -> Response:
    from starlette.concurrency import run_in_threadpool

    store = store_in_scope(c, p, location_id)
    form = await request.form()
    here = f"/console/{store.id}/returns/{return_id}"

    def run() -> Response:
        r = returns.get_by_id(c.db, return_id)
        inspected = []
        for ln in r.lines:
            good, bad = _int(str(form.get(f"good_{ln.id}", "0"))), _int(str(form.get(f"bad_{ln.id}", "0")))
            if good is None or bad is None:
                return redirect(here, e="rd.err.qty")
            inspected.append(InspectLineIn(line_id=ln.id, resellable=good, damaged=bad))
        try:
            returns.receive(c.uow(), return_id, store.id, inspected, p.actor)
        except IllegalTransition:
            return redirect(here, e="rd.err.state")
        except (returns.BadCount, NotFound, InvalidInput, ValueError):
            return redirect(here, e="rd.err.qty")
        return redirect(here, done="received", ref=r.number)

    return await run_in_threadpool(run)


@router.post("/console/{location_id}/returns/{return_id}/refund")
def refund(c: ContainerDep, p: PrincipalDep, location_id: Id, return_id: Id) -> Response:
    store = store_in_scope(c, p, location_id)
    here = f"/console/{store.id}/returns/{return_id}"
    try:
        r = returns.refund(c.uow(), return_id, p.actor, location_id=store.id)
    except IllegalTransition:
        return redirect(here, e="rd.err.state")
    except (Conflict, InvalidInput):
        return redirect(here, e="rd.err.state")
    return redirect(here, done="refunded", ref=r.number)


@router.post("/console/{location_id}/returns/{return_id}/pickup")
def pickup(c: ContainerDep, p: PrincipalDep, location_id: Id, return_id: Id, status: str = Form("")) -> Response:
    store = store_in_scope(c, p, location_id)
    here = f"/console/{store.id}/returns/{return_id}"
    if status not in ("requested", "scheduled", "picked_up"):
        return redirect(here, e="rd.err.input")
    if p.store_id is not None and returns.get_by_id(c.db, return_id).goes_to != p.store_id:
        raise NotFound("return", return_id)  # another store's pickup: as unknown as in the API
    try:
        returns.set_pickup(c.uow(), return_id, status, p.actor)
    except IllegalTransition:
        return redirect(here, e="rd.err.state")
    return redirect(here, done="pickup")
