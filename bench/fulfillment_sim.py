"""fulfillment_sim: a simulated day of orders, greedy (routing v1) against the sourcing engine, and on small
instances against the hindsight optimum (issue 13, "Benchmarks").

The chain: `o2o.demo.places.build_locations` (the demo generator's store positions, opening hours 08-22 /
07-23 / 24 h, delivery radii, hourly capacity 40-90 and daily 12x that; warehouses 500/h, 10,000/day)
scaled to 500 stores + 2 warehouses. Capacities are scaled by (orders per store per day) / 100, so a
small instance is as tight as the full day (factor 1.0 at 50,000 orders over 500 stores).

Stock (seeded, in memory, no database): SKU popularity is Zipf (p ~ 1/rank). A store carries 85% of the
SKUs; it holds Poisson(cover x (1.2 x its expected daily units + 2)) of each, `cover` drawn per store
from a log-normal (sigma 0.8: some stores hold several days, some run thin). Warehouses hold 97% of the
SKUs, deep.

Orders (seeded): arrival times with a lunch peak (12:15) and an evening peak (19:00) over a day spread
(5% at night); the customer a normal 1.5 km scatter around a store drawn by store traffic (log-normal);
1-10 lines (P(n) ~ 0.72^n) of distinct SKUs by popularity, 1-3 units; 50% store delivery (promised in
1 h for 30% of them, else 2 h), 30% pickup at the store nearest the customer (ready in 30 min), 20%
parcel (2 days); tiers: 10% gold, 3% platinum. Candidates as `fulfillment.service.source` finds them:
the stores within 5 km (haversine) + the chosen store + every warehouse.

Policies, each on the same order stream with its own stock and capacity state (stock decremented as
orders are placed; a location's hourly capacity is counted in the order's arrival hour):
- greedy: routing v1 (`o2o.fulfillment.routing.decide`: the chosen store, else the nearest store whose
  radius covers the customer with every line, else a warehouse by parcel), fed the same candidates
  minus the locations with no capacity left (v1 reads no capacity; the sim's capacity is a hard limit)
  and the ones that do not open within the engine's 48 h horizon. Like v1 it is blind to the hour:
  it may pick a store that is closed now (its ETA is then the next opening).
- greedy-open: the same, first over the locations that can start now (open, before their cut-off), then
  over all: a stronger baseline, so that the engine's gain is not only knowing the hours.
- engine-2 / engine-3: `o2o.fulfillment.sourcing.decide` with the default settings, max_split 2 / 3,
  no rules.
Every policy is scored by the engine's own cost model and ETA model (the greedy's location through
`decide` over that one location): delivery cost = courier/parcel/pickup-detour fee + picking per
location; lateness = minutes past the promise x 20 fen x tier weight; day cost = delivery cost +
lateness + REFUSED_FEN per refused order. Balance/excess terms steer the engine; they are reported,
not scored.

Hindsight optimum (small instances: 20 stores + 1 warehouse, 200 SKUs, 500 orders, seeds 1-3), a MIP
solved by SCIP through OR-Tools: every order known in advance; the same eligibility (mode, range,
opening within the horizon), stock (a line whole from one location, units per location and SKU at most
the day's opening stock), hourly and daily capacity, max_split (2 and 3, against engine-2 and engine-3);
variables per order: locations used, line -> location, refused. Objectives:
- "weighted": the day cost above, one weighted sum (not the engine's per-order "fewest locations
  first": a split is priced by its second pick and delivery);
- "fewest-locations": the engine's own order of things summed over the day (fewest refused, then fewest
  locations, then cost) as weights: 2,000,000 fen a refusal, 300,000 a location (more than one order's
  plans can differ in cost here, so lexicographic per order); every policy scored the same way.
Any policy's day is a feasible solution of that model, so optimum <= every policy. Share of the gap
captured = (greedy - engine) / (greedy - optimum) (Acimovic & Graves' on-line heuristic: 36%).

`--quick`: 50 stores + 2 warehouses, 2,000 SKUs, 2,000 orders; one 300-order small instance.
`python -m bench fulfillment_sim [--quick]` -> bench/results/fulfillment_sim.json.
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import console, ms_summary, print_table, self_maxrss_mb, write_result
from o2o.demo.places import build_locations, haversine, offset
from o2o.fulfillment import routing as v1
from o2o.fulfillment.sourcing import (
    PARCEL,
    PICKUP,
    STORE_DELIVERY,
    Node,
    Request,
    SourcingSettings,
    decide,
    serve_mode,
)
from o2o.fulfillment.sourcing.schedule import local_minute, start_delay
from o2o.locations.schemas import Candidate

MIDNIGHT = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # Monday 30 November 2026, 00:00 in Shanghai
MAX_RADIUS_M = 5_000  # candidate stores (as the service's H3 disk)
# a refused order in the day cost: more than serving an order from up to two locations costs here (a platinum
# store-delivery order a day late by parcel: ~86,000 fen per location)
REFUSED_FEN = 200_000
# the day objectives the optimum is found for, as (fen per refused order, fen per location used):
# "weighted": the day cost; "fewest-locations": the engine's own order of things summed over the day (fewest
# refused, then fewest locations, then cost: a location outweighs any cost one can save here, a refusal any
# max_split locations)
OBJECTIVES = {"weighted": (REFUSED_FEN, 0), "fewest-locations": (2_000_000, 300_000)}
DEFAULT = SourcingSettings()
ONE = SourcingSettings(max_split=1)
AMPLE = 10**6


# -- the world ------------------------------------------------------------------------------------
@dataclass
class World:
    """Locations 0..n_stores-1 are stores, then the warehouses. `stock0[i, k]`: units at the day's start."""

    n_stores: int
    kind: list[str]
    name: list[str]
    lat: np.ndarray
    lng: np.ndarray
    radius: list[int]
    delivers: list[bool]
    hours: list[dict[str, Any]]
    hourly_cap: np.ndarray
    daily_cap: np.ndarray
    traffic: np.ndarray  # share of customers living around each store
    popularity: np.ndarray  # per SKU
    stock0: np.ndarray

    @property
    def n(self) -> int:
        return len(self.kind)

    @property
    def skus(self) -> int:
        return len(self.popularity)


