"""bench/fulfillment_sim: the simulated day is deterministic for a seed; no policy takes more than a
location holds or more than its capacity; the hindsight MIP is the optimum (equal to a brute force over
every plan of every order on 3-store 6-order instances, and no worse than any policy's day); quick mode
runs end to end."""

from __future__ import annotations

import copy
import itertools
import json
import math
from collections import Counter

import numpy as np
import pytest

from bench import fulfillment_sim as fs

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def small():
    """8 stores + 1 warehouse, 80 SKUs, 160 orders: stock and capacity (tightened here) both bind."""
    world = fs.make_world(5, 8, 1, 80, 160)
    world.hourly_cap[:8], world.daily_cap[:8] = 2, 20
    orders = fs.make_orders(world, 5, 160)
    return world, orders, fs.run_day(world, orders)


def test_the_day_is_the_same_for_the_same_seed(small):
    world, orders, days = small
    again_world = fs.make_world(5, 8, 1, 80, 160)
    again_world.hourly_cap[:8], again_world.daily_cap[:8] = 2, 20
    again_orders = fs.make_orders(again_world, 5, 160)
    assert np.array_equal(again_world.stock0, world.stock0)
    assert again_orders == orders
    again = fs.run_day(again_world, again_orders)
    for name, day in days.items():
        assert again[name].plans == day.plans
        a, b = fs.figures(again[name], orders), fs.figures(day, orders)
        for f in (a, b):
            f.pop("decision"), f.pop("decision_cpu")
        assert a == b
    other = fs.make_orders(fs.make_world(6, 8, 1, 80, 160), 6, 160)
    assert [o.req for o in other] != [o.req for o in orders]


def test_no_policy_takes_more_than_the_stock_or_the_capacity(small):
    world, orders, days = small
    assert {"greedy", "greedy-open", "engine-2", "engine-3"} <= set(days)
    at_capacity = 0
    for name, day in days.items():
        taken = np.zeros_like(world.stock0)
        per_hour: Counter[tuple[int, int]] = Counter()
        per_day: Counter[int] = Counter()
        for o, plan in zip(orders, day.plans, strict=True):
            if plan is None:
                continue
            assert len(plan) <= (1 if name.startswith("greedy") else int(name[-1]))
            got: Counter[int] = Counter()
            for p in plan:
                assert p.loc in {i for i, _ in o.cand}
                for k, q in p.lines:
                    taken[p.loc, k] += q
                    got[k] += q
                per_hour[(p.loc, o.hour)] += 1
                per_day[p.loc] += 1
            assert dict(got) == dict(o.req.lines)  # every line, whole, exactly once
        assert (taken <= world.stock0).all(), name
        assert np.array_equal(taken, day.taken)
        assert all(n <= world.hourly_cap[i] for (i, _h), n in per_hour.items())
        assert all(n <= world.daily_cap[i] for i, n in per_day.items())
        at_capacity += sum(n == world.hourly_cap[i] for (i, _h), n in per_hour.items())
    # the instance is tight enough for the checks above to mean something
    assert days["engine-2"].emptied > 0 and at_capacity > 0
    assert days["greedy"].refused > days["engine-2"].refused


@pytest.mark.parametrize("objective", list(fs.OBJECTIVES))
def test_the_optimum_is_no_worse_than_any_policy(small, objective):
    world, orders, days = small
    for k in (2, 3):
        opt = fs.hindsight(world, orders, k, seconds=60, objective=objective)
        assert opt.optimal and opt.cost is not None
        assert opt.cost == _check_plans(world, orders, opt.plans, k, objective)
        assert opt.cost <= days[f"engine-{k}"].cost(objective)
        assert opt.cost < days["greedy"].cost(objective)
        share = fs.gap_share(days["greedy"].cost(objective), days[f"engine-{k}"].cost(objective), opt.cost)
        assert share is not None and share <= 1.0


def _check_plans(world, orders, plans, max_split, objective="weighted"):
    """The day's value of a plan list, checked for stock, capacity, eligibility and max_split on the way."""
    refused_fen, location_fen = fs.OBJECTIVES[objective]
    stock = world.stock0.copy()
    per_hour: Counter[tuple[int, int]] = Counter()
    per_day: Counter[int] = Counter()
    cost = 0
    for o, plan in zip(orders, plans, strict=True):
        if plan is None:
            cost += refused_fen
            continue
        costs = fs.fixed_costs(world, o)
        assert len(plan) <= max_split
        got: dict[int, int] = {}
        for i, lines in plan:
            cost += sum(costs[i]) + location_fen
            per_hour[(i, o.hour)] += 1
            per_day[i] += 1
            for k, q in lines:
                stock[i, k] -= q
                got[k] = q
        assert got == dict(o.req.lines)
    assert (stock >= 0).all()
    assert all(n <= world.hourly_cap[i] for (i, _h), n in per_hour.items())
    assert all(n <= world.daily_cap[i] for i, n in per_day.items())
    return cost


