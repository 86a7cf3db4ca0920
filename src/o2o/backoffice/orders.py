"""Order pages (orders:read): search every order of the chain, and one order with its whole history,
its fulfilments' history and the routing reason. Staff never see pickup codes here: they are the
customer's proof at the counter."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from o2o.analytics import service as analytics
from o2o.analytics.schemas import OrderFilter
from o2o.backoffice.common import TEXTS as COMMON_TEXTS
from o2o.backoffice.common import (
    FormDep,
    HeadOffice,
    location_names,
    not_found,
    page,
    page_params,
    pages_of,
    query_int,
    router,
    text,
)
from o2o.backoffice.split_texts import TEXTS as SPLIT_TEXTS
from o2o.couriers import view as courier_view
from o2o.customers import service as customers
from o2o.deps import ContainerDep, Uow
from o2o.fulfillment import service as fulfillment
from o2o.inventory.exceptions import InsufficientStock
from o2o.kernel import pii
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.errors import IllegalTransition, InvalidInput, NotFound
from o2o.locations import service as locations
from o2o.orders import service as orders
from o2o.web.templating import Texts, Translator, locale_of

STATUSES = ("pending_payment", "paid", "picking", "ready", "shipped", "completed", "cancelled", "expired")
CHANNELS = ("h5", "pc", "app", "miniprogram", "wechat", "douyin", "api", "pos")
MODES = ("pickup", "store_delivery", "parcel")

TEXTS: Texts = catalog_texts("backoffice.orders")
FIELDS = ("number", "status", "store", "channel", "mode", "from", "to")


def _date(raw: str, name: str, errors: dict[str, Any]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = ("err.date", {})
        return None


def _filters(request: Request) -> tuple[OrderFilter, dict[str, str], dict[str, Any]]:
    q = request.query_params
    form = {name: (q.get(name) or "").strip()[:40] for name in FIELDS}
    errors: dict[str, Any] = {}
    first, last = _date(form["from"], "from", errors), _date(form["to"], "to", errors)
    if first and last and last < first:
        errors["to"] = ("orders.bad.order", {})
    for name, allowed in (("status", STATUSES), ("channel", CHANNELS), ("mode", MODES)):
        if form[name] and form[name] not in allowed:
            errors[name] = ("err.choice", {})
    f = OrderFilter(
        number=form["number"] or None, status=form["status"] or None, channel=form["channel"] or None,
        mode=form["mode"] or None, location_id=query_int(form["store"]),
        since=datetime.combine(first, time(0), SHANGHAI) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(0), SHANGHAI) if last else None)
    return f, form, errors


@router.get("/admin/orders", response_class=HTMLResponse)
def order_list(request: Request, c: ContainerDep) -> HTMLResponse:
    locale = locale_of(request)
    f, form, errors = _filters(request)
    params = page_params(request)
    found = analytics.search_orders(c.db, f, params) if not errors else None
    locs = locations.list_all(c.db)
    names = location_names(locs, locale)
    ctx = {"form": form, "errors": errors, "page": found, "pages": pages_of(found.total, found.size) if found else 1,
           "names": names, "stores": [(loc.id, f"{names[loc.id]} · {loc.code}") for loc in locs],
           "statuses": STATUSES, "channels": CHANNELS, "modes": MODES, "filtered": any(form.values())}
    return page(request, "backoffice/orders.html", ctx, [TEXTS], 422 if errors else 200)


CANCELLABLE = ("pending_payment", "paid", "picking", "ready")
REASSIGNABLE = ("pending_payment", "paid")
DONE = ("cancelled", "refund", "reissued", "reassigned")


def _servable(order: Any, loc: Any) -> bool:
    """Whether the location offers the order's mode (the service checks the delivery radius too)."""
    if loc.id == order.fulfil_location_id or loc.online_paused:
        return False
    if order.mode == "pickup":
        return loc.kind == "store" and loc.can_pickup
    if order.mode == "store_delivery":
        return loc.kind == "store" and loc.can_store_delivery
    return loc.kind == "warehouse" or loc.can_parcel


