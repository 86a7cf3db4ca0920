"""Sourcing engine, properties: on small random instances the engine's plan is exactly as good as the
best of every assignment of lines to locations (brute force, fewest locations then lowest cost); it
never takes more than a location holds, never more than max_split locations, allocates every line or
says which cannot be; the order lines come in does not matter; CP-SAT agrees with the exact search."""

from __future__ import annotations

import itertools
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2o.fulfillment.sourcing import (
    PARCEL,
    PICKUP,
    STORE_DELIVERY,
    Node,
    Request,
    SourcingSettings,
    decide,
    search,
)
from tests.unit.sourcing.helpers import NOON

pytestmark = pytest.mark.unit
SKUS = (10, 11, 12, 13)


@st.composite
def instances(draw):
    lines = draw(st.dictionaries(st.sampled_from(SKUS), st.integers(1, 3), min_size=1, max_size=4))
    nodes = []
    for i in range(1, draw(st.integers(1, 6)) + 1):
        wh = draw(st.integers(0, 4)) == 0
        nodes.append(Node(id=i * 3, kind="warehouse" if wh else "store", name=f"L{i}",
                          distance_m=float(draw(st.integers(0, 6000))), radius_m=draw(st.sampled_from([2000, 3000, 5000])),
                          can_pickup=not wh, can_store_delivery=not wh, can_parcel=wh,
                          stock={s: draw(st.integers(0, 40)) for s in SKUS if draw(st.booleans())}))
    mode = draw(st.sampled_from([STORE_DELIVERY, STORE_DELIVERY, PICKUP, PARCEL]))
    promise = draw(st.sampled_from([None, 30, 45, 120]))
    cfg = SourcingSettings(max_split=draw(st.integers(1, 3)), balance_floor_units=draw(st.integers(0, 3)),
                           excess_units=draw(st.sampled_from([5, 20, 1000])))
    req = Request(lines=lines, mode=mode, now=NOON, has_address=mode != PICKUP, tier=draw(st.sampled_from([None, "gold"])),
                  promised_by=None if promise is None else NOON + timedelta(minutes=promise))
    return req, nodes, cfg


def oracle_costs(req: Request, n: Node, cfg: SourcingSettings):
    """Written out again from the settings' documentation: (mode, fixed cost, per-SKU cost) or None."""
    d = n.distance_m or 0.0
    if req.mode == PICKUP:
        if n.kind != "store" or d > cfg.pickup_max_m:
            return None
        mode, fee, eta = PICKUP, round(d * cfg.pickup_fen_per_km / 1000), cfg.pick_minutes
    elif req.mode == STORE_DELIVERY and n.kind == "store" and d <= n.radius_m:
        fee = next(b.fee_fen for b in cfg.courier_bands if d <= b.up_to_m)
        mode, eta = STORE_DELIVERY, cfg.pick_minutes + cfg.courier_pickup_minutes + int(d // cfg.courier_m_per_min)
    elif n.kind == "warehouse":
        mode, fee, eta = PARCEL, cfg.parcel_fee_fen, cfg.pick_minutes + cfg.parcel_minutes
    else:
        return None
    late = 0
    if req.promised_by is not None:
        late = max(0, eta - int((req.promised_by - req.now).total_seconds() // 60))
    weight = {"gold": 200}.get(req.tier or "", 100)
    fixed = fee + cfg.picking_fen + late * cfg.lateness_fen_per_min * weight // 100
    per = {}
    for s, q in req.lines.items():
        have = n.stock.get(s, 0)
        if have >= q:
            left = have - q
            store = n.kind == "store"
            per[s] = ((cfg.balance_fen_per_unit * max(0, cfg.balance_floor_units - left) if store else 0)
                      - (cfg.excess_bonus_fen if store and left >= cfg.excess_units else 0))
    return mode, fixed, per


def brute_force(req: Request, nodes: list[Node], cfg: SourcingSettings):
    costs = {n.id: c for n in nodes if (c := oracle_costs(req, n, cfg)) is not None}
    skus = list(req.lines)
    options = [[i for i, c in costs.items() if s in c[2]] for s in skus]
    best = None
    for pick in itertools.product(*options):
        used = set(pick)
        if len(used) > cfg.max_split:
            continue
        key = (len(used), sum(costs[i][1] for i in used) + sum(costs[i][2][s] for i, s in zip(pick, skus, strict=True)))
        best = key if best is None or key < best else best
    return best


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_engine_equals_brute_force_over_every_assignment(inst):
    req, nodes, cfg = inst
    d = decide(req, nodes, cfg)
    best = brute_force(req, nodes, cfg)
    if best is None:
        assert not d.ok and d.unfulfilled and not d.allocations
        return
    assert d.ok and d.search.optimal
    assert (len(d.allocations), d.total_fen) == best
    by_id = {n.id: n for n in nodes}
    taken = [s for a in d.allocations for s in a.lines]
    assert sorted(taken) == sorted(req.lines)  # every line, once
    for a in d.allocations:
        assert all(by_id[a.location_id].stock.get(s, 0) >= q == req.lines[s] for s, q in a.lines.items())
    assert len(d.allocations) <= cfg.max_split
    assert sum(a.costs.total_fen for a in d.allocations) == d.total_fen
    # the order lines come in changes nothing
    again = decide(Request(**{**{f: getattr(req, f) for f in req.__slots__},
                              "lines": dict(reversed(list(req.lines.items())))}), list(reversed(nodes)), cfg)
    assert again.allocations == d.allocations and again.candidates == d.candidates


def brute_sets(F: np.ndarray, C: np.ndarray, k: int):
    n, L = C.shape
    best = None
    for pick in itertools.product(range(n), repeat=L):
        if any(C[j, li] >= search.INF for li, j in enumerate(pick)) or len(set(pick)) > k:
            continue
        key = (len(set(pick)), int(F[list(set(pick))].sum()) + sum(int(C[j, li]) for li, j in enumerate(pick)))
        best = key if best is None or key < best else best
    return best


@st.composite
def matrices(draw):
    n, L = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    F = np.array([draw(st.integers(0, 500)) for _ in range(n)], dtype=np.int64)
    C = np.array([[draw(st.one_of(st.integers(-100, 300), st.just(search.INF))) for _ in range(L)] for _ in range(n)],
                 dtype=np.int64)
    return F, C, draw(st.integers(1, 3))


@settings(max_examples=200, deadline=None)
@given(matrices())
def test_exact_search_and_cp_sat_equal_brute_force(m):
    F, C, k = m
    best = brute_sets(F, C, k)
    for budget in (10_000, 1):  # 1: CP-SAT from the start
        res = search.solve(F, C, k, budget, 5.0)
        assert res.method == "exact" if budget > 1 else res.method in ("exact", "cp-sat")
        if best is None:
            assert res.plan is None
            continue
        assert res.plan is not None and res.optimal
        assert (len(res.plan.nodes), res.plan.cost) == best
        assert set(res.plan.line_node) == set(res.plan.nodes)
