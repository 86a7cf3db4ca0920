"""Cart shapes."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose cart: a signed-in customer's, or the anonymous browser's holding `token` (its cookie)."""

    customer_id: int | None = None
    token: str | None = None

    def __post_init__(self) -> None:
        if (self.customer_id is None) == (self.token is None):
            raise ValueError("a cart belongs to a customer or to a token, not both and not neither")


class CartLineOut(BaseModel):
    sku_id: int
    quantity: int
