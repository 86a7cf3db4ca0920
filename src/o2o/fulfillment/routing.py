"""Routing v1: which location fulfils an order, and why. Pure: no database, no clock.

1. the customer's chosen store, if it has every line (and can serve the wanted mode);
2. else the nearest store whose delivery radius covers the customer and that has every line;
3. else the nearest warehouse (or parcel-capable store) that has every line, by parcel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from o2o.locations.schemas import Candidate

PICKUP, STORE_DELIVERY, PARCEL, AUTO = "pickup", "store_delivery", "parcel", "auto"


@dataclass(frozen=True, slots=True)
class RouteRequest:
    wanted_mode: str
    lines: Mapping[int, int]  # sku_id -> total quantity
    chosen_location_id: int | None = None
    has_address: bool = False  # a delivery address (needed for store delivery and parcel)


@dataclass(frozen=True, slots=True)
class Decision:
    location_id: int
    mode: str
    reason: str
    distance_m: int | None


def _has_all(loc: int, lines: Mapping[int, int], stock: Mapping[tuple[int, int], int]) -> bool:
    return all(stock.get((loc, sku), 0) >= qty for sku, qty in lines.items())


def _store_mode(req: RouteRequest, c: Candidate) -> str | None:
    """The mode a store serves this request in, or None if it cannot."""
    if req.wanted_mode == PICKUP:
        return PICKUP if c.can_pickup else None
    if req.wanted_mode == STORE_DELIVERY:
        return STORE_DELIVERY if c.can_store_delivery and req.has_address else None
    if req.wanted_mode == AUTO:  # an address means the customer wants it brought to them
        if req.has_address:
            return STORE_DELIVERY if c.can_store_delivery else None
        return PICKUP if c.can_pickup else None
    return None


def usable(req: RouteRequest, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates `decide` can pick: shippers, the chosen store, stores whose radius covers the point.

    Filtering before the stock query keeps it to a few dozen locations even among thousands of stores.
    """
    return [c for c in candidates if c.kind == "warehouse" or c.can_parcel or c.id == req.chosen_location_id
            or (c.distance_m is not None and c.distance_m <= c.radius_m)]


def decide(req: RouteRequest, candidates: list[Candidate],
           stock: Mapping[tuple[int, int], int]) -> Decision | None:
    by_id = {c.id: c for c in candidates}
    chosen = by_id.get(req.chosen_location_id) if req.chosen_location_id else None
    why_not_chosen = ""
    if chosen is not None and chosen.kind == "store" and req.wanted_mode != PARCEL:
        mode = _store_mode(req, chosen)
        in_range = mode != STORE_DELIVERY or (chosen.distance_m or 0) <= chosen.radius_m
        if mode and in_range and _has_all(chosen.id, req.lines, stock):
            return Decision(chosen.id, mode, "chosen store has every line", _round(chosen.distance_m))
        why_not_chosen = ("chosen store lacks stock; " if mode and in_range else
                          "chosen store cannot serve this mode; ")

    if req.wanted_mode != PARCEL:
        stores = sorted((c for c in candidates if c.kind == "store" and c.distance_m is not None
                         and c.distance_m <= c.radius_m), key=lambda c: c.distance_m or 0.0)
        for c in stores:
            mode = _store_mode(req, c)
            if mode and c.id != req.chosen_location_id and _has_all(c.id, req.lines, stock):
                return Decision(c.id, mode, f"{why_not_chosen}nearest store within {c.radius_m} m "
                                f"with every line ({round(c.distance_m or 0)} m)", _round(c.distance_m))
        why_not_store = f"{why_not_chosen}no store within its radius has every line; "
    else:
        why_not_store = "parcel wanted; "

    if req.wanted_mode == PICKUP or not req.has_address:
        return None  # pickup only, or nowhere to ship a parcel to
    shippers = sorted((c for c in candidates if c.kind == "warehouse" or c.can_parcel),
                      key=lambda c: (c.kind != "warehouse", c.distance_m if c.distance_m is not None else 1e12))
    for c in shippers:
        if _has_all(c.id, req.lines, stock):
            return Decision(c.id, PARCEL, f"{why_not_store}{c.kind} {c.name} ships by parcel", _round(c.distance_m))
    return None


def confirmed(req: RouteRequest, chosen: Candidate | None,
              stock: Mapping[tuple[int, int], int]) -> tuple[Decision | None, str]:
    """Exactly the plan the customer confirmed: the chosen location in the wanted mode, never another.

    Returns the decision, or None and why not: "unknown-location", "mode" (the location does not serve
    it), "no-address", "out-of-range" (store delivery beyond the store's radius) or "short" (stock).
    """
    if chosen is None:
        return None, "unknown-location"
    mode = req.wanted_mode
    serves = {PICKUP: chosen.kind == "store" and chosen.can_pickup,
              STORE_DELIVERY: chosen.kind == "store" and chosen.can_store_delivery,
              PARCEL: chosen.kind == "warehouse" or chosen.can_parcel}.get(mode, False)
    if not serves:
        return None, "mode"
    if mode != PICKUP and not req.has_address:
        return None, "no-address"
    if mode == STORE_DELIVERY and (chosen.distance_m is None or chosen.distance_m > chosen.radius_m):
        return None, "out-of-range"
    if not _has_all(chosen.id, req.lines, stock):
        return None, "short"
    reason = f"{chosen.kind} {chosen.name} ships by parcel" if mode == PARCEL else "chosen store has every line"
    return Decision(chosen.id, mode, reason, _round(chosen.distance_m)), ""


def _round(d: float | None) -> int | None:
    return None if d is None else round(d)