LINES_P = 0.72 ** np.arange(10)
LINES_P = LINES_P / LINES_P.sum()
QTY_P = np.array([0.7, 0.2, 0.1])


def _streams(seed: int) -> list[np.random.Generator]:
    return [np.random.Generator(np.random.PCG64(c)) for c in np.random.SeedSequence(seed).spawn(3)]


def make_world(seed: int, stores: int, warehouses: int, skus: int, orders: int) -> World:
    g_chain, g_stock, _ = _streams(seed)
    locs = build_locations(g_chain, stores, warehouses, first_id=1, opened_before=MIDNIGHT)
    scale = orders / max(1, stores) / 100  # the demo's capacities fit ~100 orders per store per day
    hourly = np.array([max(1, round(r["hourly_capacity"] * scale)) for r in locs.rows], dtype=np.int64)
    daily = np.array([max(1, round(r["daily_capacity"] * scale)) for r in locs.rows], dtype=np.int64)
    pop = 1.0 / np.arange(1, skus + 1)
    pop /= pop.sum()
    traffic = g_stock.lognormal(0.0, 0.6, stores)
    traffic /= traffic.sum()
    mean_units = float(LINES_P @ np.arange(1, 11)) * float(QTY_P @ np.arange(1, 4))
    per_store = orders * mean_units * traffic[:, None] * pop[None, :]  # expected units a day near each store
    cover = g_stock.lognormal(0.0, 0.8, stores)[:, None]
    carried = g_stock.random((stores, skus)) < 0.85
    st = g_stock.poisson(cover * (1.2 * per_store + 2.0)) * carried
    wh_lam = orders * mean_units * pop * 0.6 + 40.0
    wh = g_stock.poisson(np.broadcast_to(wh_lam, (warehouses, skus))) * (g_stock.random((warehouses, skus)) < 0.97)
    return World(
        n_stores=stores, kind=[r["kind"] for r in locs.rows], name=[r["code"] for r in locs.rows],
        lat=locs.lat.copy(), lng=locs.lng.copy(), radius=[int(r["delivery_radius_m"]) for r in locs.rows],
        delivers=[bool(r["can_store_delivery"]) for r in locs.rows], hours=[r["opening_hours"] for r in locs.rows],
        hourly_cap=hourly, daily_cap=daily, traffic=traffic, popularity=pop,
        stock0=np.concatenate([st, wh]).astype(np.int64))


@dataclass(frozen=True)
class Order:
    idx: int
    req: Request
    hour: int  # local hour of arrival (capacity bucket)
    cand: tuple[tuple[int, float], ...]  # (location index, metres), nearest first; warehouses last


