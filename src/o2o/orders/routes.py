"""Orders and payments API."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from o2o.adapters.payments.sandbox import SIGNATURE_HEADER
from o2o.deps import ContainerDep, IdempotencyKey, PageDep
from o2o.orders import service
from o2o.orders.schemas import CancelIn, OrderIn, OrderOut, PaymentOut

router = APIRouter(prefix="/api/v1", tags=["orders"])


def policy(c: ContainerDep) -> service.OrderPolicy:
    return service.OrderPolicy(unpaid_ttl=timedelta(minutes=c.settings.unpaid_order_ttl_minutes),
                               max_radius_m=c.settings.max_delivery_radius_m)


@router.post("/orders", response_model=OrderOut, status_code=201,
             responses={409: {"description": "not enough stock: each short line with what is available"}})
def place_order(c: ContainerDep, body: OrderIn, idempotency_key: IdempotencyKey = None) -> OrderOut:
    """Route to a location, price, reserve the stock; the order waits for payment."""
    return service.place(c.uow(), body, policy(c), idempotency_key)


@router.get("/orders", response_model=list[OrderOut])
def list_orders(c: ContainerDep, page: PageDep,
                customer_id: Annotated[int | None, Query(gt=0)] = None) -> list[OrderOut]:
    return service.recent(c.db, customer_id, page)


@router.get("/orders/{number}", response_model=OrderOut)
def get_order(c: ContainerDep, number: str) -> OrderOut:
    return service.get(c.db, number)


@router.post("/orders/{number}/cancel", response_model=OrderOut)
def cancel_order(c: ContainerDep, number: str, body: CancelIn | None = None) -> OrderOut:
    return service.cancel(c.uow(), number, "customer", body.reason if body else "")


@router.post("/orders/{number}/payments", response_model=PaymentOut, status_code=201)
def start_payment(c: ContainerDep, number: str) -> PaymentOut:
    return service.start_payment(c.uow(), c.payments, number)


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
