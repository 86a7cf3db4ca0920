"""Point-of-sale shapes at the API edge."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TenderOut(BaseModel):
    """One tender of an order rung up at a till (cash: `amount_fen` is net of the change handed back)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    amount_fen: int
    change_fen: int
    reference: str | None
    refunded_fen: int