def _arrivals(g: np.random.Generator, n: int) -> np.ndarray:
    """Local minutes of the day: lunch and evening peaks over a day spread, a few at night."""
    kind = g.choice(4, size=n, p=[0.30, 0.30, 0.35, 0.05])
    m = np.where(kind == 0, g.normal(12.25 * 60, 50, n),
                 np.where(kind == 1, g.normal(19 * 60, 70, n),
                          np.where(kind == 2, g.uniform(8 * 60, 22 * 60, n), (g.uniform(22 * 60, 31 * 60, n)) % 1440)))
    return np.sort(np.clip(m, 0, 1439).astype(np.int64))


def make_orders(world: World, seed: int, n: int) -> list[Order]:
    g = _streams(seed)[2]
    minutes = _arrivals(g, n)
    home = g.choice(world.n_stores, size=n, p=world.traffic)
    lat, lng = offset(g, world.lat[home], world.lng[home], 1500.0)
    n_lines = np.minimum(g.choice(np.arange(1, 11), size=n, p=LINES_P), world.skus)
    modes = g.choice(3, size=n, p=[0.5, 0.3, 0.2])
    urgent = g.random(n) < 0.3
    tier = g.choice(3, size=n, p=[0.87, 0.10, 0.03])
    # SKUs by popularity and units, drawn in one go and read in turn (repeats within an order skipped)
    draws = 4 * int(n_lines.sum()) + 64
    sku_draw = np.minimum(np.searchsorted(np.cumsum(world.popularity), g.random(draws)), world.skus - 1).tolist()
    qty_draw = (g.choice(3, size=draws, p=QTY_P) + 1).tolist()
    at = 0
    out = []
    for lo in range(0, n, 1000):
        dist = haversine(lat[lo:lo + 1000, None], lng[lo:lo + 1000, None], world.lat[None, :], world.lng[None, :])
        for o in range(lo, min(n, lo + 1000)):
            lines: dict[int, int] = {}
            while len(lines) < n_lines[o]:
                if at == draws:
                    sku_draw += np.minimum(np.searchsorted(np.cumsum(world.popularity), g.random(draws)),
                                           world.skus - 1).tolist()
                    qty_draw += (g.choice(3, size=draws, p=QTY_P) + 1).tolist()
                    draws *= 2
                lines.setdefault(sku_draw[at], qty_draw[at])
                at += 1
            d = dist[o - lo]
            ds = d[:world.n_stores]
            stores = [int(i) for i in np.flatnonzero(ds <= MAX_RADIUS_M)]
            stores.sort(key=lambda i: (ds[i], i))
            nearest = int(np.argmin(ds))
            now = MIDNIGHT + timedelta(minutes=int(minutes[o]))
            common = dict(tier=(None, "gold", "platinum")[tier[o]], lat=float(lat[o]), lng=float(lng[o]))
            if modes[o] == 0:
                req = Request(lines, STORE_DELIVERY, now, now + timedelta(minutes=60 if urgent[o] else 120),
                              has_address=True, **common)
            elif modes[o] == 1:
                req = Request(lines, PICKUP, now, now + timedelta(minutes=30), chosen_location_id=nearest + 1,
                              **common)
                if nearest not in stores:
                    stores.append(nearest)
            else:
                req = Request(lines, PARCEL, now, now + timedelta(days=2), has_address=True, **common)
            cand = [(i, float(d[i])) for i in stores] + [(i, float(d[i])) for i in range(world.n_stores, world.n)]
            out.append(Order(o, req, int(minutes[o]) // 60, tuple(cand)))
    return out


# -- one policy over the day ----------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """One location's share of an order, scored by the engine's cost model."""

    loc: int
    mode: str
    lines: tuple[tuple[int, int], ...]
    delivery_fen: int  # courier / parcel / pickup detour + picking
    lateness_fen: int
    steer_fen: int  # balance + excess bonus (what steers the engine; not scored)
    on_time: bool


@dataclass
class State:
    stock: np.ndarray
    used_hour: np.ndarray
    used_day: np.ndarray

    @classmethod
    def start(cls, world: World) -> State:
        return cls(world.stock0.copy(), np.zeros((world.n, 24), dtype=np.int64), np.zeros(world.n, dtype=np.int64))


def nodes_for(world: World, o: Order, stock: np.ndarray, st: State) -> list[Node]:
    skus = list(o.req.lines)
    ids = [i for i, _ in o.cand]
    held = stock[np.ix_(ids, skus)].tolist()
    hourly = (world.hourly_cap[ids] - st.used_hour[ids, o.hour]).tolist()
    daily = (world.daily_cap[ids] - st.used_day[ids]).tolist()
    out = []
    for j, (i, dist) in enumerate(o.cand):
        store = i < world.n_stores
        out.append(Node(id=i + 1, kind=world.kind[i], name=world.name[i], distance_m=dist, radius_m=world.radius[i],
                        can_pickup=store, can_store_delivery=world.delivers[i], can_parcel=not store,
                        stock=dict(zip(skus, held[j], strict=True)), hours=world.hours[i], hourly_left=hourly[j],
                        daily_left=daily[j]))
    return out


def _parts(req: Request, d: Any) -> list[Part]:
    return [Part(a.location_id - 1, a.mode, tuple(sorted(a.lines.items())), a.costs.delivery_fen + a.costs.picking_fen,
                 a.costs.lateness_fen, a.costs.balance_fen + a.costs.excess_bonus_fen,
                 req.promised_by is None or a.eta <= req.promised_by) for a in d.allocations]


Policy = Callable[[Order, list[Node]], tuple[list[Part] | None, float, dict[str, Any]]]


def engine(max_split: int) -> Policy:
    settings = SourcingSettings(max_split=max_split)

    def run(o: Order, nodes: list[Node]) -> tuple[list[Part] | None, float, dict[str, Any]]:
        c0, t0 = time.thread_time(), time.perf_counter()
        d = decide(o.req, nodes, settings)
        dt, cpu = time.perf_counter() - t0, time.thread_time() - c0
        return (_parts(o.req, d) if d.ok else None), dt, {"method": d.search.method, "limit": d.search.limit,
                                                          "cpu": cpu}
    return run


def start_in(req: Request, n: Node, st: SourcingSettings = DEFAULT) -> int | None:
    """Minutes until `n` can start on the order (the engine's opening-hours model); None: not within 48 h."""
    wd, minute = local_minute(req.now, n.timezone)
    return start_delay(n.hours, wd, minute, st.cutoff_minutes, st.horizon_hours * 60)


def _v1(req: Request, ok: list[Node]) -> v1.Decision | None:
    cands = [Candidate(n.id, n.kind, n.name, 0.0, 0.0, n.radius_m, n.can_pickup, n.can_store_delivery, n.can_parcel,
                       n.distance_m) for n in ok]
    stock = {(n.id, k): q for n in ok for k, q in n.stock.items()}
    return v1.decide(v1.RouteRequest(req.mode, dict(req.lines), req.chosen_location_id, req.has_address), cands, stock)


def greedy(o: Order, nodes: list[Node], open_first: bool = False) -> tuple[list[Part] | None, float, dict[str, Any]]:
    """Routing v1 over the candidates that have capacity left (and open within the horizon). `open_first`:
    first over those that can start now (open, before their cut-off), then, if none serves, over all."""
    req = o.req
    c0, t0 = time.thread_time(), time.perf_counter()
    live = [n for n in nodes if (n.hourly_left or 0) > 0 and (n.daily_left or 0) > 0]
    delay = {n.id: start_in(req, n) for n in live}
    ok = [n for n in live if delay[n.id] is not None]
    d = _v1(req, [n for n in ok if delay[n.id] == 0]) if open_first else None
    if d is None:
        d = _v1(req, ok)
    dt, info = time.perf_counter() - t0, {"method": "v1", "cpu": time.thread_time() - c0}
    if d is None:
        return None, dt, info
    node = next(n for n in ok if n.id == d.location_id)
    scored = decide(req, [node], ONE)  # the engine's cost and ETA of that one location
    if not scored.ok or scored.allocations[0].mode != d.mode:
        raise AssertionError(f"order {o.idx}: v1 chose {d} that the engine's model rejects: {scored.reason}")
    return _parts(req, scored), dt, info


@dataclass
class Day:
    name: str
    plans: list[list[Part] | None] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)  # the same span in this thread's CPU time
    methods: Counter[str] = field(default_factory=Counter)
    limits: int = 0
    drained: int = 0  # refused orders the same policy would have served from the day's opening stock
    taken: np.ndarray | None = None  # units allocated per location and SKU
    emptied: int = 0  # store x SKU pairs with stock at the start and none at the end

    @property
    def served(self) -> list[list[Part]]:
        return [p for p in self.plans if p is not None]

    def cost(self, objective: str = "weighted") -> int:
        """The day's value of an objective the hindsight optimum minimises (OBJECTIVES)."""
        refused_fen, location_fen = OBJECTIVES[objective]
        return (sum(p.delivery_fen + p.lateness_fen + location_fen for ps in self.served for p in ps)
                + refused_fen * self.refused)

    @property
    def refused(self) -> int:
        return sum(p is None for p in self.plans)


def simulate(world: World, orders: Sequence[Order], name: str, policy: Policy) -> Day:
    st = State.start(world)
    day = Day(name)
    for o in orders:
        plan, dt, info = policy(o, nodes_for(world, o, st.stock, st))
        day.seconds.append(dt)
        day.cpu_seconds.append(info["cpu"])
        day.methods[info["method"]] += 1
        day.limits += info.get("limit") is not None
        if plan is None:
            again, _, _ = policy(o, nodes_for(world, o, world.stock0, st))  # today's capacity, opening stock
            day.drained += again is not None
        else:
            for p in plan:
                for k, q in p.lines:
                    if st.stock[p.loc, k] < q:
                        raise AssertionError(f"{name}: order {o.idx} takes {q} of SKU {k} from {p.loc} holding "
                                             f"{st.stock[p.loc, k]}")
                    st.stock[p.loc, k] -= q
                st.used_hour[p.loc, o.hour] += 1
                st.used_day[p.loc] += 1
        day.plans.append(plan)
    day.taken = world.stock0 - st.stock
    s = world.n_stores
    day.emptied = int(((world.stock0[:s] > 0) & (st.stock[:s] == 0)).sum())
    return day


def figures(day: Day, orders: Sequence[Order]) -> dict[str, Any]:
    served = day.served
    parts = [p for ps in served for p in ps]
    n = len(day.plans)
    by_mode: Counter[str] = Counter(p.mode for p in parts)
    asked: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for o, ps in zip(orders, day.plans, strict=True):
        if ps is None:
            refused[o.req.mode] += 1
        else:
            asked[o.req.mode] += 1
            on_time[o.req.mode] += all(p.on_time for p in ps)
    return {
        "orders": n, "served": len(served), "refused": day.refused, "refused_after_drain": day.drained,
        "store_skus_emptied": day.emptied,
        "split_rate": round(sum(len(ps) > 1 for ps in served) / max(1, len(served)), 4),
        "locations_per_order": round(len(parts) / max(1, len(served)), 3),
        "on_time_rate": round(sum(all(p.on_time for p in ps) for ps in served) / max(1, len(served)), 4),
        "delivery_fen": sum(p.delivery_fen for p in parts),
        "delivery_fen_per_served_order": round(sum(p.delivery_fen for p in parts) / max(1, len(served)), 1),
        "lateness_fen": sum(p.lateness_fen for p in parts), "steer_fen": sum(p.steer_fen for p in parts),
        "day_cost_fen": day.cost(), "fulfilments_by_mode": dict(sorted(by_mode.items())),
        "on_time_by_mode": {m: round(on_time[m] / asked[m], 4) for m in sorted(asked)},
        "refused_by_mode": dict(sorted(refused.items())),
        "decision": ms_summary(day.seconds), "decision_cpu": ms_summary(day.cpu_seconds), "methods": dict(day.methods), "limit_hit": day.limits,
    }


# -- the hindsight optimum ------------------------------------------------------------------------
def fixed_costs(world: World, o: Order) -> dict[int, tuple[int, int]]:
    """Per eligible location: (delivery + picking, lateness) fen by the engine's model, whatever the stock."""
    out = {}
    for n in nodes_for(world, o, np.full((world.n, world.skus), AMPLE, dtype=np.int64), State.start(world)):
        n.hourly_left = n.daily_left = None
        mode, _ = serve_mode(o.req, n, DEFAULT)
        if mode is None:
            continue
        d = decide(o.req, [n], ONE)
        if d.ok:
            c = d.allocations[0].costs
            out[n.id - 1] = (c.delivery_fen + c.picking_fen, c.lateness_fen)
    return out


@dataclass
class Optimum:
    cost: int | None
    bound: int
    optimal: bool
    seconds: float
    status: str
    plans: list[list[tuple[int, tuple[tuple[int, int], ...]]] | None]
    delivery_fen: int = 0  # of the plans found: delivery + picking
    lateness_fen: int = 0


def hindsight(world: World, orders: Sequence[Order], max_split: int, seconds: float = 30.0,
              objective: str = "weighted") -> Optimum:
    """The day's optimum as a MIP (OR-Tools' SCIP, one thread; lazily imported like the engine's CP-SAT)."""
    refused_fen, location_fen = OBJECTIVES[objective]
    from ortools.linear_solver import pywraplp

    t0 = time.perf_counter()
    m = pywraplp.Solver.CreateSolver("SCIP")
    m.SetNumThreads(1)
    m.SetTimeLimit(int(seconds * 1000))
    obj = m.Objective()
    x: dict[tuple[int, int, int], Any] = {}
    refused = []
    by_stock: dict[tuple[int, int], list[tuple[int, Any]]] = {}
    by_hour: dict[tuple[int, int], list[Any]] = {}
    by_day: dict[int, list[Any]] = {}
    all_costs = []
    for o in orders:
        costs = fixed_costs(world, o)
        all_costs.append(costs)
        r = m.BoolVar(f"r{o.idx}")
        refused.append(r)
        obj.SetCoefficient(r, refused_fen)
        lines_at: dict[int, list[Any]] = {}
        for k, q in o.req.lines.items():
            opts = []
            for i in costs:
                if world.stock0[i, k] >= q:
                    v = m.BoolVar(f"x{o.idx}_{k}_{i}")
                    x[(o.idx, k, i)] = v
                    opts.append(v)
                    lines_at.setdefault(i, []).append(v)
                    by_stock.setdefault((i, k), []).append((q, v))
            m.Add(sum(opts) + r == 1)
        used = []
        for i, vs in lines_at.items():
            y = m.BoolVar(f"y{o.idx}_{i}")
            for v in vs:
                m.Add(v <= y)
            m.Add(sum(vs) >= y)
            used.append(y)
            obj.SetCoefficient(y, sum(costs[i]) + location_fen)
            by_hour.setdefault((i, o.hour), []).append(y)
            by_day.setdefault(i, []).append(y)
        if len(used) > max_split:
            m.Add(sum(used) <= max_split)
    for (i, k), terms in by_stock.items():
        if sum(q for q, _ in terms) > world.stock0[i, k]:
            m.Add(sum(q * v for q, v in terms) <= int(world.stock0[i, k]))
    for (i, _h), ys_h in by_hour.items():
        if len(ys_h) > world.hourly_cap[i]:
            m.Add(sum(ys_h) <= int(world.hourly_cap[i]))
    for i, ys_d in by_day.items():
        if len(ys_d) > world.daily_cap[i]:
            m.Add(sum(ys_d) <= int(world.daily_cap[i]))
    obj.SetMinimization()
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)  # optimal means optimal, not within SCIP's 0.01%
    status = m.Solve(params)
    took = time.perf_counter() - t0
    name = {m.OPTIMAL: "OPTIMAL", m.FEASIBLE: "FEASIBLE", m.INFEASIBLE: "INFEASIBLE"}.get(status, f"status {status}")
    if status not in (m.OPTIMAL, m.FEASIBLE):
        return Optimum(None, math.floor(obj.BestBound()), False, took, name, [])
    plans: list[list[tuple[int, tuple[tuple[int, int], ...]]] | None] = []
    for o, r in zip(orders, refused, strict=True):
        if r.solution_value() > 0.5:
            plans.append(None)
            continue
        at: dict[int, list[tuple[int, int]]] = {}
        for k, q in sorted(o.req.lines.items()):
            i = next(i for i in range(world.n) if (o.idx, k, i) in x and x[(o.idx, k, i)].solution_value() > 0.5)
            at.setdefault(i, []).append((k, q))
        plans.append([(i, tuple(ls)) for i, ls in sorted(at.items())])
    used = [(c, i) for c, p in zip(all_costs, plans, strict=True) if p for i, _ in p]
    return Optimum(round(obj.Value()), math.ceil(obj.BestBound() - 1e-6), status == m.OPTIMAL, took, name, plans,
                   sum(c[i][0] for c, i in used), sum(c[i][1] for c, i in used))


