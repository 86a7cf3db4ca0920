"""The engine's inputs and its decision: plain frozen dataclasses (built in the hot path)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PICKUP, STORE_DELIVERY, PARCEL = "pickup", "store_delivery", "parcel"
MODES = (PICKUP, STORE_DELIVERY, PARCEL)
STORE, WAREHOUSE = "store", "warehouse"

OK, UNFULFILLABLE = "ok", "unfulfillable"


@dataclass(frozen=True, slots=True)
class Request:
    """What the customer asked for. `lines`: SKU id -> units; `promised_by`: when the order must be with
    the customer (pickup: ready at the store), None for no promise; `lat`/`lng`: the customer (the
    service finds candidates near it; the engine reads each location's distance)."""

    lines: Mapping[int, int]
    mode: str
    now: datetime
    promised_by: datetime | None = None
    chosen_location_id: int | None = None
    has_address: bool = False
    tier: str | None = None
    channel: str = "online"
    region: str | None = None
    lat: float | None = None
    lng: float | None = None


@dataclass(slots=True)
class Node:
    """A location the order could come from, with what the engine needs to know about it now.

    `stock`: SKU id -> units available (on hand - reserved - safety stock) for the order's SKUs;
    `hours`: weekday -> [[open, close], ...] in the location's own zone (`timezone`, IANA);
    `hourly_left` / `daily_left`: fulfilments it can still take this hour / today (None: no limit)."""

    id: int
    kind: str
    name: str
    distance_m: float | None
    radius_m: int
    can_pickup: bool
    can_store_delivery: bool
    can_parcel: bool
    stock: Mapping[int, int]
    timezone: str = "Asia/Shanghai"
    hours: Mapping[str, Any] | None = None
    hourly_left: int | None = None
    daily_left: int | None = None


@dataclass(frozen=True, slots=True)
class Costs:
    """One location's cost components in fen (bonus is <= 0); `lines` sums the per-line parts."""

    delivery_fen: int = 0  # courier fee, parcel fee or pickup detour
    picking_fen: int = 0
    lateness_fen: int = 0
    balance_fen: int = 0
    excess_bonus_fen: int = 0

    @property
    def total_fen(self) -> int:
        return self.delivery_fen + self.picking_fen + self.lateness_fen + self.balance_fen + self.excess_bonus_fen


@dataclass(frozen=True, slots=True)
class Candidate:
    """A location as the decision record shows it ("why this store"): how it would serve the order,
    its costs if the whole order came from it (lines it holds only), or why it was ruled out."""

    location_id: int
    name: str
    kind: str
    mode: str | None
    distance_m: int | None
    eta: datetime | None
    lines_held: int  # lines of the order it has enough units of
    costs: Costs
    excluded: str | None = None  # why not a candidate at all ("mode", "closed", "capacity-hour", "rule:...")
    chosen: bool = False  # part of the decision
    rank: int = 0


@dataclass(frozen=True, slots=True)
class Allocation:
    location_id: int
    mode: str
    lines: Mapping[int, int]
    costs: Costs
    eta: datetime | None


@dataclass(frozen=True, slots=True)
class Search:
    """How the decision was found: "exact" (branch and bound), "cp-sat", or "none" (nothing to search).
    `optimal` is False only when a limit was hit before optimality was proven; `limit` says which."""

    method: str
    optimal: bool
    explored: int
    limit: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    status: str  # OK or UNFULFILLABLE
    reason: str
    allocations: tuple[Allocation, ...]
    total_fen: int
    max_split: int
    search: Search
    candidates: tuple[Candidate, ...] = ()
    rules: tuple[str, ...] = ()  # what each rule that applied did
    unfulfilled: Mapping[int, str] = field(default_factory=dict)  # SKU id -> why no plan could hold it

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def splits(self) -> int:
        return max(0, len(self.allocations) - 1)

    def to_json(self) -> dict[str, Any]:
        """The record kept with the order (JSON types only), written field by field: placing an order
        writes one, and dataclasses.asdict (a deep copy of every candidate) cost it milliseconds. A ruled
        out candidate's costs are null (`_candidate`)."""
        return {"status": self.status, "reason": self.reason,
                "allocations": [{"location_id": a.location_id, "mode": a.mode,
                                 "lines": {str(k): q for k, q in a.lines.items()}, "costs": _costs(a.costs),
                                 "eta": _iso(a.eta)} for a in self.allocations],
                "total_fen": self.total_fen, "max_split": self.max_split,
                "search": {"method": self.search.method, "optimal": self.search.optimal,
                           "explored": self.search.explored, "limit": self.search.limit},
                "candidates": [_candidate(c) for c in self.candidates],
                "rules": list(self.rules), "unfulfilled": {str(k): why for k, why in self.unfulfilled.items()}}


def _candidate(c: Candidate) -> dict[str, Any]:
    """A ranked candidate; one ruled out has no costs to show (`costs` null: every order writes its record)."""
    return {"location_id": c.location_id, "name": c.name, "kind": c.kind, "mode": c.mode,
            "distance_m": c.distance_m, "eta": _iso(c.eta), "lines_held": c.lines_held,
            "costs": None if c.excluded is not None else _costs(c.costs), "excluded": c.excluded, "chosen": c.chosen,
            "rank": c.rank}


def _costs(c: Costs) -> dict[str, int]:
    return {"delivery_fen": c.delivery_fen, "picking_fen": c.picking_fen, "lateness_fen": c.lateness_fen,
            "balance_fen": c.balance_fen, "excess_bonus_fen": c.excess_bonus_fen, "total_fen": c.total_fen}


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()
