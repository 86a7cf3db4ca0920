"""Promotions react to others' events, each in the relay's transaction (a savepoint per handler, once per
event through `processed_event`):

- an order cancelled or expired gives back what it used (`checkout.release_for_order`: coupons restored
  or forfeited per template, budgets given back); a return of the whole order too (a partial return keeps
  the coupon used: its discount stays spread over the lines kept);
- a sign-up (a customer registered at a till, or signing up with a phone code or a mini-program) gets the
  sign-up campaigns' coupons; a first store visit (a till sale completed, or an order picked up at a
  store) gets the first-visit campaigns' coupons (a store's campaign only for a visit there). Once per
  customer and template, however often the events come.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.kernel.outbox import Delivery
from o2o.orders import service as orders
from o2o.promotions import checkout, service

RELEASE_TOPICS = ("order.cancelled", "order.expired")
SIGNUP_TOPICS = ("customers.created", "iam.customer_signed_up")
TILL_COMPLETED = "order.completed"
PICKED_UP = "fulfillment.handed_over"


def release(session: Session, delivery: Delivery) -> None:
    checkout.release_for_order(session, int(delivery.payload["order_id"]), delivery.clock.now())


def returned(session: Session, delivery: Delivery) -> None:
    p = delivery.payload
    order = orders.facts(session, int(p["order_id"]))
    if order is not None and (p.get("whole") or int(p.get("refund_fen") or 0) >= order.total_fen):  # every unit back
        checkout.release_for_order(session, order.id, delivery.clock.now())


def signup(session: Session, delivery: Delivery) -> None:
    service.auto_issue(session, int(delivery.payload["customer_id"]), "signup", delivery.clock.now())


def till_visit(session: Session, delivery: Delivery) -> None:
    """A completed till sale is a store visit."""
    order = orders.facts(session, int(delivery.payload["order_id"]))
    if order is not None and order.customer_id is not None and order.channel == "pos":
        service.auto_issue(session, order.customer_id, "first_visit", delivery.clock.now(), order.fulfil_location_id)


def pickup_visit(session: Session, delivery: Delivery) -> None:
    """An order picked up at a store is a store visit."""
    p = delivery.payload
    if p.get("mode") != "pickup":
        return
    order = orders.facts(session, int(p["order_id"]))
    if order is not None and order.customer_id is not None and order.channel != "pos":
        service.auto_issue(session, order.customer_id, "first_visit", delivery.clock.now(), int(p["location_id"]))