def brute_force(world, orders, max_split, objective="weighted"):
    """The cheapest day over every plan of every order (each line whole from one eligible location holding
    it, at most max_split locations, or refused), depth first with a cost bound."""
    refused_fen, location_fen = fs.OBJECTIVES[objective]
    options = []
    for o in orders:
        costs = fs.fixed_costs(world, o)
        lines = sorted(o.req.lines.items())
        plans = [(refused_fen, None)]
        for assign in itertools.product(*[[i for i in costs if world.stock0[i, k] >= q] for k, q in lines]):
            used = sorted(set(assign))
            if len(used) <= max_split:
                plans.append((sum(sum(costs[i]) + location_fen for i in used), tuple(zip(assign, lines, strict=True))))
        options.append(sorted(plans, key=lambda p: p[0]))
    floor = [sum(opts[0][0] for opts in options[j:]) for j in range(len(orders) + 1)]
    stock = world.stock0.copy()
    per_hour: Counter[tuple[int, int]] = Counter()
    per_day: Counter[int] = Counter()
    best = [math.inf]

    def rec(j: int, cost: int) -> None:
        if j == len(orders):
            best[0] = min(best[0], cost)
            return
        for c, plan in options[j]:
            if cost + c + floor[j + 1] >= best[0]:
                break
            if plan is None:
                rec(j + 1, cost + c)
                continue
            used = {i for i, _ in plan}
            if any(per_hour[(i, orders[j].hour)] >= world.hourly_cap[i] or per_day[i] >= world.daily_cap[i]
                   for i in used):
                continue
            need: Counter[tuple[int, int]] = Counter()
            for i, (k, q) in plan:
                need[(i, k)] += q
            if any(stock[i, k] < q for (i, k), q in need.items()):
                continue
            for (i, k), q in need.items():
                stock[i, k] -= q
            for i in used:
                per_hour[(i, orders[j].hour)] += 1
                per_day[i] += 1
            rec(j + 1, cost + c)
            for (i, k), q in need.items():
                stock[i, k] += q
            for i in used:
                per_hour[(i, orders[j].hour)] -= 1
                per_day[i] -= 1

    rec(0, 0)
    return best[0]


# (seed, daily capacity of each store): with 2, splitting pays (the max_split 2 optimum is cheaper than the
# max_split 1 one); with 1, capacity binds (more capacity would be cheaper)
@pytest.mark.parametrize(("seed", "daily"), [(1, 2), (3, 2), (9, 2), (1, 1), (7, 1)])
def test_the_mip_is_the_brute_force_optimum_on_3_stores_and_6_orders(seed, daily):
    world = fs.make_world(seed, 3, 1, 4, 6)
    rng = np.random.default_rng(seed)
    # the three stores within 1.5 km of each other (so customers have a choice), thin stock, tight capacity
    world.lat[:3] = 31.23 + rng.uniform(-0.007, 0.007, 3)
    world.lng[:3] = 121.47 + rng.uniform(-0.008, 0.008, 3)
    world.stock0 = rng.integers(0, 4, world.stock0.shape)
    world.hourly_cap[:3] = 1
    world.daily_cap[:3] = daily
    orders = fs.make_orders(world, seed, 6)
    assert any(len(o.req.lines) > 1 for o in orders)
    found = {}
    for k in (1, 2):
        opt = fs.hindsight(world, orders, k)
        assert opt.optimal
        assert opt.cost == brute_force(world, orders, k) == _check_plans(world, orders, opt.plans, k)
        found[k] = opt.cost
        opt = fs.hindsight(world, orders, k, objective="fewest-locations")
        assert opt.cost == brute_force(world, orders, k, "fewest-locations") == _check_plans(
            world, orders, opt.plans, k, "fewest-locations")
    roomy = copy.deepcopy(world)
    roomy.daily_cap[:] = 99
    if daily == 2:
        assert found[2] < found[1]
    else:
        assert brute_force(roomy, orders, 2) < found[2]
    days = fs.run_day(world, orders)
    for objective in fs.OBJECTIVES:
        assert all(fs.hindsight(world, orders, 3, objective=objective).cost <= d.cost(objective)
                   for d in days.values())


def test_gap_share():
    assert fs.gap_share(1000, 700, 0) == 0.3
    assert fs.gap_share(1000, 1000, 500) == 0.0
    assert fs.gap_share(500, 500, 500) is None


def test_quick_mode_runs(tmp_path):
    out = tmp_path / "fulfillment_sim.json"
    fs.main(quick=True, out=out)
    doc = json.loads(out.read_text())
    day = doc["figures"]["day"]
    assert set(day) == {"greedy", "greedy-open", "engine-2", "engine-3"}
    assert all(f["orders"] == doc["parameters"]["orders"] == 2_000 for f in day.values())
    assert all(f["served"] + f["refused"] == 2_000 for f in day.values())
    (cell,) = doc["figures"]["small_instances"]
    for objective in fs.OBJECTIVES:
        for k in (2, 3):
            opt = cell["optimum"][objective][f"max_split_{k}"]
            assert opt["proven_optimal"]
            assert opt["best_bound_fen"] <= opt["value_fen"] <= opt["policies"][f"engine-{k}"]
            assert opt["value_fen"] <= opt["policies"]["greedy"]
    assert cell["policies"]["engine-2"]["day_cost_fen"] == cell["optimum"]["weighted"]["max_split_2"]["policies"][
        "engine-2"]
