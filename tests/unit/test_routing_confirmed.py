"""The confirmed plan (pure): the chosen location in the wanted mode, or why not; never another location."""

from __future__ import annotations

import pytest

from o2o.fulfillment.routing import Decision, RouteRequest, confirmed
from tests.unit.test_routing import LINES, cand, stock_for


def test_the_chosen_store_with_every_line_is_the_plan():
    d, why = confirmed(RouteRequest("pickup", LINES, 1), cand(1, distance=2500), stock_for(1))
    assert (d, why) == (Decision(1, "pickup", "chosen store has every line", 2500), "")


def test_a_line_short_at_the_chosen_store_is_refused_even_when_another_store_has_it():
    stock = stock_for(2) | {(1, 10): 2, (1, 11): 0}
    assert confirmed(RouteRequest("pickup", LINES, 1), cand(1), stock) == (None, "short")
    assert confirmed(RouteRequest("pickup", LINES, 1), cand(1), stock | {(1, 11): 1})[0] is not None


@pytest.mark.parametrize(("distance", "radius", "why"), [(3001, 3000, "out-of-range"), (3000, 3000, ""),
                                                          (None, 3000, "out-of-range")])
def test_store_delivery_needs_the_address_within_the_stores_own_radius(distance, radius, why):
    req = RouteRequest("store_delivery", LINES, 1, has_address=True)
    d, got = confirmed(req, cand(1, distance=distance, radius=radius), stock_for(1))
    assert got == why and (d is None) == bool(why)


def test_modes_the_location_does_not_serve_and_missing_addresses():
    assert confirmed(RouteRequest("pickup", LINES, 1), cand(1, pickup=False), stock_for(1)) == (None, "mode")
    assert confirmed(RouteRequest("pickup", LINES, 9), cand(9, kind="warehouse"), stock_for(9)) == (None, "mode")
    assert confirmed(RouteRequest("parcel", LINES, 1, True), cand(1), stock_for(1)) == (None, "mode")
    assert confirmed(RouteRequest("auto", LINES, 1, True), cand(1), stock_for(1)) == (None, "mode")
    assert confirmed(RouteRequest("store_delivery", LINES, 1), cand(1), stock_for(1)) == (None, "no-address")
    assert confirmed(RouteRequest("parcel", LINES, 9), cand(9, kind="warehouse"), stock_for(9)) == (None, "no-address")
    assert confirmed(RouteRequest("pickup", LINES, 1), None, stock_for(1)) == (None, "unknown-location")


def test_a_parcel_from_the_confirmed_shipper():
    d, why = confirmed(RouteRequest("parcel", LINES, 9, True), cand(9, kind="warehouse", distance=40_000), stock_for(9))
    assert why == "" and d == Decision(9, "parcel", "warehouse L9 ships by parcel", 40_000)
    d, _ = confirmed(RouteRequest("parcel", LINES, 1, True), cand(1, parcel=True), stock_for(1))
    assert d is not None and d.reason == "store L1 ships by parcel"
