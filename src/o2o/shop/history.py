"""A customer's orders: the list, one order's progress and pickup code, and paying (the providers offered)."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.adapters.payments.common import ProviderError
from o2o.couriers import view as courier_view
from o2o.deps import ContainerDep, PrincipalDep
from o2o.fulfillment import service as fulfillment
from o2o.kernel.auth import require_owner
from o2o.kernel.errors import IllegalTransition, NotFound
from o2o.kernel.pagination import PageParams
from o2o.orders import payments as order_payments
from o2o.orders import service as orders
from o2o.orders.exceptions import PaymentProviderFailed
from o2o.orders.schemas import CANCEL_REASONS, OrderOut, PaymentOut
from o2o.shop.after_sales import progress as after_sales
from o2o.shop.common import not_found, page, parse_int, see_other, translator
from o2o.shop.explain import describe_route, location, timeline
from o2o.shop.split_texts import TEXTS as SPLIT_TEXTS
from o2o.shop.web import router
from o2o.web.templating import Translator

ORDERS_PER_PAGE = 10
SHOWS_CODE = ("paid", "picking", "ready")


def _own(c: ContainerDep, p: PrincipalDep, number: str) -> OrderOut:
    """The customer's own order; anyone else's is NotFound (as if it did not exist)."""
    if len(number) > 24:
        raise NotFound("order", number[:24])
    customer_id, _ = orders.scope_of(c.db, number)
    require_owner(p, customer_id, "order", number)
    return orders.get(c.db, number)


@router.get("/shop/orders", response_class=HTMLResponse)
def order_list(request: Request, c: ContainerDep, p: PrincipalDep) -> HTMLResponse:
    """Newest first, ten a page."""
    n = parse_int(request.query_params.get("page"), 1) or 1
    items = orders.recent(c.db, p.id, PageParams(page=n, size=ORDERS_PER_PAGE))
    more = bool(orders.recent(c.db, p.id, PageParams(page=n * ORDERS_PER_PAGE + 1, size=1)))
    return page(request, c, "shop/orders.html", {"orders": items, "page_no": n, "more": more}, no_store=True)


def _parts(c: ContainerDep, request: Request, order: OrderOut, fos: list) -> dict:  # type: ignore[type-arg]
    """An order served from several locations (issue 13): each open part's store, mode, status and lines."""
    open_parts = [f for f in fos if f.status != "cancelled"]
    if len(open_parts) < 2:
        return {"parts": []}
    t = translator(request)
    zh = t.locale.startswith("zh")
    rows = {ln.sku_id: ln for ln in order.lines}
    parts = []
    for f in open_parts:
        loc = location(c, f.location_id)
        parts.append({"id": f.id, "store": (loc.name_zh if zh else loc.name_en) if loc else f"#{f.location_id}",
                      "mode": f.mode, "status": f.status,  # each pickup part has its own code, at its store
                      "code": f.pickup_code if f.mode == "pickup" and f.status in ("new", "picking", "ready")
                      and order.status in SHOWS_CODE else None,
                      "lines": [(rows.get(ln.sku_id), ln.sku_id, ln.quantity) for ln in f.lines]})
    return {"parts": parts, "sp": Translator(t.locale, [SPLIT_TEXTS])}


@router.get("/shop/orders/{number}", response_class=HTMLResponse)
def order_page(request: Request, c: ContainerDep, p: PrincipalDep, number: str) -> HTMLResponse:
    """Status timeline, where and how it is fulfilled, and (pickup, once paid) the code and its QR."""
    try:
        order = _own(c, p, number)
    except NotFound:
        return not_found(request, c, "order")
    fos = [fulfillment.get(c.db, fid) for fid in order.fulfillment_ids]
    pickup = next((f for f in fos if f.pickup_code and f.pickup_code == order.pickup_code), None)
    pickup = pickup if order.status in SHOWS_CODE else None
    # the QR inline: the SVG that /api/v1/fulfillments/{id}/qr.svg serves has no xmlns, and an <img>
    # shows nothing without one (an SVG document needs its namespace; inline markup does not)
    qr = fulfillment.qr_svg(c.db, pickup.id) if pickup else None
    ctx = {"order": order, "steps": timeline(order.status, order.mode, order.history),
           "route": describe_route(c, order.fulfil_location_id, order.mode, order.route_reason, order.distance_m,
                                   translator(request)),
           "fulfillments": fos, "pickup": pickup, "qr": qr, "cancel_reasons": CANCEL_REASONS,
           "paid_now": request.query_params.get("paid") == "1", **after_sales(request, c, order.number),
           **_parts(c, request, order, fos),
           **courier_view.for_customer(c.db, [f.id for f in fos], translator(request).locale, c.clock.now())}
    return page(request, c, "shop/order.html", ctx, no_store=True)