def gap_share(greedy_cost: int, engine_cost: int, optimum: int) -> float | None:
    """(greedy - engine) / (greedy - optimum); None when greedy is already optimal."""
    if greedy_cost <= optimum:
        return None
    return round((greedy_cost - engine_cost) / (greedy_cost - optimum), 4)


# -- the run --------------------------------------------------------------------------------------
def greedy_open(o: Order, nodes: list[Node]) -> tuple[list[Part] | None, float, dict[str, Any]]:
    return greedy(o, nodes, open_first=True)


POLICIES: tuple[tuple[str, Policy], ...] = (("greedy", greedy), ("greedy-open", greedy_open), ("engine-2", engine(2)),
                                            ("engine-3", engine(3)))


def run_day(world: World, orders: Sequence[Order]) -> dict[str, Day]:
    return {name: simulate(world, orders, name, pol) for name, pol in POLICIES}


def small_instances(seeds: Sequence[int], stores: int, skus: int, n_orders: int, seconds: float
                    ) -> list[dict[str, Any]]:
    out = []
    for seed in seeds:
        world = make_world(seed, stores, 1, skus, n_orders)
        orders = make_orders(world, seed, n_orders)
        days = run_day(world, orders)
        cell: dict[str, Any] = {"seed": seed, "stores": stores, "warehouses": 1, "skus": skus, "orders": n_orders,
                                "policies": {n: {k: f[k] for k in ("day_cost_fen", "refused", "delivery_fen",
                                                                    "lateness_fen", "split_rate", "on_time_rate")}
                                             for n, d in days.items() for f in [figures(d, orders)]}}
        cell["optimum"] = {}
        for objective, k in itertools.product(OBJECTIVES, (2, 3)):
            opt = hindsight(world, orders, k, seconds, objective)
            eng, grd = days[f"engine-{k}"].cost(objective), days["greedy"].cost(objective)
            ref = opt.cost if opt.optimal and opt.cost is not None else opt.bound  # unproven: the bound
            cell["optimum"].setdefault(objective, {})[f"max_split_{k}"] = {
                "policies": {n: d.cost(objective) for n, d in days.items()},
                "value_fen": opt.cost, "best_bound_fen": opt.bound, "proven_optimal": opt.optimal,
                "status": opt.status, "solve_s": round(opt.seconds, 1),
                "refused": None if opt.cost is None else sum(p is None for p in opt.plans),
                "delivery_fen": opt.delivery_fen, "lateness_fen": opt.lateness_fen,
                "split_rate": None if opt.cost is None else round(
                    sum(len(p) > 1 for p in opt.plans if p) / max(1, sum(p is not None for p in opt.plans)), 4),
                "gap_captured_by_engine": gap_share(grd, eng, ref),
                # with an unproven optimum, the share against the bound is the honest lower end
                "gap_captured_vs_bound": gap_share(grd, eng, opt.bound),
                "gap_captured_from_greedy_open": gap_share(days["greedy-open"].cost(objective), eng, ref),
            }
        out.append(cell)
    return out


