"""Who is calling: the principal every route sees, and the scope checks areas apply with it.

The iam area decides who the caller is and whether the route's action is allowed at all (its
permission table); the areas then narrow by scope with these helpers: a customer sees only their
own things, a store role only its store. Out of scope answers 404, so ids of others' data leak
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from o2o.kernel.errors import NotFound

Kind = Literal["customer", "staff", "api_key"]


@dataclass(frozen=True, slots=True)
class Principal:
    kind: Kind
    id: int
    name: str
    role: str | None = None  # staff role, or "api_key"
    store_id: int | None = None  # store roles and store-bound keys: the one store they act for
    supplier_id: int | None = None
    actions: frozenset[str] = field(default_factory=frozenset)
    session_id: int | None = None
    via_cookie: bool = False

    @property
    def is_customer(self) -> bool:
        return self.kind == "customer"

    @property
    def is_staff(self) -> bool:
        """Staff users and integration keys: everything they write is audited."""
        return self.kind != "customer"

    def can(self, action: str) -> bool:
        return action in self.actions

    def covers(self, location_id: int | None) -> bool:
        """A store-bound principal covers only its store; HQ roles cover every location."""
        return self.store_id is None or self.store_id == location_id

    @property
    def actor(self) -> str:
        """The name that goes into history rows."""
        return f"customer:{self.id}" if self.is_customer else f"{self.kind}:{self.name}"


def require_location(p: Principal, location_id: int | None, what: str = "location") -> None:
    if not p.covers(location_id):
        raise NotFound(what, location_id)


def require_owner(p: Principal, customer_id: int | None, what: str, ident: object) -> None:
    """Customers reach only their own records; others' ids look like unknown ids."""
    if p.is_customer and customer_id != p.id:
        raise NotFound(what, ident)