def _order_page(request: Request, c: ContainerDep, number: str, errors: dict[str, Any] | None = None,
                form: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    try:
        order = orders.get(c.db, number.strip().upper()[:24])
    except NotFound:
        return not_found(request, "order.what", "/admin/orders", [TEXTS])
    locale = locale_of(request)
    locs = locations.list_all(c.db)
    names = location_names(locs, locale)
    p = request.state.principal
    # the pickup code stays with the customer: dropped here, before anything reaches the template
    shown = order.model_dump(exclude={"pickup_code"})
    fulfilments = [fulfillment.get(c.db, fid).model_dump(exclude={"pickup_code"}) for fid in order.fulfillment_ids]
    started = any(f["status"] not in ("new", "cancelled") for f in fulfilments)
    customer = None
    if order.customer_id:
        try:
            who = customers.get(c.db, order.customer_id)
            customer = {"id": who.id, "name": pii.mask_name(who.name) or "", "phone": pii.mask_phone(who.phone) or "",
                        "profile": p.can("customers:read")}
        except NotFound:
            customer = {"id": order.customer_id, "name": "", "phone": "", "profile": False}
    actions = {
        "cancel": p.can("orders:write") and order.status in CANCELLABLE,
        "reissue": [f["id"] for f in fulfilments if f["mode"] == "pickup" and f["status"] == "ready"]
        if p.can("fulfillment:reissue") else [],
        "reassign": p.can("orders:write") and order.status in REASSIGNABLE and not started,
    }
    targets = [(loc.id, f"{names[loc.id]} · {loc.code}") for loc in locs if _servable(order, loc)]
    done = request.query_params.get("done")
    # the parts (issue 13): each fulfilment's lines by name; "why this store" once the engine decided
    line_rows = {ln["sku_id"]: ln for ln in shown["lines"]}
    parts = sum(1 for f in fulfilments if f["status"] != "cancelled")
    sourced = bool(fulfillment.decisions(c.db, order.number))
    ctx = {"order": shown, "fulfilments": fulfilments, "names": names, "customer": customer, "actions": actions,
           "line_rows": line_rows, "parts": parts, "sourced": sourced,
           "targets": targets, "paid_fen": order.total_fen if order.paid_at else None, "errors": errors or {},
           "form": form or {}, "done": done if done in DONE else None,
           "done_store": names.get(order.fulfil_location_id, ""),
           **courier_view.for_staff(c.db, order.fulfillment_ids, locale)}
    return page(request, "backoffice/order.html", ctx, [TEXTS, SPLIT_TEXTS], status)


@router.get("/admin/orders/{number}", response_class=HTMLResponse)
def order_page(request: Request, c: ContainerDep, number: str) -> HTMLResponse:
    return _order_page(request, c, number)


def _status_name(request: Request, exc: IllegalTransition) -> str:
    status = str(exc.extra.get("current_status", ""))
    return Translator(locale_of(request), [COMMON_TEXTS])(f"status.{status}") if status in STATUSES else status


def _back(number: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/orders/{number}?done={done}#actions", status_code=303)


def _reason(form: Any, errors: dict[str, Any], name: str) -> str:
    reason = text(form, name, 400)
    if not reason:
        errors[name] = ("err.required", {})
    elif len(reason) > 200:
        errors[name] = ("err.too_long", {"max": 200})
    return reason


@router.post("/admin/orders/{number}/cancel", response_class=HTMLResponse)
def cancel_order(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, form: FormDep, number: str) -> Response:
    """Cancel with a reason (orders:write): the stock is released, a paid order refunded (the existing
    order.refund_needed event, handled by the payment adapter)."""
    errors: dict[str, Any] = {}
    reason = _reason(form, errors, "cancel_reason")
    values = {"cancel_reason": reason}
    if errors:
        return _order_page(request, c, number, errors, values, 422)
    try:
        out = orders.cancel(uow, number.strip().upper()[:24], p.actor, reason)
    except NotFound:
        return not_found(request, "order.what", "/admin/orders", [TEXTS])
    except IllegalTransition as exc:
        errors["cancel_reason"] = ("err.too_late", {"status": _status_name(request, exc)})
        return _order_page(request, c, number, errors, values, 409)
    return _back(out.number, "refund" if out.paid_at else "cancelled")


@router.post("/admin/orders/{number}/reissue", response_class=HTMLResponse)
def reissue_code(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, form: FormDep, number: str) -> Response:
    """Resend the pickup code (fulfillment:reissue): the fulfilment must be this order's, ready, pickup."""
    try:
        order = orders.get(c.db, number.strip().upper()[:24])
    except NotFound:
        return not_found(request, "order.what", "/admin/orders", [TEXTS])
    fid = query_int(text(form, "fulfillment_id", 20))
    if fid is None or fid not in order.fulfillment_ids:
        raise NotFound("fulfillment", text(form, "fulfillment_id", 20))
    try:
        fulfillment.reissue_code(uow, fid, p.actor)
    except IllegalTransition:
        return _order_page(request, c, number, {"fulfillment_id": ("err.too_late", {"status": "?"})}, {}, 409)
    return _back(order.number, "reissued")


@router.post("/admin/orders/{number}/reassign", response_class=HTMLResponse)
def reassign_order(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, form: FormDep,
                   number: str) -> Response:
    """Move the order to another store (orders:write): one transaction, refused when the store has not
    got every line; the customer is told (order.reassigned)."""
    errors: dict[str, Any] = {}
    values = {"location_id": text(form, "location_id", 20), "reassign_reason": text(form, "reassign_reason", 400)}
    location_id = query_int(values["location_id"])
    if location_id is None:
        errors["location_id"] = ("err.choice", {})
    reason = _reason(form, errors, "reassign_reason")
    if errors:
        return _order_page(request, c, number, errors, values, 422)
    try:
        out = orders.reassign(uow, number.strip().upper()[:24], location_id or 0, p.actor, reason)
    except NotFound:
        return not_found(request, "order.what", "/admin/orders", [TEXTS])
    except InsufficientStock:
        return _order_page(request, c, number, {"location_id": ("err.stock", {})}, values, 409)
    except InvalidInput:
        return _order_page(request, c, number, {"location_id": ("err.cannot_serve", {})}, values, 422)
    except IllegalTransition as exc:
        errors["location_id"] = ("err.too_late", {"status": _status_name(request, exc)})
        return _order_page(request, c, number, errors, values, 409)
    return _back(out.number, "reassigned")
