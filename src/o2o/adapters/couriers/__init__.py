"""Same-city couriers (Dada, SF same-city, Meituan delivery): one Protocol, the shapes every platform shares.

A platform quotes a fee for a parcel (store -> customer, by distance and weight), creates a delivery for
our order id (`origin_id`, idempotent: creating the same origin id twice is the same delivery), cancels it
with a reason, takes a tip (when no rider takes the order), answers a status query, and calls us back
with signed status updates. The statuses below are ours; each adapter maps its platform's codes to them.

- `sim`   (o2o.adapters.couriers.sim): a simulated platform run by the worker; it calls back over HTTP.
- `dada`  (o2o.adapters.couriers.dada): Dada's open-platform shape over HTTP (contract-tested against a
          local fake server in the tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

WAITING, ASSIGNED, AT_STORE, DELIVERING, RETURNING = "waiting", "assigned", "at_store", "delivering", "returning"
DELIVERED, CANCELLED, EXPIRED = "delivered", "cancelled", "expired"
STATUSES = (WAITING, ASSIGNED, AT_STORE, DELIVERING, RETURNING, DELIVERED, CANCELLED, EXPIRED)
FINAL = frozenset({DELIVERED, CANCELLED, EXPIRED})
# a status never goes backwards: an update of a lower rank than the current one is stale
RANK = {WAITING: 1, ASSIGNED: 2, AT_STORE: 3, DELIVERING: 4, RETURNING: 5, DELIVERED: 9, CANCELLED: 9, EXPIRED: 9}


class CourierError(Exception):
    """The platform could not be reached or failed: the relay retries (same origin id)."""


class Refused(CourierError):
    """The platform will not take this delivery (out of its area, no capacity, ...): fail over."""


class BadSignature(Exception):
    """A callback not signed with the platform's app secret, or too old: nothing may change."""


@dataclass(frozen=True)
class Parcel:
    """What a platform needs to carry one fulfilment from a store to a customer, or a return from a customer
    to a store (a pickup: `pickup_address` set, the receiver the store)."""

    origin_id: str  # our id of this attempt (idempotency key at the platform)
    store_code: str
    from_lat: float
    from_lng: float
    to_lat: float
    to_lng: float
    address: str
    receiver_name: str
    receiver_phone: str
    value_fen: int
    weight_g: int = 1000
    distance_m: int = 0
    pickup_address: str = ""  # a return's pickup: where the rider collects (from_lat/from_lng), not the store


@dataclass(frozen=True)
class Quote:
    provider: str
    fee_fen: int
    distance_m: int
    eta_minutes: int
    quote_id: str = ""  # a platform's delivery number for "create after quote" (Dada's deliveryNo)


@dataclass(frozen=True)
class Placed:
    provider: str
    origin_id: str
    platform_order_id: str
    fee_fen: int


@dataclass(frozen=True)
class Update:
    """One verified status report (a callback or a query answer)."""

    provider: str
    origin_id: str
    platform_order_id: str
    status: str  # one of STATUSES
    at: int  # the platform's time of the change (unix seconds)
    rider_id: str = ""
    rider_name: str = ""
    rider_phone: str = ""
    reason: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


class Courier(Protocol):
    name: str

    def quote(self, parcel: Parcel) -> Quote: ...
    def create(self, parcel: Parcel, quote: Quote | None = None) -> Placed: ...
    def cancel(self, origin_id: str, reason: str) -> None: ...
    def add_tip(self, origin_id: str, tip_fen: int, total_fen: int) -> None: ...
    def query(self, origin_id: str) -> Update: ...
    def parse_callback(self, body: bytes, headers: Mapping[str, str], now: int) -> Update: ...
