"""Routing choices (pure): chosen store, nearest store in radius, warehouse by parcel."""

from __future__ import annotations

import pytest

from o2o.fulfillment.routing import Decision, RouteRequest, decide
from o2o.locations.schemas import Candidate


def cand(id: int, kind: str = "store", distance: float | None = 1000, radius: int = 3000, **kw: bool) -> Candidate:
    return Candidate(id=id, kind=kind, name=f"L{id}", lat=31.2, lng=121.4, radius_m=radius,
                     can_pickup=kw.get("pickup", kind == "store"), can_store_delivery=kw.get("delivery", kind == "store"),
                     can_parcel=kw.get("parcel", kind == "warehouse"), distance_m=distance)


LINES = {10: 2, 11: 1}


def stock_for(*locs: int, qty: int = 5) -> dict[tuple[int, int], int]:
    return {(loc, sku): qty for loc in locs for sku in LINES}


def test_chosen_store_wins_when_it_has_every_line():
    cands = [cand(1, distance=2500), cand(2, distance=100)]
    d = decide(RouteRequest("pickup", LINES, chosen_location_id=1), cands, stock_for(1, 2))
    assert d == Decision(1, "pickup", "chosen store has every line", 2500)


def test_nearest_store_when_chosen_lacks_a_line():
    cands = [cand(1, distance=0), cand(2, distance=1800), cand(3, distance=900)]
    stock = stock_for(2, 3) | {(1, 10): 5, (1, 11): 0}
    d = decide(RouteRequest("pickup", LINES, chosen_location_id=1), cands, stock)
    assert d is not None and d.location_id == 3 and d.mode == "pickup"
    assert d.reason.startswith("chosen store lacks stock; nearest store")


def test_store_outside_its_own_radius_is_not_used():
    cands = [cand(1, distance=3500, radius=3000), cand(9, kind="warehouse", distance=30_000)]
    d = decide(RouteRequest("auto", LINES, has_address=True), cands, stock_for(1, 9))
    assert d is not None and d.location_id == 9 and d.mode == "parcel"


def test_a_line_short_by_one_unit_disqualifies_a_store():
    cands = [cand(1, distance=100), cand(2, distance=2000)]
    stock = stock_for(2) | {(1, 10): 1, (1, 11): 5}  # wants 2 of sku 10
    d = decide(RouteRequest("auto", LINES, has_address=True), cands, stock)
    assert d is not None and d.location_id == 2 and d.mode == "store_delivery"


def test_warehouse_by_parcel_when_no_store_can():
    cands = [cand(1, distance=100), cand(8, kind="warehouse", distance=40_000), cand(9, kind="warehouse", distance=9000)]
    d = decide(RouteRequest("auto", LINES, has_address=True), cands, stock_for(8, 9))
    assert d is not None and (d.location_id, d.mode) == (9, "parcel")
    assert "no store within its radius has every line" in d.reason


def test_pickup_never_falls_back_to_parcel():
    cands = [cand(1, distance=100), cand(9, kind="warehouse", distance=9000)]
    assert decide(RouteRequest("pickup", LINES, chosen_location_id=1), cands, stock_for(9)) is None


def test_parcel_wanted_skips_stores():
    cands = [cand(1, distance=100), cand(9, kind="warehouse", distance=9000)]
    d = decide(RouteRequest("parcel", LINES, has_address=True), cands, stock_for(1, 9))
    assert d is not None and (d.location_id, d.mode) == (9, "parcel")


def test_store_delivery_needs_the_capability():
    cands = [cand(1, distance=100, delivery=False), cand(2, distance=500)]
    d = decide(RouteRequest("store_delivery", LINES, has_address=True), cands, stock_for(1, 2))
    assert d is not None and d.location_id == 2


@pytest.mark.parametrize("wanted,has_address,expected", [
    ("auto", True, "store_delivery"), ("auto", False, "pickup"), ("pickup", True, "pickup")])
def test_auto_mode_follows_the_address(wanted: str, has_address: bool, expected: str):
    d = decide(RouteRequest(wanted, LINES, chosen_location_id=None, has_address=has_address),
               [cand(1, distance=10)], stock_for(1))
    assert d is not None and d.mode == expected


def test_nothing_in_stock_anywhere_is_no_decision():
    assert decide(RouteRequest("auto", LINES, has_address=True), [cand(1), cand(9, kind="warehouse")], {}) is None


def test_auto_with_an_address_never_turns_into_pickup_at_a_store_that_cannot_deliver():
    cands = [cand(1, distance=100, delivery=False), cand(9, kind="warehouse", distance=9000)]
    d = decide(RouteRequest("auto", LINES, has_address=True), cands, stock_for(1, 9))
    assert d is not None and (d.location_id, d.mode) == (9, "parcel")


@pytest.mark.parametrize("seed", range(40))
def test_usable_candidates_decide_exactly_as_all_candidates(seed: int):
    import random

    from o2o.fulfillment.routing import usable
    rng = random.Random(seed)
    cands = [cand(i, kind=rng.choice(["store"] * 5 + ["warehouse"]), distance=rng.uniform(0, 8000),
                  radius=rng.choice([2000, 3000, 5000]), delivery=rng.random() < 0.8) for i in range(1, 30)]
    stock = {(c.id, sku): rng.randint(0, 3) for c in cands for sku in LINES}
    for mode in ("auto", "pickup", "store_delivery", "parcel"):
        req = RouteRequest(mode, LINES, chosen_location_id=rng.choice([None, 3, 7]), has_address=mode != "pickup")
        assert decide(req, usable(req, cands), stock) == decide(req, cands, stock)
