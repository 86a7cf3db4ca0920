"""Sourcing engine (pure), table-driven: each constraint and each cost component on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from o2o.fulfillment.sourcing import (
    OK,
    PARCEL,
    PICKUP,
    STORE_DELIVERY,
    UNFULFILLABLE,
    Request,
    SourcingSettings,
    decide,
)
from tests.unit.sourcing.helpers import ALWAYS, DAYTIME, NOON, store, warehouse

pytestmark = pytest.mark.unit
# no bonus or balance effects unless a test is about them
PLAIN = SourcingSettings(balance_floor_units=0, excess_units=10**6)


def req(lines: dict[int, int], mode: str = STORE_DELIVERY, **kw) -> Request:
    return Request(lines=lines, mode=mode, now=kw.pop("now", NOON), has_address=kw.pop("has_address", True), **kw)


def why(decision, location_id: int) -> str | None:
    return next(c.excluded for c in decision.candidates if c.location_id == location_id)


@pytest.mark.parametrize(("mode", "node", "has_address", "served", "excluded"), [
    (PICKUP, store(1, {10: 5}), False, PICKUP, None),
    (PICKUP, warehouse(1, {10: 5}), True, None, "mode"),
    (PICKUP, store(1, {10: 5}, pickup=False), False, None, "mode"),
    (PICKUP, store(1, {10: 5}, distance=9000), False, None, "out-of-range"),
    (STORE_DELIVERY, store(1, {10: 5}), True, STORE_DELIVERY, None),
    (STORE_DELIVERY, store(1, {10: 5}), False, None, "no-address"),
    (STORE_DELIVERY, store(1, {10: 5}, distance=3500), True, None, "out-of-range"),
    (STORE_DELIVERY, store(1, {10: 5}, distance=3500, parcel=True), True, PARCEL, None),
    (STORE_DELIVERY, warehouse(1, {10: 5}), True, PARCEL, None),
    (PARCEL, warehouse(1, {10: 5}), True, PARCEL, None),
    (PARCEL, store(1, {10: 5}), True, None, "mode"),
    (PARCEL, store(1, {10: 5}, parcel=True), True, PARCEL, None),
])
def test_mode_decides_who_may_serve_when_mode_and_reach_vary(mode, node, has_address, served, excluded):
    d = decide(req({10: 1}, mode, has_address=has_address), [node], PLAIN)
    assert why(d, 1) == excluded
    assert (d.allocations[0].mode if d.ok else None) == served


def test_chosen_pickup_store_counts_when_it_is_farther_than_the_pickup_reach():
    d = decide(req({10: 1}, PICKUP, has_address=False, chosen_location_id=1), [store(1, {10: 1}, distance=9000)], PLAIN)
    assert d.ok and d.allocations[0].location_id == 1


@pytest.mark.parametrize(("kw", "excluded"), [
    ({"hourly_left": 0}, "capacity-hour"),
    ({"daily_left": 0}, "capacity-day"),
    ({"hourly_left": 1, "daily_left": 1}, None),
    ({"hours": {"mon": [], "tue": [], "wed": [], "thu": [], "fri": [], "sat": [], "sun": []}}, "closed"),
])
def test_capacity_and_hours_rule_out_a_store_when_exhausted_or_never_open(kw, excluded):
    d = decide(req({10: 1}), [store(1, {10: 5}, **kw), warehouse(2, {10: 5})], PLAIN)
    assert why(d, 1) == excluded
    assert d.allocations[0].location_id == (2 if excluded else 1)


def test_no_stock_is_the_reason_when_a_store_holds_none_of_the_lines():
    d = decide(req({10: 3}), [store(1, {10: 2}), store(2, {10: 3})], PLAIN)
    assert why(d, 1) == "no-stock" and d.allocations[0].location_id == 2


@pytest.mark.parametrize(("local_now", "eta_minutes"), [
    ("12:00", 20 + 10 + 4),  # open: pick, courier pickup, 1 km at 250 m/min
    ("21:40", 10 * 60 + 20 + 20 + 14),  # past the 21:30 cut-off: starts at 08:00 tomorrow
    ("06:00", 120 + 20 + 14),  # before opening: starts at 08:00
])
def test_eta_follows_hours_and_cut_off_when_ordered_at_different_times(local_now, eta_minutes):
    h, m = map(int, local_now.split(":"))
    now = NOON + timedelta(hours=h - 12, minutes=m)
    d = decide(req({10: 1}, now=now), [store(1, {10: 5}, hours=DAYTIME)], PLAIN)
    assert d.allocations[0].eta == now + timedelta(minutes=eta_minutes)


def test_a_24_hour_store_has_no_cut_off_when_ordered_at_midnight():
    now = NOON + timedelta(hours=11, minutes=50)  # 23:50 local
    d = decide(req({10: 1}, now=now), [store(1, {10: 5}, hours=ALWAYS)], PLAIN)
    assert d.allocations[0].eta == now + timedelta(minutes=34)


def test_store_in_another_zone_is_read_in_its_own_zone():
    # 12:00 in Shanghai is 04:00 UTC: a store in UTC with daytime hours is closed until 08:00 (4 h)
    d = decide(req({10: 1}), [store(1, {10: 5}, hours=DAYTIME, timezone="UTC")], PLAIN)
    assert d.allocations[0].eta == NOON + timedelta(minutes=240 + 34)


@pytest.mark.parametrize(("distance", "fee"), [(400, 500), (1000, 500), (1001, 700), (3000, 700)])
def test_courier_fee_follows_distance_bands_when_distance_varies(distance, fee):
    d = decide(req({10: 1}), [store(1, {10: 5}, distance=distance)], PLAIN)
    assert d.allocations[0].costs.delivery_fen == fee
    assert d.total_fen == fee + PLAIN.picking_fen


def test_parcel_fee_and_pickup_detour_when_modes_differ():
    parcel = decide(req({10: 1}, PARCEL), [warehouse(1, {10: 5})], PLAIN)
    assert parcel.allocations[0].costs.delivery_fen == PLAIN.parcel_fee_fen
    pickup = decide(req({10: 1}, PICKUP, has_address=False), [store(1, {10: 5}, distance=2500)], PLAIN)
    assert pickup.allocations[0].costs.delivery_fen == 250


@pytest.mark.parametrize(("tier", "late_fen"), [(None, 14 * 20), ("silver", 14 * 20), ("gold", 14 * 40)])
def test_lateness_is_charged_per_minute_and_weighted_by_tier_when_the_promise_is_missed(tier, late_fen):
    promised = NOON + timedelta(minutes=20)  # the store needs 34
    d = decide(req({10: 1}, promised_by=promised, tier=tier), [store(1, {10: 5})], PLAIN)
    assert d.allocations[0].costs.lateness_fen == late_fen


def test_no_lateness_when_the_promise_is_kept():
    d = decide(req({10: 1}, promised_by=NOON + timedelta(hours=2)), [store(1, {10: 5})], PLAIN)
    assert d.allocations[0].costs.lateness_fen == 0


def test_balance_penalty_when_a_store_would_be_drained():
    st = SourcingSettings(balance_floor_units=2, balance_fen_per_unit=150, excess_units=10**6)
    d = decide(req({10: 2}), [store(1, {10: 2})], st)  # 0 left: 2 units below the floor
    assert d.allocations[0].costs.balance_fen == 300
    d = decide(req({10: 2}), [warehouse(1, {10: 2})], st)  # warehouses are meant to drain
    assert d.allocations[0].costs.balance_fen == 0


def test_excess_bonus_moves_the_order_to_the_overstocked_store():
    st = SourcingSettings(balance_floor_units=0, excess_units=30, excess_bonus_fen=250)
    near, far = store(1, {10: 5}, distance=900), store(2, {10: 100}, distance=1500)  # fees 500 vs 700
    d = decide(req({10: 1}), [near, far], st)
    assert d.allocations[0].location_id == 2 and d.allocations[0].costs.excess_bonus_fen == -250


def test_balance_penalty_moves_the_order_away_from_the_last_units():
    st = SourcingSettings(balance_floor_units=3, balance_fen_per_unit=200, excess_units=10**6)
    near, far = store(1, {10: 1}, distance=900), store(2, {10: 10}, distance=1500)
    assert decide(req({10: 1}), [near, far], st).allocations[0].location_id == 2


def test_fewest_locations_win_even_when_a_split_is_cheaper():
    nodes = [store(1, {10: 5}, distance=500), store(2, {11: 5}, distance=500), warehouse(3, {10: 5, 11: 5})]
    d = decide(req({10: 1, 11: 1}), nodes, PLAIN)
    assert [a.location_id for a in d.allocations] == [3] and d.splits == 0


def test_split_when_no_single_location_holds_every_line():
    nodes = [store(1, {10: 5}), store(2, {11: 5}), store(3, {10: 1})]
    d = decide(req({10: 1, 11: 1}), nodes, PLAIN)
    assert d.ok and d.splits == 1
    assert {a.location_id: dict(a.lines) for a in d.allocations} == {1: {10: 1}, 2: {11: 1}}


@pytest.mark.parametrize(("max_split", "status"), [(2, UNFULFILLABLE), (3, OK)])
def test_max_split_bounds_the_locations_when_three_are_needed(max_split, status):
    nodes = [store(1, {10: 5}), store(2, {11: 5}), store(3, {12: 5})]
    d = decide(req({10: 1, 11: 1, 12: 1}), nodes, PLAIN.model_copy(update={"max_split": max_split}))
    assert d.status == status and d.max_split == max_split
    if status == UNFULFILLABLE:
        assert "at most 2 location" in d.reason and set(d.unfulfilled) == {10, 11, 12}


def test_unfulfillable_names_the_line_nobody_holds():
    d = decide(req({10: 1, 11: 9}), [store(1, {10: 5, 11: 3})], PLAIN)
    assert d.status == UNFULFILLABLE and set(d.unfulfilled) == {11} and "sku 11" in d.reason
    assert d.allocations == ()


def test_ties_go_to_the_lower_location_id():
    d = decide(req({10: 1}), [store(7, {10: 5}), store(3, {10: 5}), store(5, {10: 5})], PLAIN)
    assert d.allocations[0].location_id == 3


def test_candidates_are_ranked_with_costs_and_exclusions_for_the_record():
    nodes = [store(1, {10: 5}, distance=2000), store(2, {10: 5}, distance=500), store(3, {10: 5}, hourly_left=0)]
    d = decide(req({10: 1}), nodes, PLAIN)
    assert [(c.location_id, c.rank, c.chosen, c.excluded) for c in d.candidates] == [
        (2, 1, True, None), (1, 2, False, None), (3, 3, False, "capacity-hour")]
    j = d.to_json()
    assert j["candidates"][0]["costs"]["total_fen"] == 800 and j["allocations"][0]["lines"] == {"10": 1}


def test_a_tiny_budget_hands_over_to_cp_sat_with_the_same_answer():
    nodes = [store(i, {10 + (i % 4): 5, 20: 1 + i}, distance=200 * i) for i in range(1, 13)]
    r = req({10: 1, 11: 1, 12: 1, 13: 1, 20: 3})
    exact = decide(r, nodes, SourcingSettings(max_split=3))
    cp = decide(r, nodes, SourcingSettings(max_split=3, exact_budget=1))
    assert exact.search.method == "exact" and cp.search.method == "cp-sat"
    assert cp.search.optimal and cp.search.limit is None
    assert (cp.total_fen, len(cp.allocations)) == (exact.total_fen, len(exact.allocations))


def test_a_cp_sat_time_limit_is_reported_never_silent():
    nodes = [store(i, {s: 1 + (i * s) % 7 for s in range(10, 22) if (i + s) % 3}, distance=37 * i)
             for i in range(1, 80)]
    d = decide(req({s: 1 for s in range(10, 22)}), nodes,
               SourcingSettings(max_split=4, exact_budget=1, cpsat_seconds=0.001))
    assert d.search.method == "cp-sat"
    assert not d.search.optimal and "cp-sat" in (d.search.limit or "")
    assert d.search.limit in d.reason


@pytest.mark.parametrize("bad", [{}, {10: 0}, {10: -1}])
def test_empty_or_non_positive_lines_are_refused(bad):
    with pytest.raises(ValueError):
        decide(req(bad), [store(1, {10: 5})])


def test_reallocate_rules_out_the_failing_location_even_when_it_is_the_best():
    from o2o.fulfillment.sourcing import reallocate

    nodes = [store(1, {10: 5}, distance=100), store(2, {10: 5}, distance=2000)]
    assert decide(req({10: 1}), nodes, PLAIN).allocations[0].location_id == 1
    d = reallocate(req({10: 1}), nodes, 1, PLAIN)
    assert d.allocations[0].location_id == 2 and why(d, 1) == "rejected"
    assert not reallocate(req({10: 1}), nodes[:1], 1, PLAIN).ok
