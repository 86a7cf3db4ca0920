"""decide(request, nodes, settings, rules) -> Decision. Pure: no database, no clock (`request.now`).

1. how each location would serve the wanted mode: pickup at a store (the chosen one, or one within
   `pickup_max_m`); store delivery by a store whose radius covers the customer, the rest by parcel from
   a warehouse or parcel-capable store; parcel from those only. Otherwise ruled out ("mode",
   "out-of-range", "no-address");
2. the rules layer rules out more ("rule:<name>") and may set max_split;
3. capacity left this hour and today ("capacity-hour", "capacity-day"), opening hours and cut-off
   ("closed": does not open within the horizon), stock ("no-stock": holds none of the lines);
4. costs (settings.py) per location and per line; `search.solve` finds the plan;
5. the decision: the allocations, and every location ranked with its costs or why it was ruled out.
Lines are read in SKU order, so the order they come in never changes the decision.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

import numpy as np

from o2o.fulfillment.sourcing import schedule, search
from o2o.fulfillment.sourcing.rules import Rule
from o2o.fulfillment.sourcing.rules import apply as apply_rules
from o2o.fulfillment.sourcing.settings import SourcingSettings
from o2o.fulfillment.sourcing.types import (
    MODES,
    OK,
    PARCEL,
    PICKUP,
    STORE,
    STORE_DELIVERY,
    UNFULFILLABLE,
    WAREHOUSE,
    Allocation,
    Candidate,
    Costs,
    Decision,
    Node,
    Request,
    Search,
)

DEFAULT = SourcingSettings()
NO_COSTS = Costs()


def serve_mode(req: Request, n: Node, st: SourcingSettings) -> tuple[str | None, str]:
    """The mode location `n` serves this request in, or None and why not."""
    shipper = n.kind == WAREHOUSE or n.can_parcel
    if req.mode == PICKUP:
        if n.kind != STORE or not n.can_pickup:
            return None, "mode"
        near = n.id == req.chosen_location_id or (n.distance_m is not None and n.distance_m <= st.pickup_max_m)
        return (PICKUP, "") if near else (None, "out-of-range")
    if not req.has_address:
        return None, "no-address"
    if req.mode == STORE_DELIVERY:
        if n.kind == STORE and n.can_store_delivery and n.distance_m is not None and n.distance_m <= n.radius_m:
            return STORE_DELIVERY, ""
        if shipper:
            return PARCEL, ""
        return None, ("out-of-range" if n.kind == STORE and n.can_store_delivery else "mode")
    return (PARCEL, "") if shipper else (None, "mode")


def courier_fee(st: SourcingSettings, distance_m: float) -> int:
    for band in st.courier_bands:
        if distance_m <= band.up_to_m:
            return band.fee_fen
    return st.courier_bands[-1].fee_fen


def reallocate(req: Request, nodes: Iterable[Node], failed_location_id: int,
               settings: SourcingSettings | None = None, rules: Sequence[Rule] = ()) -> Decision:
    """Where the rest of an order goes when a location rejected it or short-picked: `req.lines` are the
    units still to find; the location that failed is ruled out ("rejected")."""
    return decide(req, nodes, settings, rules, ruled_out={failed_location_id: "rejected"})


def decide(req: Request, nodes: Iterable[Node], settings: SourcingSettings | None = None,
           rules: Sequence[Rule] = (), ruled_out: Mapping[int, str] | None = None) -> Decision:
    """The plan for `req` over `nodes`; `ruled_out`: location id -> why it may not serve (before anything)."""
    st = settings or DEFAULT
    if req.mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    skus = sorted(req.lines)
    qty = [int(req.lines[s]) for s in skus]
    if not skus or min(qty) <= 0:
        raise ValueError("an order needs lines of at least one unit each")
    nodes = sorted(nodes, key=lambda n: n.id)

    modes: dict[int, str] = {}
    excluded: dict[int, str] = {}
    for n in nodes:
        mode, why = serve_mode(req, n, st)
        if ruled_out and n.id in ruled_out:
            excluded[n.id] = ruled_out[n.id]
        elif mode is None:
            excluded[n.id] = why
        else:
            modes[n.id] = mode
    ruled = apply_rules(rules, req, [n for n in nodes if n.id in modes], modes)
    excluded.update(ruled.excluded)
    max_split = ruled.max_split or st.max_split

    weight = st.tier_lateness_weight_pct.get(req.tier or "", 100)
    allowed = None if req.promised_by is None else (req.promised_by - req.now).total_seconds() / 60
    horizon = st.horizon_hours * 60
    L, N = len(skus), len(nodes)
    Q = np.array(qty, dtype=np.int64)
    S = np.array([[n.stock.get(s, 0) for s in skus] for n in nodes], dtype=np.int64).reshape(N, L)
    held = S >= Q
    nheld = held.sum(axis=1).tolist()
    after = S - Q
    at_store = held & np.array([n.kind == STORE for n in nodes], dtype=bool).reshape(N, 1)
    bal = np.where(at_store, st.balance_fen_per_unit * np.maximum(0, st.balance_floor_units - after), 0)
    bonus = np.where(at_store & (after >= st.excess_units), -st.excess_bonus_fen, 0)
    bal_sum, bonus_sum = bal.sum(axis=1).tolist(), bonus.sum(axis=1).tolist()
    local: dict[str, tuple[int, int]] = {}
    delays: dict[tuple[int, str], int | None] = {}  # (id of an hours document, zone) -> its start delay
    rows: list[int] = []  # indices of the nodes that may serve
    fixed_costs: list[Costs] = []
    etas: list[int] = []
    cands: list[tuple] = []  # Candidate's fields but chosen and rank, and the sort's cost
    for i, n in enumerate(nodes):
        why = excluded.get(n.id)
        if why is None:
            if n.hourly_left is not None and n.hourly_left <= 0:
                why = "capacity-hour"
            elif n.daily_left is not None and n.daily_left <= 0:
                why = "capacity-day"
            elif not nheld[i]:
                why = "no-stock"
        delay = None
        if why is None:
            key = (id(n.hours), n.timezone)  # stores share a few hours documents (the same object)
            if key in delays:
                delay = delays[key]
            else:
                if n.timezone not in local:
                    local[n.timezone] = schedule.local_minute(req.now, n.timezone)
                wd, minute = local[n.timezone]
                delay = delays[key] = schedule.start_delay(n.hours, wd, minute, st.cutoff_minutes, horizon)
            if delay is None:
                why = "closed"
        dist = None if n.distance_m is None else round(n.distance_m)
        if why is not None:
            cands.append((n.id, n.name, n.kind, modes.get(n.id), dist, None, nheld[i], NO_COSTS, why, 0))
            continue
        assert delay is not None
        mode = modes[n.id]
        eta = delay + st.pick_minutes
        if mode == STORE_DELIVERY:
            delivery = courier_fee(st, n.distance_m or 0.0)
            eta += st.courier_pickup_minutes + int((n.distance_m or 0.0) // st.courier_m_per_min)
        elif mode == PARCEL:
            delivery = st.parcel_fee_fen
            eta += st.parcel_minutes
        else:
            delivery = round((n.distance_m or 0.0) * st.pickup_fen_per_km / 1000)
        late = 0 if allowed is None else max(0, math.ceil(eta - allowed))
        fixed = Costs(delivery_fen=delivery, picking_fen=st.picking_fen,
                      lateness_fen=late * st.lateness_fen_per_min * weight // 100)
        rows.append(i)
        fixed_costs.append(fixed)
        etas.append(eta)
        whole = Costs(delivery, fixed.picking_fen, fixed.lateness_fen, bal_sum[i], bonus_sum[i])
        cands.append((n.id, n.name, n.kind, mode, dist, req.now + timedelta(minutes=eta), nheld[i], whole, None,
                      whole.total_fen))

    def ranked(chosen: set[int]) -> tuple[Candidate, ...]:
        order = sorted(cands, key=lambda c: (c[8] is not None, c[0] not in chosen, -c[6], c[9], c[0]))
        return tuple(Candidate(*c[:9], c[0] in chosen, i + 1) for i, c in enumerate(order))

    F = np.array([f.total_fen for f in fixed_costs], dtype=np.int64)
    C = np.where(held[rows], (bal + bonus)[rows], search.INF).astype(np.int64).reshape(len(rows), L)
    held_anywhere = (C < search.INF).any(axis=0)
    if not held_anywhere.all():
        missing = {s: f"no eligible location holds {q} unit(s)" for s, q, h in zip(skus, qty, held_anywhere,
                                                                                   strict=True) if not h}
        return Decision(UNFULFILLABLE, "; ".join(f"sku {s}: {why}" for s, why in missing.items()), (), 0, max_split,
                        Search("none", True, 0), ranked(set()), tuple(ruled.trace), missing)

    res = search.solve(F, C, max_split, st.exact_budget, st.cpsat_seconds)
    found = Search(res.method, res.optimal, res.explored, res.limit)
    if res.plan is None:
        why = (res.limit or f"no plan from at most {max_split} location(s) holds every line")
        return Decision(UNFULFILLABLE, why, (), 0, max_split, found, ranked(set()), tuple(ruled.trace),
                        {s: why for s in skus})
    allocs = []
    for j in res.plan.nodes:
        i, fixed = rows[j], fixed_costs[j]
        mine = [li for li in range(L) if res.plan.line_node[li] == j]
        allocs.append(Allocation(nodes[i].id, modes[nodes[i].id], {skus[li]: qty[li] for li in mine},
                                 Costs(fixed.delivery_fen, fixed.picking_fen, fixed.lateness_fen,
                                       int(bal[i, mine].sum()), int(bonus[i, mine].sum())),
                                 req.now + timedelta(minutes=etas[j])))
    reason = (f"{len(allocs)} location(s), {res.plan.cost} fen by {res.method}"
              + ("" if res.optimal else f" ({res.limit})"))
    return Decision(OK, reason, tuple(allocs), res.plan.cost, max_split, found,
                    ranked({a.location_id for a in allocs}), tuple(ruled.trace))
