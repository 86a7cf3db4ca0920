"""Sourcing rules (pure): each kind, matching by channel/region/mode, order, and the JSON validation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from o2o.fulfillment.sourcing import (
    PARCEL,
    PICKUP,
    SPEC,
    STORE_DELIVERY,
    Request,
    Rule,
    SourcingSettings,
    decide,
)
from tests.unit.sourcing.helpers import ALWAYS, DAYTIME, NOON, store, warehouse

pytestmark = pytest.mark.unit
PLAIN = SourcingSettings(balance_floor_units=0, excess_units=10**6)


def rule(name: str, **spec) -> Rule:
    return Rule(id=hash(name) % 1000, name=name, spec=SPEC.validate_python(spec))


def req(mode: str = STORE_DELIVERY, **kw) -> Request:
    return Request(lines=kw.pop("lines", {10: 1}), mode=mode, now=kw.pop("now", NOON),
                   has_address=mode != PICKUP, **kw)


def test_keep_chosen_pickup_store_when_a_nearer_store_is_cheaper():
    nodes = [store(1, {10: 5}, distance=3000), store(2, {10: 5}, distance=100)]
    r = req(PICKUP, chosen_location_id=1)
    assert decide(r, nodes, PLAIN).allocations[0].location_id == 2
    d = decide(r, nodes, PLAIN, [rule("keep", kind="keep_chosen_pickup_store")])
    assert d.allocations[0].location_id == 1
    assert next(c.excluded for c in d.candidates if c.location_id == 2) == "rule:keep"
    assert d.rules == ("keep: ruled out 1 location(s)",)


def test_keep_chosen_pickup_store_makes_the_order_unfulfillable_when_it_lacks_stock():
    nodes = [store(1, {10: 0}), store(2, {10: 5})]
    d = decide(req(PICKUP, chosen_location_id=1), nodes, PLAIN, [rule("keep", kind="keep_chosen_pickup_store")])
    assert not d.ok and d.unfulfilled


def test_never_ship_from_the_flagship_when_excluded():
    nodes = [store(1, {10: 5}, distance=100), store(2, {10: 5}, distance=2000)]
    d = decide(req(), nodes, PLAIN, [rule("no flagship", kind="exclude_locations", location_ids=[1])])
    assert d.allocations[0].location_id == 2


@pytest.mark.parametrize(("local", "allowed"), [("22:30", {2}), ("06:59", {2}), ("07:00", {1, 2}), ("21:59", {1, 2})])
def test_at_night_only_24_hour_stores_when_the_window_applies(local, allowed):
    h, m = map(int, local.split(":"))
    now = NOON + timedelta(hours=h - 12, minutes=m)
    nodes = [store(1, {10: 5}, hours=DAYTIME), store(2, {10: 5}, hours=ALWAYS), warehouse(3, {10: 5})]
    d = decide(req(now=now), nodes, PLAIN, [rule("night", kind="night_only_24h_stores")])
    ruled = {c.location_id for c in d.candidates if c.excluded == "rule:night"}
    assert {1, 2} - ruled == allowed and 3 not in ruled  # warehouses are not stores


def test_parcel_only_from_warehouses_when_a_store_could_ship():
    nodes = [store(1, {10: 5}, parcel=True, distance=100), warehouse(2, {10: 5})]
    assert decide(req(PARCEL), nodes, PLAIN).allocations[0].location_id == 1
    d = decide(req(PARCEL), nodes, PLAIN, [rule("wh", kind="parcel_only_from_warehouses")])
    assert d.allocations[0].location_id == 2


def test_parcel_only_from_warehouses_leaves_store_delivery_alone():
    nodes = [store(1, {10: 5}, parcel=True)]
    d = decide(req(STORE_DELIVERY), nodes, PLAIN, [rule("wh", kind="parcel_only_from_warehouses")])
    assert d.allocations[0].location_id == 1 and d.allocations[0].mode == STORE_DELIVERY


def test_max_split_first_matching_rule_wins():
    nodes = [store(1, {10: 5}), store(2, {11: 5}), store(3, {12: 5})]
    r = req(lines={10: 1, 11: 1, 12: 1})
    rules = [rule("tmall", kind="max_split", value=1, when={"channels": ["tmall"]}),
             rule("three", kind="max_split", value=3), rule("one", kind="max_split", value=1)]
    d = decide(r, nodes, PLAIN, rules)
    assert d.ok and d.max_split == 3 and d.rules == ("three: at most 3 location(s)",)


@pytest.mark.parametrize(("when", "applies"), [
    ({}, True),
    ({"channels": ["wechat"]}, True), ({"channels": ["app"]}, False),
    ({"regions": ["pudong"]}, True), ({"regions": ["minhang"]}, False),
    ({"modes": ["store_delivery"]}, True), ({"modes": ["pickup", "parcel"]}, False),
    ({"channels": ["wechat"], "regions": ["minhang"]}, False),
])
def test_a_rule_applies_only_when_channel_region_and_mode_match(when, applies):
    nodes = [store(1, {10: 5}, distance=100), store(2, {10: 5}, distance=2000)]
    r = req(channel="wechat", region="pudong")
    d = decide(r, nodes, PLAIN, [rule("x", kind="exclude_locations", location_ids=[1], when=when)])
    assert d.allocations[0].location_id == (2 if applies else 1)


@pytest.mark.parametrize("bad", [
    {"kind": "teleport"},
    {"kind": "max_split", "value": 0},
    {"kind": "max_split", "value": 11},
    {"kind": "max_split", "value": True},
    {"kind": "exclude_locations", "location_ids": []},
    {"kind": "exclude_locations", "location_ids": [2**63]},
    {"kind": "night_only_24h_stores", "start": "25:00"},
    {"kind": "parcel_only_from_warehouses", "extra": 1},
    {"kind": "keep_chosen_pickup_store", "when": {"modes": ["drone"]}},
])
def test_rule_json_is_refused_when_malformed(bad):
    with pytest.raises(ValidationError):
        SPEC.validate_python(bad)


def test_rule_json_numbers_may_be_written_as_whole_floats_but_not_as_booleans():
    assert SPEC.validate_python({"kind": "exclude_locations", "location_ids": [3.0, 7]}).location_ids == [3, 7]
    with pytest.raises(ValidationError):
        SPEC.validate_python({"kind": "exclude_locations", "location_ids": [True]})
    with pytest.raises(ValidationError):
        SPEC.validate_python({"kind": "exclude_locations", "location_ids": [3.5]})
