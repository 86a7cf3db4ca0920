"""Loyalty reacts to orders: a completed order earns points (once, however often the completion is
delivered or a till re-sends it), a cancelled or expired order gives back the points it used and takes
back what it earned. Each runs in the relay's transaction (a savepoint per handler)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.kernel.outbox import Delivery
from o2o.kernel.uow import JoinedUnitOfWork
from o2o.loyalty import service
from o2o.orders import service as orders

EARN_TOPICS = ("order.completed",)
REVERSE_TOPICS = ("order.cancelled", "order.expired")


def earn(session: Session, delivery: Delivery) -> None:
    order = orders.facts(session, int(delivery.payload["order_id"]))
    if order is None:
        return
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.earn_for_order(uow, order)
    uow.commit()


def reverse(session: Session, delivery: Delivery) -> None:
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.reverse_order(uow, int(delivery.payload["order_id"]), ref="cancel")
    uow.commit()


def returned(session: Session, delivery: Delivery) -> None:
    """A return of part of an order (`refund_fen` of the order's total): points in proportion."""
    p = delivery.payload
    order = orders.facts(session, int(p["order_id"]))
    if order is None:
        return
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.reverse_order(uow, order.id, part_fen=int(p["refund_fen"]), whole_fen=order.total_fen,
                          ref=f"return:{p.get('return_id') or delivery.id}")
    uow.commit()
