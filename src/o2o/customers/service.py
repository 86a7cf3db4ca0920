"""Customers: a minimal profile and addresses (accounts and members come later)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.customers import repository as repo
from o2o.customers.models import Address, Customer
from o2o.customers.schemas import AddressIn, AddressOut, CustomerIn, CustomerOut
from o2o.kernel.db import Database
from o2o.kernel.errors import NotFound
from o2o.kernel.lookups import flush_unique, get_or_404
from o2o.kernel.uow import UnitOfWork


def create(uow: UnitOfWork, data: CustomerIn) -> CustomerOut:
    with uow:
        c = Customer(**data.model_dump(), created_at=uow.clock.now())
        uow.session.add(c)
        flush_unique(uow.session, "phone already registered", "phone")
        out = CustomerOut.model_validate(c)
        uow.publish("customers.created", {"customer_id": c.id})
        uow.commit()
        return out


def get(db: Database, customer_id: int) -> CustomerOut:
    with db.read() as s:
        return CustomerOut.model_validate(get_or_404(s, Customer, customer_id, "customer"))


def add_address(uow: UnitOfWork, customer_id: int, data: AddressIn) -> AddressOut:
    with uow:
        get_or_404(uow.session, Customer, customer_id, "customer")
        a = Address(customer_id=customer_id, **data.model_dump(), created_at=uow.clock.now())
        uow.session.add(a)
        uow.session.flush()
        out = AddressOut.model_validate(a)
        uow.commit()
        return out


def addresses(db: Database, customer_id: int) -> list[AddressOut]:
    with db.read() as s:
        return [AddressOut.model_validate(a) for a in repo.addresses_of(s, customer_id)]


def exists(session: Session, customer_id: int) -> bool:
    return session.get(Customer, customer_id) is not None


def address_of(session: Session, customer_id: int, address_id: int) -> AddressOut:
    a = session.get(Address, address_id)
    if a is None or a.customer_id != customer_id:
        raise NotFound("address", address_id)
    return AddressOut.model_validate(a)


def phone_of(session: Session, customer_id: int) -> str | None:
    c = session.get(Customer, customer_id)
    return c.phone if c else None
