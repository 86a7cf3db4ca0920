"""Shared builders for the sourcing engine's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from o2o.fulfillment.sourcing import Node

NOON = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # Monday 12:00 in Shanghai
ALWAYS = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
DAYTIME = {d: [["08:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def store(id: int, stock: dict[int, int], distance: float = 1000, radius: int = 3000, **kw: Any) -> Node:
    return Node(id=id, kind="store", name=f"S{id}", distance_m=distance, radius_m=radius,
                can_pickup=kw.pop("pickup", True), can_store_delivery=kw.pop("delivery", True),
                can_parcel=kw.pop("parcel", False), stock=stock, **kw)


def warehouse(id: int, stock: dict[int, int], distance: float = 30_000, **kw: Any) -> Node:
    return Node(id=id, kind="warehouse", name=f"W{id}", distance_m=distance, radius_m=0, can_pickup=False,
                can_store_delivery=False, can_parcel=True, stock=stock, **kw)
