"""A customer's orders: the list, one order's progress and pickup code, and paying in the sandbox."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from o2o.deps import ContainerDep, PrincipalDep
from o2o.fulfillment import service as fulfillment
from o2o.kernel.auth import require_owner
from o2o.kernel.errors import IllegalTransition, NotFound
from o2o.kernel.pagination import PageParams
from o2o.orders import service as orders
from o2o.orders.schemas import OrderOut
from o2o.shop.common import not_found, page, parse_int, see_other, translator
from o2o.shop.explain import describe_route, timeline
from o2o.shop.web import router

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
           "fulfillments": fos, "pickup": pickup, "qr": qr,
           "paid_now": request.query_params.get("paid") == "1"}
    return page(request, c, "shop/order.html", ctx, no_store=True)


def _pay_page(request: Request, c: ContainerDep, order: OrderOut, error: str | None = None,
              status: int = 200) -> HTMLResponse:
    return page(request, c, "shop/pay.html", {"order": order, "error": error}, status=status, no_store=True)


@router.get("/shop/orders/{number}/pay", response_class=HTMLResponse)
def pay_page(request: Request, c: ContainerDep, p: PrincipalDep, number: str) -> Response:
    try:
        order = _own(c, p, number)
    except NotFound:
        return not_found(request, c, "order")
    if order.status != "pending_payment":
        return see_other(f"/shop/orders/{order.number}")
    return _pay_page(request, c, order)


@router.post("/shop/orders/{number}/pay")
def pay(request: Request, c: ContainerDep, p: PrincipalDep, number: str) -> Response:
    """Sandbox only (O2O_ENV=dev): start the payment and let the sandbox provider complete it."""
    try:
        order = _own(c, p, number)
    except NotFound:
        return not_found(request, c, "order")
    if not c.settings.dev:
        return _pay_page(request, c, order, "pay.err.unavailable", status=409)
    try:
        started = orders.start_payment(c.uow(), c.payments, order.number)
        orders.sandbox_complete(c.uow(), c.payments, started.out_trade_no)
    except IllegalTransition:
        order = orders.get(c.db, order.number)
        if order.status != "pending_payment":
            return see_other(f"/shop/orders/{order.number}")  # paid already (a second click), or ended
        return _pay_page(request, c, order, "pay.err.failed", status=409)
    return see_other(f"/shop/orders/{order.number}?paid=1")
