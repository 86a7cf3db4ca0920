"""Customer queries. Never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from o2o.customers.models import Address


def addresses_of(session: Session, customer_id: int) -> list[Address]:
    return list(session.scalars(select(Address).where(Address.customer_id == customer_id).order_by(Address.id)))
