"""Sourcing, the database side (issue 13): the engine (o2o.fulfillment.sourcing) fed from the database,
the rules table, and the decision record. `o2o.fulfillment.service` re-exports these: other areas call
`fulfillment.service.source(session, request)`."""

from __future__ import annotations

import threading
import time
import weakref
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from o2o.config import Settings
from o2o.fulfillment import repository as repo
from o2o.fulfillment import sourcing
from o2o.fulfillment.models import SourcingDecision, SourcingRule
from o2o.fulfillment.schemas import DecisionOut, RuleIn, RuleOut, RuleUpdate
from o2o.inventory import service as inventory
from o2o.kernel.db import Database
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.kernel.lookups import flush_unique
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations


def sourcing_settings(settings: Settings) -> sourcing.SourcingSettings:
    """The engine's settings with the deployment's max_split (O2O_SOURCING_MAX_SPLIT)."""
    return sourcing.SourcingSettings(max_split=settings.sourcing_max_split)


def source(session: Session, request: sourcing.Request, settings: sourcing.SourcingSettings | None = None,
           max_radius_m: float = 5_000) -> sourcing.Decision:
    """Which locations fulfil the request and why (reads only; the caller records it with
    `record_decision` and reserves). Candidates: stores whose H3 cells lie within max_radius_m of the
    customer, the chosen store, every warehouse; their stock of the order's SKUs; the capacity each has
    left this hour and today (its fulfilments since then, in its own zone); the enabled rules."""
    return sourcing.decide(request, nodes(session, request, max_radius_m), settings, enabled_rules(session))


def source_plan(session: Session, request: sourcing.Request, settings: sourcing.SourcingSettings | None = None,
                max_radius_m: float = 5_000) -> tuple[sourcing.Decision, dict[tuple[int, int], int], list[int]]:
    """`source` for placing an order: the decision, and what it was made from (the candidates' stock of
    the order's SKUs keyed (location, SKU), and the candidates' ids) so a refusal can name what is short."""
    found = nodes(session, request, max_radius_m)
    decision = sourcing.decide(request, found, settings, cached_rules(session))
    return decision, {(n.id, sku): q for n in found for sku, q in n.stock.items()}, [n.id for n in found]


def placed_modes(session: Session, order_number: str) -> dict[int, str]:
    """Joins the caller's session: location id -> mode of each allocation of the decision an order was
    placed with (its first decision that found a plan); empty when the engine did not place it."""
    for d in repo.decisions_of(session, order_number):
        if d.status == sourcing.OK:
            return {int(a["location_id"]): str(a["mode"]) for a in d.record.get("allocations", [])}
    return {}


def enabled_rules(session: Session) -> list[sourcing.Rule]:
    return [sourcing.Rule(r.id, r.name, sourcing.SPEC.validate_python(r.spec))
            for r in repo.rules(session, enabled_only=True)]


# Placing an order (the hot path) reads the enabled rules from a per-database cache: a rule edited in this
# process applies at once (every write forgets the cache), one edited in another process (another
# worker) within RULES_TTL_S. Keyed by the session's bind (the Engine; a test's own Connection), weakly.
RULES_TTL_S = 5.0
_rules: weakref.WeakKeyDictionary[Any, tuple[float, list[sourcing.Rule]]] = weakref.WeakKeyDictionary()
_rules_lock = threading.Lock()


def cached_rules(session: Session) -> list[sourcing.Rule]:
    """`enabled_rules`, read at most once per RULES_TTL_S per database (see above)."""
    bind = session.get_bind()
    now = time.monotonic()
    with _rules_lock:
        hit = _rules.get(bind)
    if hit is not None and now - hit[0] < RULES_TTL_S:
        return hit[1]
    fresh = enabled_rules(session)
    with _rules_lock:
        _rules[bind] = (now, fresh)
    return fresh


def forget_rules() -> None:
    """Every rule write in this process: the next order reads the rules again."""
    with _rules_lock:
        _rules.clear()


def nodes(session: Session, request: sourcing.Request, max_radius_m: float) -> list[sourcing.Node]:
    extra = [request.chosen_location_id] if request.chosen_location_id else []
    pairs = [(c, p) for c, p in locations.candidates_with_profiles(session, request.lat, request.lng, max_radius_m,
                                                                   extra)
             if c.kind != "store" or c.can_parcel or c.id == request.chosen_location_id
             or (c.distance_m is not None and c.distance_m <= max_radius_m)]  # not the H3 disk's far corners
    cands = [c for c, _ in pairs]
    ids = [c.id for c in cands]
    stock: dict[int, dict[int, int]] = defaultdict(dict)
    for (loc, sku), q in (inventory.available(session, ids, request.lines.keys()) if ids else {}).items():
        stock[loc][sku] = q
    holding = {loc for loc, by_sku in stock.items() if any(q > 0 for q in by_sku.values())}
    profiles = {c.id: p for c, p in pairs if c.id in holding}  # the others hold nothing: no hours, no capacity
    used = _capacity_used(session, profiles, request.now)
    out = []
    for c in cands:
        p = profiles.get(c.id)
        h, d = used.get(c.id, (0, 0))
        out.append(sourcing.Node(
            id=c.id, kind=c.kind, name=c.name, distance_m=c.distance_m, radius_m=c.radius_m, can_pickup=c.can_pickup,
            can_store_delivery=c.can_store_delivery, can_parcel=c.can_parcel, stock=stock.get(c.id, {}),
            timezone=p.timezone if p else "Asia/Shanghai", hours=p.opening_hours if p else None,
            hourly_left=p.hourly_capacity - h if p else None, daily_left=p.daily_capacity - d if p else None))
    return out


