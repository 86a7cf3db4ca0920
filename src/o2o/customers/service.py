"""Customers: a minimal profile and addresses (accounts and members come later).

Phone, email and addresses are encrypted at rest; phone and email are found through their keyed
lookup hash. Services return plaintext: masking for callers without pii:read happens at the route.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.customers import repository as repo
from o2o.customers.models import Address, Customer
from o2o.customers.schemas import AddressIn, AddressOut, CustomerExport, CustomerIn, CustomerOut
from o2o.kernel import pii
from o2o.kernel.db import Database
from o2o.kernel.errors import Conflict, NotFound
from o2o.kernel.lookups import get_or_404
from o2o.kernel.uow import UnitOfWork

ERASED_NAME = "已注销用户{id}"
ERASED_PRECISION = 2  # decimals of latitude/longitude kept after erasure (about 1 km)


def _hash(value: str | None, kind: str) -> str | None:
    return pii.lookup_hash(value, kind) if value else None


def _flush_unique(session: Session) -> None:
    """Flush; a clash on a lookup hash is a 409 naming the field (phone or email)."""
    try:
        session.flush()
    except IntegrityError as exc:
        field = "email" if "email_hash" in str(exc.orig) else "phone"
        raise Conflict(f"{field} already registered", field=field) from exc


def create(uow: UnitOfWork, data: CustomerIn) -> CustomerOut:
    with uow:
        s = uow.session
        if find_by_phone(s, data.phone) is not None:
            raise Conflict("phone already registered", field="phone")
        if data.email and find_by_email(s, data.email) is not None:
            raise Conflict("email already registered", field="email")
        c = Customer(**data.model_dump(), phone_hash=_hash(data.phone, "phone"),
                     email_hash=_hash(data.email, "email"), created_at=uow.clock.now())
        s.add(c)
        _flush_unique(s)  # a concurrent registration of the same phone lands here
        out = CustomerOut.model_validate(c)
        uow.describe(f"customer={c.id}")
        uow.publish("customers.created", {"customer_id": c.id})
        uow.commit()
        return out


def sign_up(session: Session, phone: str, name: str, now: datetime) -> int:
    """Joins the caller's transaction: the customer with this phone, created when absent. Publishes nothing."""
    found = find_by_phone(session, phone)
    if found is not None:
        return found
    c = Customer(name=name, phone=phone, phone_hash=pii.lookup_hash(phone), created_at=now)
    try:
        with session.begin_nested():  # a concurrent sign-up with the same phone: take the winner's row
            session.add(c)
            session.flush()
    except IntegrityError:
        found = find_by_phone(session, phone)
        if found is None:
            raise
        return found
    return c.id


def find_by_phone(session: Session, phone: str) -> int | None:
    try:
        digest = pii.lookup_hash(phone, "phone")
    except ValueError:
        return None
    return repo.id_by_hash(session, Customer.phone_hash, digest)


def find_by_email(session: Session, email: str) -> int | None:
    try:
        digest = pii.lookup_hash(email, "email")
    except ValueError:
        return None
    return repo.id_by_hash(session, Customer.email_hash, digest)


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


def export(db: Database, customer_id: int) -> dict[str, Any]:
    """The customer's own data in plaintext (profile and addresses), as a JSON-ready document."""
    with db.read() as s:
        c = get_or_404(s, Customer, customer_id, "customer")
        out = CustomerExport.model_validate(c)
        out.addresses = [AddressOut.model_validate(a) for a in repo.addresses_of(s, customer_id)]
    return out.model_dump(mode="json")


def erase(uow: UnitOfWork, customer_id: int) -> bool:
    """Pseudonymise: the row stays (orders and ledgers keep pointing at it), the person goes.

    Name becomes 已注销用户{id}; phone, email and their lookup hashes are cleared (the old phone no
    longer finds them, and may register again); addresses lose recipient, phone and line, and every
    coordinate is rounded to ~1 km. Publishes customers.erased. False (and nothing changes) when the
    customer was already erased. Other areas' copies (an order's ship-to) are erased by the caller
    in the same unit of work (`uow.before_commit`) or by a handler of customers.erased.
    """
    with uow:
        s = uow.session
        c = repo.lock(s, customer_id)
        if c is None:
            raise NotFound("customer", customer_id)
        if c.erased_at is not None:
            return False
        c.name = ERASED_NAME.format(id=c.id)
        c.phone = c.phone_hash = c.email = c.email_hash = None
        c.home_lat, c.home_lng = _coarse(c.home_lat), _coarse(c.home_lng)
        c.erased_at = uow.clock.now()
        for a in repo.addresses_of(s, customer_id):
            a.recipient = a.phone = a.line = ""
            a.lat, a.lng = round(a.lat, ERASED_PRECISION), round(a.lng, ERASED_PRECISION)
        uow.publish("customers.erased", {"customer_id": customer_id})
        uow.commit()
        return True


def _coarse(x: float | None) -> float | None:
    return None if x is None else round(x, ERASED_PRECISION)
