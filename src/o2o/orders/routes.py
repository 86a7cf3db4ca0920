"""Orders and payments API."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from o2o.adapters.payments.sandbox import SIGNATURE_HEADER, PaymentProvider
from o2o.customers import service as customers
from o2o.deps import ContainerDep, IdempotencyKey, PageDep, PrincipalDep, Uow
from o2o.kernel.auth import Principal, require_location, require_owner
from o2o.kernel.errors import InvalidInput, Problem
from o2o.kernel.ids import Id
from o2o.orders import payments, service
from o2o.orders.channels import channel_for
from o2o.orders.schemas import CancelIn, OrderIn, OrderOut, PaymentOut, QuoteOut

router = APIRouter(prefix="/api/v1", tags=["orders"])


def policy(c: ContainerDep) -> service.OrderPolicy:
    return service.OrderPolicy.from_settings(c.settings)


def _in_scope(c: ContainerDep, p: Principal, number: str) -> None:
    """A customer reaches only their orders, a store role only its store's; others look unknown."""
    customer_id, location_id = service.scope_of(c.db, number)
    require_owner(p, customer_id, "order", number)
    if not p.is_customer and not p.covers(location_id):
        require_location(p, location_id, "order")


def _shown_to(p: Principal, order: OrderOut) -> OrderOut:
    """Only the customer sees the pickup code: staff must be shown it by the customer at handover."""
    if not p.is_customer:
        order.pickup_code = None
    return order


@router.post("/orders", response_model=OrderOut, status_code=201,
             responses={409: {"description": "not enough stock: each short line with what is available"}})
def place_order(uow: Uow, c: ContainerDep, p: PrincipalDep, body: OrderIn,
                idempotency_key: IdempotencyKey = None) -> OrderOut:
    """Route to a location, price, reserve the stock; the order waits for payment.

    A signed-in customer orders for themselves; staff and POS keys may order for a customer, and a
    store-bound caller only at its own store.

    The channel follows the caller: a customer names one of h5, pc, app, miniprogram, douyin, wechat
    (h5 if none); store staff, store-bound keys and keys with `pos:write` sell at the till (pos); other
    staff and keys name any channel but pos (api if none). Any other claim is a 422 naming `channel`.

    Promotions and coupons: `coupon_ids` omitted, the best of the customer's usable coupons is picked with
    the automatic promotions; `[]`, none; ids, exactly those (422 naming coupon_ids when one is not theirs
    or not usable here; 409 coupon-not-applicable when the basket does not qualify, 409 coupon-taken when
    another order used it first, 409 budget-exhausted). `discounts` explains the bill ("满200减30")."""
    _as_caller(c, p, body)
    return _shown_to(p, service.place(uow, body, policy(c), idempotency_key,
                                      scope=f"{p.kind}:{p.id}"))


@router.post("/quotes", response_model=QuoteOut,
             responses={409: {"description": "not enough stock within reach, or no plan from at most max_split locations has it all"}})
def quote_order(c: ContainerDep, p: PrincipalDep, body: OrderIn) -> QuoteOut:
    """What `POST /orders` would decide for this body now, writing and reserving nothing: where from, the
    lines at their prices, the fee, the promotions and coupons applied (`discounts`, each with its label
    and amount), the offers not used and why (`rejected`: scope, threshold, worse, exclusive, group), and
    the usable coupons of the customer's wallet (`coupons`, each applied or not) to pick instead through
    `coupon_ids`. Points are not counted. The caller's rules are those of placing the order."""
    _as_caller(c, p, body)
    q = service.quote(c.db, body, policy(c), exact=False, now=c.clock.now())
    return QuoteOut.model_validate(q, from_attributes=True)