def _capacity_used(session: Session, profiles: dict, now: datetime) -> dict[int, tuple[int, int]]:
    """Location id -> (fulfilments this hour, today), hour and day in the location's own zone."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for p in profiles.values():
        by_zone[p.timezone].append(p.id)
    out: dict[int, tuple[int, int]] = {}
    for zone, ids in by_zone.items():
        local = now.astimezone(ZoneInfo(zone))
        hour = local.replace(minute=0, second=0, microsecond=0)
        day = hour - timedelta(hours=hour.hour)
        out.update(repo.assigned_since(session, ids, hour, day))
    return out


def record_decision(uow: UnitOfWork, order_number: str, decision: sourcing.Decision) -> int:
    """Joins the caller's unit of work: keep the decision with its ranked candidates for the order (one
    INSERT, no ORM flush: placing an order writes one)."""
    return uow.session.connection().execute(_RECORD, {
        "order_number": order_number, "status": decision.status, "reason": decision.reason[:300],
        "method": decision.search.method, "optimal": decision.search.optimal, "total_fen": decision.total_fen,
        "record": decision.to_json(), "created_at": uow.clock.now()}).scalar_one()


# built once, on the table (not the ORM entity): placing an order runs it, and building the statement or
# going through the ORM's bulk path cost about as much as the INSERT itself
_RECORD = insert(SourcingDecision.__table__).returning(SourcingDecision.__table__.c.id)


def decisions(db: Database, order_number: str) -> list[DecisionOut]:
    """An order's sourcing decisions, oldest first ("why this store")."""
    with db.read() as s:
        return [DecisionOut.model_validate(d) for d in repo.decisions_of(s, order_number)]


def rules(db: Database) -> list[RuleOut]:
    with db.read() as s:
        return [RuleOut.model_validate(r) for r in repo.rules(s)]


def create_rule(uow: UnitOfWork, data: RuleIn, actor: str) -> RuleOut:
    """A new rule, last or at `position` (1 = first); the others keep their order."""
    with uow:
        current = repo.rules_locked(uow.session)
        now = uow.clock.now()
        rule = SourcingRule(name=data.name, position=0, enabled=data.enabled, spec=data.spec.model_dump(mode="json"),
                            created_at=now, updated_at=now, updated_by=actor[:120])
        uow.session.add(rule)
        flush_unique(uow.session, f"a sourcing rule named {data.name!r} already exists", "name")
        at = len(current) if data.position is None else min(data.position - 1, len(current))
        _renumber([*current[:at], rule, *current[at:]])
        uow.session.flush()
        out = RuleOut.model_validate(rule)
        uow.describe(f"sourcing_rule={rule.id}", kind=data.spec.kind, position=rule.position)
        uow.commit()
        forget_rules()
        return out


def update_rule(uow: UnitOfWork, rule_id: int, data: RuleUpdate, actor: str) -> RuleOut:
    """Rename, change the spec, enable or disable a rule."""
    with uow:
        rule = uow.session.get(SourcingRule, rule_id, with_for_update=True)
        if rule is None:
            raise NotFound("sourcing rule", rule_id)
        if data.name is not None:
            rule.name = data.name
        if data.spec is not None:
            rule.spec = data.spec.model_dump(mode="json")
        if data.enabled is not None:
            rule.enabled = data.enabled
        rule.updated_at, rule.updated_by = uow.clock.now(), actor[:120]
        flush_unique(uow.session, f"a sourcing rule named {data.name!r} already exists", "name")
        out = RuleOut.model_validate(rule)
        uow.describe(f"sourcing_rule={rule.id}", enabled=rule.enabled,
                     changed=",".join(k for k, v in data.model_dump().items() if v is not None) or "nothing")
        uow.commit()
        forget_rules()
        return out


def reorder_rules(uow: UnitOfWork, ids: list[int], actor: str) -> list[RuleOut]:
    """The rules in a new order: `ids` names every rule exactly once."""
    with uow:
        current = repo.rules_locked(uow.session)
        by_id = {r.id: r for r in current}
        if len(ids) != len(set(ids)) or set(ids) != set(by_id):
            raise InvalidInput("ids", f"every rule id exactly once ({len(by_id)} rules)")
        now = uow.clock.now()
        _renumber([by_id[i] for i in ids])
        for r in current:
            r.updated_at, r.updated_by = now, actor[:120]
        uow.session.flush()
        out = [RuleOut.model_validate(by_id[i]) for i in ids]
        uow.describe("sourcing_rules", order=",".join(map(str, ids))[:200])
        uow.commit()
        forget_rules()
        return out


def _renumber(ordered: list[SourcingRule]) -> None:
    for i, r in enumerate(ordered, start=1):
        r.position = i
