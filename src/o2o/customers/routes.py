"""Customers API. A customer reaches only their own profile; staff see it masked unless they hold
pii:read (a store role, or a store-bound key, only for the customers of its store: who ordered there or
were served from it), and every unmasked read by staff is written to the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request

from o2o.customers import service
from o2o.customers.schemas import AddressIn, AddressOut, CustomerIn, CustomerOut
from o2o.deps import ContainerDep, PrincipalDep, Uow, audit_event
from o2o.kernel import pii
from o2o.kernel.auth import Principal, require_owner
from o2o.kernel.ids import Id
from o2o.orders import service as orders

router = APIRouter(prefix="/api/v1", tags=["customers"])
COARSE = 2  # decimals of a coordinate shown masked (~1 km)


def _coarse(x: float | None) -> float | None:
    return None if x is None else round(x, COARSE)


def _unmasked(request: Request, c: ContainerDep, p: Principal, customer_id: int, target: str,
              typed_in: bool = False) -> bool:
    """Customers see their own data; staff with pii:read see it too, and that read is audited. pii:read
    is chain-wide for HQ roles; a store-bound caller holds it only for its store's customers (or for what
    it has just typed in itself) and sees everyone else masked, as a clerk does."""
    if p.is_customer:
        return True
    if not p.can("pii:read"):
        return False
    if p.store_id is not None and not typed_in and not orders.is_customer_of(c.db, customer_id, p.store_id):
        return False
    audit_event(request, c, p, "pii.read", target)
    return True


def mask_customer(out: CustomerOut) -> CustomerOut:
    return out.model_copy(update={"name": pii.mask_name(out.name), "phone": pii.mask_phone(out.phone),
                                  "email": pii.mask_email(out.email), "home_lat": _coarse(out.home_lat),
                                  "home_lng": _coarse(out.home_lng)})


def mask_address(a: AddressOut) -> AddressOut:
    return a.model_copy(update={"recipient": pii.mask_name(a.recipient), "phone": pii.mask_phone(a.phone),
                                "line": pii.mask_text(a.line), "lat": _coarse(a.lat), "lng": _coarse(a.lng)})


@router.post("/customers", response_model=CustomerOut, status_code=201)
def create_customer(request: Request, uow: Uow, c: ContainerDep, p: PrincipalDep, body: CustomerIn) -> CustomerOut:
    """Register a customer at the till (customers sign themselves up with a phone code)."""
    out = service.create(uow, body)  # the caller's own input (an existing phone is refused with 409)
    return out if _unmasked(request, c, p, out.id, f"customer={out.id}", typed_in=True) else mask_customer(out)


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(request: Request, c: ContainerDep, p: PrincipalDep, customer_id: Id) -> CustomerOut:
    require_owner(p, customer_id, "customer", customer_id)
    out = service.get(c.db, customer_id)
    return out if _unmasked(request, c, p, customer_id, f"customer={customer_id}") else mask_customer(out)


@router.post("/customers/{customer_id}/addresses", response_model=AddressOut, status_code=201)
def add_address(uow: Uow, p: PrincipalDep, customer_id: Id, body: AddressIn) -> AddressOut:
    """A customer adds a delivery address of their own (staff cannot plant one)."""
    require_owner(p, customer_id, "customer", customer_id)
    return service.add_address(uow, customer_id, body)


@router.get("/customers/{customer_id}/addresses", response_model=list[AddressOut])
def list_addresses(request: Request, c: ContainerDep, p: PrincipalDep, customer_id: Id) -> list[AddressOut]:
    require_owner(p, customer_id, "customer", customer_id)
    rows = service.addresses(c.db, customer_id)
    if not rows or _unmasked(request, c, p, customer_id, f"customer={customer_id},addresses"):
        return rows
    return [mask_address(a) for a in rows]
