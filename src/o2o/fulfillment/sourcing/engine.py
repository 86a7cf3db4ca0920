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

from collections.abc import Iterable, Sequence
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


def decide(req: Request, nodes: Iterable[Node], settings: SourcingSettings | None = None,
           rules: Sequence[Rule] = ()) -> Decision:
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
        if mode is None:
            excluded[n.id] = why
        else:
            modes[n.id] = mode
    ruled = apply_rules(rules, req, [n for n in nodes if n.id in modes], modes)
    excluded.update(ruled.excluded)
    max_split = ruled.max_split or st.max_split

    weight = st.tier_lateness_weight_pct.get(req.tier or "", 100)
    allowed = None if req.promised_by is None else (req.promised_by - req.now).total_seconds() / 60
    horizon = st.horizon_hours * 60
    local: dict[str, tuple[int, int]] = {}
    rows: list[tuple[Node, Costs, int, list[int], list[int]]] = []  # node, fixed costs, eta min, line costs
    cands: list[Candidate] = []
    for n in nodes:
        held = [n.stock.get(s, 0) >= q for s, q in zip(skus, qty, strict=True)]
        why = excluded.get(n.id)
        if why is None:
            if n.hourly_left is not None and n.hourly_left <= 0:
                why = "capacity-hour"
            elif n.daily_left is not None and n.daily_left <= 0:
                why = "capacity-day"
            elif not any(held):
                why = "no-stock"
        delay = None
        if why is None:
            if n.timezone not in local:
                local[n.timezone] = schedule.local_minute(req.now, n.timezone)
            wd, minute = local[n.timezone]
            delay = schedule.start_delay(n.hours, wd, minute, st.cutoff_minutes, horizon)
            if delay is None:
                why = "closed"
        dist = None if n.distance_m is None else round(n.distance_m)
        if why is not None:
            cands.append(Candidate(n.id, n.name, n.kind, modes.get(n.id), dist, None, sum(held), Costs(), why))
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
        late = 0 if allowed is None else max(0, int(eta - allowed + 0.999999))
        fixed = Costs(delivery_fen=delivery, picking_fen=st.picking_fen,
                      lateness_fen=late * st.lateness_fen_per_min * weight // 100)
        bal, bonus = [], []
        for s, q, h in zip(skus, qty, held, strict=True):
            after = n.stock.get(s, 0) - q
            bal.append(st.balance_fen_per_unit * max(0, st.balance_floor_units - after) if h and n.kind == STORE else 0)
            bonus.append(-st.excess_bonus_fen if h and n.kind == STORE and after >= st.excess_units else 0)
        rows.append((n, fixed, eta, bal, bonus))
        whole = Costs(fixed.delivery_fen, fixed.picking_fen, fixed.lateness_fen,
                      sum(b for b, h in zip(bal, held, strict=True) if h),
                      sum(b for b, h in zip(bonus, held, strict=True) if h))
        cands.append(Candidate(n.id, n.name, n.kind, mode, dist, req.now + timedelta(minutes=eta), sum(held),
                               whole))

    def ranked(chosen: set[int]) -> tuple[Candidate, ...]:
        order = sorted(cands, key=lambda c: (c.excluded is not None, c.location_id not in chosen, -c.lines_held,
                                             c.costs.total_fen, c.location_id))
        return tuple(Candidate(c.location_id, c.name, c.kind, c.mode, c.distance_m, c.eta, c.lines_held, c.costs,
                               c.excluded, c.location_id in chosen, i + 1) for i, c in enumerate(order))

    L = len(skus)
    F = np.array([r[1].total_fen for r in rows], dtype=np.int64)
    C = np.full((len(rows), L), search.INF, dtype=np.int64)
    for i, (n, _f, _e, bal, bonus) in enumerate(rows):
        for j, (s, q) in enumerate(zip(skus, qty, strict=True)):
            if n.stock.get(s, 0) >= q:
                C[i, j] = bal[j] + bonus[j]
    held_anywhere = (C < search.INF).any(axis=0) if rows else np.zeros(L, dtype=bool)
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
    for i in res.plan.nodes:
        n, fixed, eta, bal, bonus = rows[i]
        mine = [j for j in range(L) if res.plan.line_node[j] == i]
        allocs.append(Allocation(n.id, modes[n.id], {skus[j]: qty[j] for j in mine},
                                 Costs(fixed.delivery_fen, fixed.picking_fen, fixed.lateness_fen,
                                       sum(bal[j] for j in mine), sum(bonus[j] for j in mine)),
                                 req.now + timedelta(minutes=eta)))
    reason = (f"{len(allocs)} location(s), {res.plan.cost} fen by {res.method}"
              + ("" if res.optimal else f" ({res.limit})"))
    return Decision(OK, reason, tuple(allocs), res.plan.cost, max_split, found,
                    ranked({a.location_id for a in allocs}), tuple(ruled.trace))
