"""Customer queries. Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from o2o.customers.models import Address, Customer


def addresses_of(session: Session, customer_id: int) -> list[Address]:
    return list(session.scalars(select(Address).where(Address.customer_id == customer_id).order_by(Address.id)))


def id_by_hash(session: Session, column: Any, digest: str) -> int | None:
    """The customer whose lookup hash (Customer.phone_hash or Customer.email_hash) is digest."""
    return session.scalar(select(Customer.id).where(column == digest))


def lock(session: Session, customer_id: int) -> Customer | None:
    return session.scalars(select(Customer).where(Customer.id == customer_id).with_for_update()).first()