def _pay_page(request: Request, c: ContainerDep, order: OrderOut, error: str | None = None,
              status: int = 200, started: PaymentOut | None = None) -> HTMLResponse:
    # a QR to scan: WeChat Pay Native's code_url, Alipay precreate's qr_code (inline SVG, drawn here)
    qr = segno.make(started.code_url, error="m").svg_inline(scale=5) if started and started.code_url else None
    ctx = {"order": order, "error": error, "offered": offered(c), "started": started, "qr": qr}
    return page(request, c, "shop/pay.html", ctx, status=status, no_store=True)


@router.get("/shop/orders/{number}/pay", response_class=HTMLResponse)
def pay_page(request: Request, c: ContainerDep, p: PrincipalDep, number: str) -> Response:
    try:
        order = _own(c, p, number)
    except NotFound:
        return not_found(request, c, "order")
    if order.status != "pending_payment":
        return see_other(f"/shop/orders/{order.number}")
    return _pay_page(request, c, order)


def offered(c: ContainerDep) -> list[str]:
    """The providers to offer: the sandbox only while O2O_ENV=dev."""
    return [n for n in c.offered if n != "sandbox" or c.settings.dev]


def _phone(request: Request) -> bool:
    agent = request.headers.get("user-agent", "")
    return any(word in agent for word in ("Mobile", "Android", "iPhone"))


@router.post("/shop/orders/{number}/pay")
def pay(request: Request, c: ContainerDep, p: PrincipalDep, number: str,
        provider: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Start paying with the chosen provider: WeChat Pay shows its QR here, Alipay a link to its signed
    page (wap on a phone); the sandbox (dev) completes at once."""
    try:
        order = _own(c, p, number)
    except NotFound:
        return not_found(request, c, "order")
    choices = offered(c)
    name = provider or (choices[0] if choices else "")
    if name not in choices:
        return _pay_page(request, c, order, "pay.err.unavailable", status=409)
    method = {"wechatpay": "native", "alipay": "wap" if _phone(request) else "page"}.get(name, "")
    try:
        started = orders.start_payment(c.uow(), c.providers[name], order.number, method=method,
                                       caller=f"{p.kind}:{p.id}")
        if name == "sandbox":
            orders.sandbox_complete(c.uow(), c.payments, started.out_trade_no)
    except IllegalTransition:
        order = orders.get(c.db, order.number)
        if order.status != "pending_payment":
            return see_other(f"/shop/orders/{order.number}")  # paid already (a second click), or ended
        return _pay_page(request, c, order, "pay.err.failed", status=409)
    except PaymentProviderFailed:
        return _pay_page(request, c, order, "pay.err.failed", status=502)
    if name == "sandbox":
        return see_other(f"/shop/orders/{order.number}?paid=1")
    # Alipay's page is a link to follow, not a redirect: the CSP's form-action 'self' rightly stops a
    # form's answer from sending the browser to another site
    return _pay_page(request, c, order, started=started)


@router.post("/shop/orders/{number}/pay/check")
def pay_check(request: Request, c: ContainerDep, p: PrincipalDep, number: str) -> Response:
    """"I have paid": ask the provider about the order's open payments (their notification may be late)."""
    try:
        order = _own(c, p, number)
    except NotFound:
        return not_found(request, c, "order")
    if order.status == "pending_payment":
        for name, out_trade_no in order_payments.open_payments(c.db, order.number):
            if name in c.providers and name != "sandbox":
                try:
                    order_payments.check(c.uow(), c.providers[name], out_trade_no)
                except (ProviderError, PaymentProviderFailed):
                    continue
        order = orders.get(c.db, order.number)
    if order.status != "pending_payment":
        return see_other(f"/shop/orders/{order.number}?paid=1" if order.paid_at else f"/shop/orders/{order.number}")
    return _pay_page(request, c, order, "pay.err.not_yet", status=409)
