"""Loyalty reacts to orders: a completed order earns points (once, however often the completion is
delivered or a till re-sends it), a cancelled or expired order gives back the points it used and takes
back what it earned; points about to expire are told to the member by SMS. Each runs in the relay's
transaction (a savepoint per handler)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from o2o.adapters.messages.sms import SmsSender
from o2o.customers import service as customers
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.outbox import Delivery, Handler
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
    # a return (return.refunded) names the goods' value returned, of all the order's goods and returned
    # before it (part_fen, whole_fen, before_fen: what points paid of them comes back as points, not money;
    # the share is of everything returned so far, so parts add up to all the points); order.returned the money
    part, whole = (int(p["part_fen"]), int(p["whole_fen"])) if "part_fen" in p else (int(p["refund_fen"]),
                                                                                    order.total_fen)
    service.reverse_order(uow, order.id, part_fen=part, whole_fen=whole,
                          ref=f"return:{p.get('return_id') or delivery.id}", before_fen=int(p.get("before_fen") or 0))
    uow.commit()


def notify_expiring(sms: SmsSender) -> Handler:
    """`loyalty.points_expiring` reaches the member: one SMS per notice (the event; a redelivery sends
    nothing: the dedupe key is the event's), template kind `points_expiring` (points, date)."""
    def notify(session: Session, delivery: Delivery) -> None:
        p = delivery.payload
        phone = customers.phone_of(session, int(p["customer_id"]))
        if not phone:
            return  # erased, or a member known by another identity only
        points = int(p["points"])
        date = datetime.fromisoformat(p["expires_at"]).astimezone(SHANGHAI).strftime("%Y-%m-%d")
        sms.send(phone, f"【O2O】您有 {points} 积分将于 {date} 到期，请尽快使用。"
                        f" {points} of your points expire on {date}: use them before then.",
                 dedupe_key=f"points_expiring:{delivery.id}", session=session, kind="points_expiring",
                 params={"points": str(points), "date": date})
    return notify