def _as_caller(c: ContainerDep, p: Principal, body: OrderIn) -> None:
    """The order as its caller may place it: their channel, a customer for themselves only, store staff at
    their own store for pickup, a customer's points only with the customer's member code."""
    asked = body.channel if "channel" in body.model_fields_set else None
    body.channel = channel_for(p, asked)  # type: ignore[assignment]
    if p.is_customer:
        if body.customer_id not in (None, p.id):
            raise InvalidInput("customer_id", "a customer orders for themselves only")
        body.customer_id = p.id
    elif p.store_id is not None and (body.location_id != p.store_id or body.mode != "pickup"):
        # routing must not send a store's sale to another location's stock
        raise InvalidInput("mode", f"store staff and store keys sell for pickup at their own store ({p.store_id})")
    if not p.is_customer and body.customer_id is not None and (body.points or body.coupon_ids != []):
        # a customer's points and coupons are spent by staff or a key only with the customer at the till
        present = (body.member_code is not None
                   and customers.resolve_member_code(body.member_code, c.clock.now()) == body.customer_id)
        if body.points and not present:
            raise InvalidInput("member_code", "spending a customer's points needs their current member code")
        if body.coupon_ids and not present:
            raise InvalidInput("member_code", "using a customer's coupons needs their current member code")
        if body.coupon_ids is None and not present:
            body.coupon_ids = []  # without the customer there, their wallet stays shut (promotions still apply)
    body.member_code = None  # proof of presence, not part of the order (nor of its Idempotency-Key)


@router.get("/orders", response_model=list[OrderOut])
def list_orders(c: ContainerDep, p: PrincipalDep, page: PageDep,
                customer_id: Id | None = None) -> list[OrderOut]:
    """Newest first: a customer's own orders, a store's orders, or (HQ) any customer's."""
    if p.is_customer:
        customer_id = p.id
    return [_shown_to(p, o) for o in service.recent(c.db, customer_id, page, location_id=p.store_id)]


@router.get("/orders/{number}", response_model=OrderOut)
def get_order(c: ContainerDep, p: PrincipalDep, number: str) -> OrderOut:
    _in_scope(c, p, number)
    return _shown_to(p, service.get(c.db, number))


@router.post("/orders/{number}/cancel", response_model=OrderOut,
             responses={409: {"description": "already ended (illegal-transition), or, for a customer, the store "
                                             "has started picking (cancel-too-late)"}})
def cancel_order(uow: Uow, c: ContainerDep, p: PrincipalDep, number: str, body: CancelIn | None = None) -> OrderOut:
    """Cancel: the stock is released and a payment that went through is refunded by the provider.

    A customer cancels their own order while it is unpaid, or paid and not picked yet (then 409
    cancel-too-late), giving a `reason_code` from the list and, if they like, their own words; staff with
    orders:write may cancel up to the hand-over. The history keeps `<reason_code>: <words>`."""
    _in_scope(c, p, number)
    body = body or CancelIn()
    if p.is_customer:
        return _shown_to(p, service.cancel_by_customer(uow, number, p.id, body.note()))
    return _shown_to(p, service.cancel(uow, number, p.actor, body.note()))


PROVIDER_DOC = "one of the providers this installation offers (wechatpay, alipay; sandbox in dev); default: the first"
METHOD_DOC = "wechatpay: native (QR, default) or jsapi (with openid); alipay: page (default), wap or qr"
PayMethod = Literal["", "native", "jsapi", "page", "wap", "qr"]


@router.post("/orders/{number}/payments", response_model=PaymentOut, status_code=201)
def start_payment(uow: Uow, c: ContainerDep, p: PrincipalDep, number: str,
                  idempotency_key: IdempotencyKey = None,
                  provider: Annotated[str | None, Query(max_length=20, description=PROVIDER_DOC)] = None,
                  method: Annotated[PayMethod, Query(description=METHOD_DOC)] = "",
                  openid: Annotated[str | None, Query(max_length=128, pattern=r"^[A-Za-z0-9_-]+$")] = None,
                  ) -> PaymentOut:
    """Start paying the order at the provider: its out_trade_no, prepay id and pay URL (or code_url to
    show as a QR, or the mini-program's signed requestPayment parameters).

    Safe to retry: while the order has an open payment at that provider (started, no result yet, under
    2 hours old) that payment is handed back instead of a new one; with the same Idempotency-Key a retry
    returns exactly the first answer, even after the order is paid."""
    _in_scope(c, p, number)
    if method == "jsapi" and not openid:
        raise InvalidInput("openid", "a JSAPI / mini-program payment needs the payer's openid")
    return service.start_payment(uow, _provider(c, provider), number, idempotency_key, caller=f"{p.kind}:{p.id}",
                                 method=method, payer=openid)


