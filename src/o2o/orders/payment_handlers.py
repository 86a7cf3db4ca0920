"""Orders' reactions that reach a payment provider (run by the relay, retried on failure)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from o2o.adapters.payments.sandbox import PaymentProvider
from o2o.kernel.outbox import Delivery, Handler
from o2o.kernel.uow import JoinedUnitOfWork
from o2o.orders import payments


def refund_with(providers: Mapping[str, PaymentProvider]) -> Handler:
    """order.refund_needed: refund at the payment's own provider. out_refund_no is the event's id, so a
    retry after a failure or a lost answer asks for the same refund, never a second one."""
    def refund(session: Session, delivery: Delivery) -> None:
        p = delivery.payload
        uow = JoinedUnitOfWork(session, delivery.clock)
        payments.refund(uow, providers, str(p["out_trade_no"]), int(p["amount_fen"]), f"RF{delivery.id}")
        uow.commit()
    return refund


def close_with(providers: Mapping[str, PaymentProvider]) -> Handler:
    """order.expired / order.cancelled: close the order's unpaid payments at real providers, so a customer
    cannot pay an order that is gone (one paid meanwhile is refunded when its notification comes)."""
    real = {name: p for name, p in providers.items() if name != "sandbox"}

    def close(session: Session, delivery: Delivery) -> None:
        uow = JoinedUnitOfWork(session, delivery.clock)
        payments.close_open(uow, real, int(delivery.payload["order_id"]))
        uow.commit()
    return close
