"""Catalog reacts to other areas' events: a paid order's units count towards its products' sales (the
search's "best selling" order)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.catalog.search import service as product_search
from o2o.kernel.outbox import Delivery
from o2o.orders import service as orders


def count_sales(session: Session, delivery: Delivery) -> None:
    """order.paid -> units sold per product (inside the relay's transaction; once per event)."""
    product_search.count_sold(session, orders.units_of(session, int(delivery.payload["order_id"])))
