"""Inventory failures."""

from __future__ import annotations

from o2o.kernel.errors import Conflict, Problem


class ReservationFailed(Exception):
    """A conditional UPDATE matched no row: not enough available. The caller rolls back."""

    def __init__(self, location_id: int, sku_id: int, quantity: int) -> None:
        super().__init__(f"cannot reserve {quantity} of sku {sku_id} at location {location_id}")
        self.location_id, self.sku_id, self.quantity = location_id, sku_id, quantity


class InsufficientStock(Problem):
    status, kind, message_key = 409, "insufficient-stock", "insufficient_stock"


class BelowReserved(Conflict):
    kind = "below-reserved"