def main(quick: bool = False, out: Path | None = None) -> dict[str, Any]:
    t_start = time.perf_counter()
    stores, skus, n_orders = (50, 2_000, 2_000) if quick else (500, 10_000, 50_000)
    seeds = (1,) if quick else (1, 2, 3)
    small = dict(stores=20, skus=200, n_orders=300 if quick else 500, seconds=60.0 if quick else 120.0)
    t0 = time.perf_counter()
    world = make_world(2026, stores, 2, skus, n_orders)
    orders = make_orders(world, 2026, n_orders)
    setup_s = time.perf_counter() - t0
    days = {}
    run_s = {}
    for name, pol in POLICIES:
        t0 = time.perf_counter()
        days[name] = simulate(world, orders, name, pol)
        run_s[name] = round(time.perf_counter() - t0, 1)
        console.print(f"  {name}: {n_orders} orders in {run_s[name]} s")
    figs = {n: figures(d, orders) for n, d in days.items()}
    for n, f in figs.items():
        console.print(f"  {n}: on time by mode {f['on_time_by_mode']}, refused by mode {f['refused_by_mode']}, "
                      f"fulfilments by mode {f['fulfilments_by_mode']}, search {f['methods']}, limits {f['limit_hit']}")
    g = figs["greedy"]
    print_table(f"fulfillment_sim: one day, {n_orders} orders, {stores} stores + 2 warehouses, {skus} SKUs",
                ["policy", "served", "refused", "refused after drain", "SKUs emptied", "split rate", "on time",
                 "delivery fen/order", "delivery fen", "lateness fen", "day cost fen", "vs greedy", "p50 ms", "p99 ms",
                 "p99 cpu ms"],
                [[n, f["served"], f["refused"], f["refused_after_drain"], f["store_skus_emptied"], f["split_rate"],
                  f["on_time_rate"], f["delivery_fen_per_served_order"], f["delivery_fen"], f["lateness_fen"],
                  f["day_cost_fen"], f"{(f['day_cost_fen'] - g['day_cost_fen']) / max(1, g['day_cost_fen']):+.1%}",
                  f["decision"]["p50_ms"], f["decision"]["p99_ms"], f["decision_cpu"]["p99_ms"]]
                 for n, f in figs.items()])
    t0 = time.perf_counter()
    cells = small_instances(seeds, **small)
    small_s = time.perf_counter() - t0
    rows = []
    shares: dict[str, list[float | None]] = {}
    for objective, k in itertools.product(OBJECTIVES, (2, 3)):
        key = f"{objective} max_split {k}"
        shares[key] = []
        for c in cells:
            o = c["optimum"][objective][f"max_split_{k}"]
            g, e = c["policies"]["greedy"], c["policies"][f"engine-{k}"]
            shares[key].append(o["gap_captured_by_engine"])
            rows.append([objective, k, c["seed"], o["policies"]["greedy"], o["policies"][f"engine-{k}"], o["value_fen"],
                         o["best_bound_fen"], "yes" if o["proven_optimal"] else "no", o["solve_s"],
                         f"{g['refused']}/{e['refused']}/{o['refused']}", f"{g['split_rate']}/{e['split_rate']}/"
                         f"{o['split_rate']}", f"{g['lateness_fen']}/{e['lateness_fen']}/{o['lateness_fen']}",
                         o["gap_captured_by_engine"]])
        known = [x for x in shares[key] if x is not None]
        rows.append([objective, k, "mean", "", "", "", "", "", "", "", "", "",
                     round(float(np.mean(known)), 4) if known else None])
    mean_share = {key: (round(float(np.mean([x for x in v if x is not None])), 4) if any(x is not None for x in v)
                        else None) for key, v in shares.items()}
    print_table(f"hindsight optimum (MIP, SCIP) on {small['stores']} stores + 1 warehouse, {small['skus']} SKUs, "
                f"{small['n_orders']} orders: share of the greedy-to-optimum gap the engine captures (A&G: 0.36)",
                ["objective", "max_split", "seed", "greedy", "engine", "optimum", "bound", "proven", "solve s",
                 "refused g/e/opt", "split rate g/e/opt", "lateness fen g/e/opt", "gap captured"], rows)
    params = {"quick": quick, "stores": stores, "warehouses": 2, "skus": skus, "orders": n_orders, "seed": 2026,
              "objectives (fen per refused order, fen per location)": OBJECTIVES, "max_radius_m": MAX_RADIUS_M, "small_instances": {**small, "seeds": seeds},
              "settings": DEFAULT.model_dump(mode="json"),
              "policies": {"greedy": "routing v1 over candidates with capacity left",
                           "greedy-open": "routing v1 over those that can start now, else over all",
                           "engine-2": "sourcing.decide, default settings, max_split 2, no rules",
                           "engine-3": "sourcing.decide, default settings, max_split 3, no rules"}}
    result = {"day": figs, "setup_s": round(setup_s, 1), "policy_run_s": run_s, "small_instances": cells,
              "mean_gap_captured": mean_share,
              "small_instances_s": round(small_s, 1), "bench_peak_rss_mb": self_maxrss_mb()}
    notes = [
        "day cost = delivery (courier/parcel/pickup detour) + picking per location + lateness (engine's ETA model, "
        f"20 fen/min x tier weight) + {REFUSED_FEN} fen per refused order; the optimum minimises exactly that "
        "(one weighted sum, a split priced by its extra pick and delivery), under the same eligibility, stock, "
        "capacity and max_split; the engine's balance/excess terms steer it but are not scored (steer_fen).",
        "optimum 'fewest-locations': the engine's own order (fewest refused, then fewest locations, then cost) "
        "summed over the day: 2,000,000 fen per refused order and 300,000 fen per location used on top of the day "
        "cost; every policy is scored the same way for that comparison.",
        "refused_after_drain: refused orders the same policy would have served from the day's opening stock "
        "(with the capacity left at that moment): stock-outs earlier orders caused.",
        "store_skus_emptied: store x SKU pairs holding stock at the start of the day and none at its end.",
        "greedy = routing v1 (chosen store, else nearest store within its radius holding every line, else a "
        "warehouse by parcel), given only locations with capacity left; blind to the hour like v1.",
        "capacity: one fulfilment per location used per order, counted in the order's arrival hour.",
        "decision ms: the engine's decide call; for greedy the capacity/hours filter and routing v1's decide "
        "(candidates and stock built the same way for all, not timed); decision_cpu: the same span in the "
        "thread's CPU time (time.thread_time), without the waits of a loaded machine.",
        "gap_captured_by_engine: (greedy - engine) / (greedy - optimum); against the best bound when SCIP "
        "stopped at its time limit (then 'proven' is no and gap_captured_vs_bound is the conservative figure).",
        "times on a machine shared with other work are not final.",
    ]
    elapsed = time.perf_counter() - t_start
    write_result("fulfillment_sim", params, result, notes, elapsed, path=out)
    return {"elapsed_s": elapsed, **result}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    main(quick=p.parse_args().quick)
