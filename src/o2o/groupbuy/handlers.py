"""Group buying reacts to its members' orders (each in the relay's transaction, a savepoint per handler):
a payment counts towards the group and the one that fills it forms the group; an order cancelled or
expired gives its slot back. Orders that are not a group's are left alone (one indexed look-up)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.groupbuy import service
from o2o.kernel.outbox import Delivery
from o2o.kernel.uow import JoinedUnitOfWork

LEFT_TOPICS = ("order.cancelled", "order.expired")


def paid(session: Session, delivery: Delivery) -> None:
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.member_paid(uow, int(delivery.payload["order_id"]), str(delivery.payload["number"]))
    uow.commit()


def left(session: Session, delivery: Delivery) -> None:
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.member_left(uow, str(delivery.payload["number"]))
    uow.commit()
