"""Couriers react to fulfilment, order and return events, and carry out their own requests to the platforms
(relay)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from o2o.adapters.couriers import Courier
from o2o.couriers import service
from o2o.kernel.outbox import Delivery, Handler
from o2o.kernel.uow import JoinedUnitOfWork

READY = "fulfillment.ready"
DISPATCH, CANCEL, TIP = "courier.dispatch", "courier.cancel", "courier.tip"
ORDER_CANCELLED = "order.cancelled"
PICKUP_NEEDED = "return.pickup_needed"
RETURN_ENDED = ("return.cancelled", "return.refused", "return.received")  # withdrawn, refused, or brought in


def open_delivery(session: Session, delivery: Delivery) -> None:
    p = delivery.payload
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.open_delivery(uow, p["fulfillment_id"], p["order_id"], p["order_number"], p["location_id"], p["mode"])
    uow.commit()


def dispatch_with(couriers: Mapping[str, Courier], order: Sequence[str]) -> Handler:
    def dispatch(session: Session, delivery: Delivery) -> None:
        uow = JoinedUnitOfWork(session, delivery.clock)
        service.dispatch(uow, couriers, order, delivery.payload["delivery_id"], delivery.payload["round"])
        uow.commit()
    return dispatch


def cancel_with(couriers: Mapping[str, Courier]) -> Handler:
    def cancel(session: Session, delivery: Delivery) -> None:
        p = delivery.payload
        service.cancel_at_platform(JoinedUnitOfWork(session, delivery.clock), couriers, p["provider"], p["origin_id"],
                                   p["reason"])
    return cancel


def tip_with(couriers: Mapping[str, Courier]) -> Handler:
    def tip(session: Session, delivery: Delivery) -> None:
        p = delivery.payload
        service.tip_at_platform(couriers, p["provider"], p["origin_id"], p["tip_fen"], p["total_fen"])
    return tip


def order_cancelled(session: Session, delivery: Delivery) -> None:
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.order_cancelled(uow, delivery.payload["order_id"])
    uow.commit()


def open_pickup(session: Session, delivery: Delivery) -> None:
    p = delivery.payload
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.open_pickup(uow, p["return_id"], p["order_id"], p["order_number"], p["location_id"], p.get("customer_id"))
    uow.commit()


def return_ended(session: Session, delivery: Delivery) -> None:
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.return_ended(uow, delivery.payload["return_id"], f"return {delivery.payload.get('number', '')} closed")
    uow.commit()