def _provider(c: ContainerDep, name: str | None) -> PaymentProvider:
    offered = [n for n in c.offered if n != "sandbox" or c.settings.dev]  # the sandbox only while O2O_ENV=dev
    if name is None:
        if not offered:
            raise InvalidInput("provider", "no payment provider is configured")
        name = offered[0]
    if name not in offered:
        raise InvalidInput("provider", f"not offered here; one of: {', '.join(offered) or 'none'}")
    return c.providers[name]


NOTIFY_FAILURES = {401: {"description": "not signed by the platform (forged, tampered, stale): nothing changed"},
                   404: {"description": "this provider is not configured, or no such payment / refund (yet)"},
                   422: {"description": "the amount differs from the payment's: nothing changed"}}


@router.post("/payments/wechatpay/notify", status_code=204,
             responses={204: {"description": "recorded (or a duplicate)"}, **NOTIFY_FAILURES})
async def wechatpay_notification(c: ContainerDep, request: Request) -> Response:
    """WeChat Pay's payment and refund notifications (signed; resource encrypted). Answers 204 once
    recorded (also for a duplicate), else 4xx with `{"code": "FAIL", "message": ...}`, so WeChat Pay
    sends it again later; a forged one changes nothing (401)."""
    body = await request.body()
    provider = c.providers.get("wechatpay")
    if provider is None:
        return JSONResponse({"code": "FAIL", "message": "WeChat Pay is not configured"}, status_code=404)
    try:
        await run_in_threadpool(payments.handle_notification, c.uow(), provider, body, dict(request.headers))
    except Problem as exc:
        return JSONResponse({"code": "FAIL", "message": (exc.detail or exc.kind)[:200]}, status_code=exc.status)
    return Response(status_code=204)


@router.post("/payments/alipay/notify", response_class=PlainTextResponse,
             responses={200: {"description": "`success`: recorded (or a duplicate)"}, **NOTIFY_FAILURES})
async def alipay_notification(c: ContainerDep, request: Request) -> PlainTextResponse:
    """Alipay's asynchronous notification (a signed form). Answers the text `success` once recorded
    (also for a duplicate), else `fail` so Alipay sends it again later; a forged one changes nothing."""
    body = await request.body()
    provider = c.providers.get("alipay")
    if provider is None:
        return PlainTextResponse("fail", status_code=404)
    try:
        await run_in_threadpool(payments.handle_notification, c.uow(), provider, body, dict(request.headers))
    except Problem as exc:
        return PlainTextResponse("fail", status_code=exc.status)
    return PlainTextResponse("success")


@router.post("/payments/sandbox/notify")
async def payment_notification(c: ContainerDep, request: Request,
                               signature: Annotated[str, Header(alias=SIGNATURE_HEADER)] = "") -> dict:
    """The provider's signed asynchronous notification; a bad signature changes nothing (401)."""
    body = await request.body()
    return await run_in_threadpool(service.handle_payment_notification, c.uow(), c.payments, body, signature)


@router.post("/sandbox/payments/{out_trade_no}/complete")
def sandbox_complete(c: ContainerDep, out_trade_no: str) -> dict:
    """Sandbox only: act as the customer paying at the provider (signs and delivers the notification)."""
    return service.sandbox_complete(c.uow(), c.payments, out_trade_no)
