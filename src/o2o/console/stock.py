"""Stock at this location: look up by product name, SKU code or barcode (on hand, reserved, safety
stock, available), and record a receipt, a return or a signed adjustment with a required reason
(inventory:write: clerks, store managers, HQ). Every movement is a ledger row."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.catalog import lookup
from o2o.console.common import (
    int_or_none,
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
from o2o.inventory.exceptions import BelowReserved
from o2o.inventory.schemas import CountIn, MovementIn, StockOut
from o2o.kernel.auth import Principal
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.kernel.ids import Id
from o2o.kernel.pagination import PageParams
from o2o.locations.schemas import LocationOut
from o2o.pos import sync
from o2o.web.templating import locale_of

PAGE_SIZE = 20
KINDS = ("receipt", "adjustment", "return")
MAX_QTY = 100_000


@dataclass
class Row:
    sku_id: int
    sku: lookup.SkuBrief | None
    stock: StockOut | None


def _rows(request: Request, c: Container, store: LocationOut, q: str) -> tuple[list[Row], int, int]:
    number = page_number(request)
    params = PageParams(page=number, size=PAGE_SIZE)
    if q:
        found = lookup.find_skus(c.db, q, params, locale_of(request))
        stock = inventory.stock_of(c.db, store.id, [s.sku_id for s in found.items])
        return [Row(s.sku_id, s, stock.get(s.sku_id)) for s in found.items], found.total, number
    here = inventory.stock(c.db, store.id, None, params)
    names = sku_names(c, request, [r.sku_id for r in here.items])
    return [Row(r.sku_id, names.get(r.sku_id), r) for r in here.items], here.total, number


def _page(request: Request, c: Container, p: Principal, store: LocationOut, *, sku_id: int | None = None,
          form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
          count_errors: dict[str, str] | None = None, counted: str = "", status_code: int = 200) -> HTMLResponse:
    q = (request.query_params.get("q") or "").strip()[:80]
    rows, total, number = _rows(request, c, store, q)
    sku_id = sku_id or int_or_none(request.query_params.get("sku"))
    chosen = None
    if sku_id:
        brief = sku_names(c, request, [sku_id]).get(sku_id)
        chosen = Row(sku_id, brief, inventory.stock_of(c.db, store.id, [sku_id]).get(sku_id)) if brief else None
    flagged = sync.flagged_lines(c.db, store.id)  # a till sold these offline beyond the count: to count
    flagged_names = sku_names(c, request, [f.sku_id for f in flagged]) if flagged else {}
    context = {"q": q, "rows": rows, "total": total, "page_no": number, "pages": pages(total, PAGE_SIZE),
               "flagged": [(f, flagged_names.get(f.sku_id)) for f in flagged],
               "chosen": chosen, "kinds": KINDS, "errors": errors or {}, "count_errors": count_errors or {},
               "counted": counted,
               "form": {"kind": "receipt", "quantity": "", "reason": "", **(form or {})}}
    return page(request, p, store, "console/stock.html", context, section="stock", status_code=status_code)


@router.get("/console/{location_id}/stock", response_class=HTMLResponse)
def stock_page(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> HTMLResponse:
    return _page(request, c, p, store_in_scope(c, p, location_id))


def _check(request: Request, kind: str, quantity: str, reason: str) -> tuple[dict[str, str], int]:
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = say(request, "adjust.bad.kind")
    qty = int_or_none(quantity.replace(" ", "").replace("+", ""), -MAX_QTY, MAX_QTY) or 0
    if qty == 0:
        errors["quantity"] = say(request, "adjust.bad.quantity")
    elif qty < 0 and kind in ("receipt", "return"):
        errors["quantity"] = say(request, "adjust.bad.positive")
    if not reason.strip() or len(reason.strip()) > 200:
        errors["reason"] = say(request, "adjust.bad.reason")
    return errors, qty


@router.post("/console/{location_id}/stock/movements", response_class=HTMLResponse)
def record_movement(request: Request, c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id,
                    sku_id: str = Form(""), kind: str = Form(""), quantity: str = Form(""),
                    reason: str = Form("")) -> Response:
    """The form posts to `...?q=<the search>` so that the page it comes back to lists the same SKUs."""
    store = store_in_scope(c, p, location_id)
    form = {"kind": kind, "quantity": quantity[:12], "reason": reason[:200]}
    sku = int_or_none(sku_id)
    errors, qty = _check(request, kind, quantity, reason)
    if sku is None or not sku_names(c, request, [sku]):
        errors["sku"] = say(request, "adjust.bad.sku")
    if not errors:
        uow.describe(f"location={store.id},sku={sku}", kind=kind, quantity=qty)
        try:
            inventory.record_movement(uow, MovementIn(location_id=store.id, sku_id=sku or 0, kind=kind,  # type: ignore[arg-type]
                                                      quantity=qty, reason=reason.strip()), p.actor)
        except BelowReserved as exc:
            on_hand, reserved = exc.extra.get("on_hand", 0), exc.extra.get("reserved", 0)
            errors["quantity"] = say(request, "adjust.bad.below", reserved=reserved, on_hand=on_hand,
                                     most=max(0, on_hand - reserved))
        except (NotFound, InvalidInput):
            errors["sku"] = say(request, "adjust.bad.sku")
        else:
            return redirect(f"/console/{store.id}/stock", sku=sku, q=(request.query_params.get("q") or "").strip()[:80],
                            done="moved")
    return _page(request, c, p, store, sku_id=sku, form=form, errors=errors, status_code=422)


@router.post("/console/{location_id}/stock/counts", response_class=HTMLResponse)
def record_count(request: Request, c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id,
                 sku_id: str = Form(""), counted: str = Form("")) -> Response:
    """Stocktake: the number counted on the shelf; the difference goes to the ledger (reason "count")."""
    store = store_in_scope(c, p, location_id)
    sku = int_or_none(sku_id)
    errors: dict[str, str] = {}
    number = int_or_none(counted.strip(), 0, MAX_QTY)
    if number is None:
        errors["counted"] = say(request, "count.bad.number")
    if sku is None or not sku_names(c, request, [sku]):
        errors["sku"] = say(request, "adjust.bad.sku")
    if not errors:
        try:
            out = inventory.record_count(uow, CountIn(location_id=store.id, sku_id=sku or 0, counted=number or 0),
                                         p.actor)
        except BelowReserved as exc:
            errors["counted"] = say(request, "count.bad.below", reserved=exc.extra.get("reserved", 0))
        except (NotFound, InvalidInput):
            errors["sku"] = say(request, "adjust.bad.sku")
        else:
            return redirect(f"/console/{store.id}/stock", sku=sku, q=(request.query_params.get("q") or "").strip()[:80],
                            done="counted", ref=f"{out.difference:+d}")
    return _page(request, c, p, store, sku_id=sku, count_errors=errors, counted=counted[:12], status_code=422)
