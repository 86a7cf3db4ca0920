"""Orders react to fulfilment events: the order follows its fulfilment; notifications (refunds and
closing payments at the providers: payment_handlers)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.adapters.messages.sms import SmsSender
from o2o.customers import service as customers
from o2o.kernel.outbox import Delivery, Handler
from o2o.kernel.uow import JoinedUnitOfWork
from o2o.orders import repository as repo
from o2o.orders import service
from o2o.orders.models import COMPLETED, PICKING, READY, SHIPPED

FOLLOW = {"fulfillment.picking": PICKING, "fulfillment.ready": READY,
          "fulfillment.handed_over": COMPLETED, "fulfillment.shipped": SHIPPED,
          "fulfillment.delivered": COMPLETED}


def follow(session: Session, delivery: Delivery) -> None:
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.follow_fulfillment(uow, delivery.payload["order_id"], FOLLOW[delivery.topic], "fulfillment")
    uow.commit()


# a store could not serve (part of) a fulfilment: the rest is re-sourced (issue 13)
RESOURCE_TOPICS = ("fulfillment.short_picked", "fulfillment.rejected")


def resource_with(policy: service.OrderPolicy) -> Handler:
    """Re-source what a store short-picked or rejected; a redelivered event moves nothing twice (the
    fulfilment is no longer short) and `processed_event` keeps it from running twice anyway."""
    def handle(session: Session, delivery: Delivery) -> None:
        p = delivery.payload
        uow = JoinedUnitOfWork(session, delivery.clock)
        service.resource(uow, int(p["order_id"]), int(p["fulfillment_id"]), policy)
    return handle


def notify_pickup_ready(sms: SmsSender) -> Handler:
    def notify(session: Session, delivery: Delivery) -> None:
        p = delivery.payload
        order = repo.by_id(session, p["order_id"])
        phone = customers.phone_of(session, order.customer_id) if order and order.customer_id else None
        if phone:
            sms.send(phone, f"【O2O】订单 {p['order_number']} 已备好，取件码 {p['pickup_code']}。"
                            f" Order {p['order_number']} is ready, pickup code {p['pickup_code']}.",
                     dedupe_key=f"pickup_ready:{delivery.id}", session=session, kind="pickup_ready",
                     params={"order_number": p["order_number"], "pickup_code": p["pickup_code"]})
    return notify


def notify_reassigned(sms: SmsSender) -> Handler:
    """The customer hears that their order moved to another store (and, for a pickup, where to go)."""
    def notify(session: Session, delivery: Delivery) -> None:
        p = delivery.payload
        order = repo.by_id(session, p["order_id"])
        phone = customers.phone_of(session, order.customer_id) if order and order.customer_id else None
        if phone:
            sms.send(phone, f"【O2O】订单 {p['number']} 改由 {p['store_name']} 为您服务。"
                            f" Order {p['number']} is now served by {p['store_name']}.",
                     dedupe_key=f"order_reassigned:{delivery.id}", session=session, kind="order_reassigned",
                     params={"order_number": p["number"], "store_name": p["store_name"]})
    return notify
