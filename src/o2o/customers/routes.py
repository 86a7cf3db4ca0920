"""Customers API."""

from __future__ import annotations

from fastapi import APIRouter

from o2o.customers import service
from o2o.customers.schemas import AddressIn, AddressOut, CustomerIn, CustomerOut
from o2o.deps import ContainerDep

router = APIRouter(prefix="/api/v1", tags=["customers"])


@router.post("/customers", response_model=CustomerOut, status_code=201)
def create_customer(c: ContainerDep, body: CustomerIn) -> CustomerOut:
    return service.create(c.uow(), body)


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(c: ContainerDep, customer_id: int) -> CustomerOut:
    return service.get(c.db, customer_id)


@router.post("/customers/{customer_id}/addresses", response_model=AddressOut, status_code=201)
def add_address(c: ContainerDep, customer_id: int, body: AddressIn) -> AddressOut:
    return service.add_address(c.uow(), customer_id, body)


@router.get("/customers/{customer_id}/addresses", response_model=list[AddressOut])
def list_addresses(c: ContainerDep, customer_id: int) -> list[AddressOut]:
    return service.addresses(c.db, customer_id)
