"""Fulfilment: plan where an order goes, then the store flow picking -> ready -> handed over."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import segno
from sqlalchemy.orm import Session

from o2o.fulfillment import repository as repo
from o2o.fulfillment import routing, sla, sla_service, sourcing, sourcing_service
from o2o.fulfillment.exceptions import HandoverLocked, NothingFound, ShortPicked, WrongCode
from o2o.fulfillment.models import (
    CANCELLED,
    DELIVERED,
    HANDED_OVER,
    NEW,
    OPEN,
    PICKING,
    READY,
    SHIPPED,
    SHORT,
    FulfillmentHistory,
    FulfillmentLine,
    FulfillmentOrder,
    can_transition,
)
from o2o.fulfillment.schemas import (
    FulfillmentLineOut,
    FulfillmentOut,
    NewFulfillment,
)
from o2o.inventory import service as inventory
from o2o.inventory.schemas import Hold
from o2o.kernel.db import Database
from o2o.kernel.errors import IllegalTransition, InvalidInput, NotFound
from o2o.kernel.history import HistoryOut
from o2o.kernel.pagination import Page, PageParams
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations
from o2o.locations.schemas import Candidate

MAX_CODE_ATTEMPTS = 5


def plan(session: Session, req: routing.RouteRequest, lat: float | None, lng: float | None,
         max_radius_m: float) -> tuple[routing.Decision | None, dict[tuple[int, int], int], list[int]]:
    """Candidates near the point, their stock for the order's SKUs, and the routing decision."""
    extra = [req.chosen_location_id] if req.chosen_location_id else []
    cands = routing.usable(req, locations.candidates(session, lat, lng, max_radius_m, extra))
    loc_ids = [c.id for c in cands]
    stock = inventory.available(session, loc_ids, req.lines.keys()) if loc_ids else {}
    return routing.decide(req, cands, stock), stock, loc_ids


def plan_confirmed(session: Session, req: routing.RouteRequest, lat: float | None, lng: float | None
                   ) -> tuple[routing.Decision | None, str, dict[tuple[int, int], int], Candidate | None]:
    """The confirmed plan only (req.chosen_location_id in req.wanted_mode): the decision or why not, the
    location's stock for the order's SKUs, and the location as routing saw it (its distance and radius)."""
    loc = req.chosen_location_id
    found = [c for c in locations.candidates(session, lat, lng, 0, [loc]) if c.id == loc] if loc else []
    chosen = found[0] if found else None
    stock = inventory.available(session, [loc], req.lines.keys()) if chosen is not None and loc else {}
    decision, why = routing.confirmed(req, chosen, stock)
    return decision, why, stock, chosen


def create_for_order(uow: UnitOfWork, new: NewFulfillment) -> int:
    """Joins the caller's unit of work; returns the fulfilment id."""
    s, now = uow.session, uow.clock.now()
    code = _fresh_code(s, new.location_id) if new.mode == routing.PICKUP else None
    promised = sla_service.promise_for(s, new.order_id, new.location_id, new.mode, now)
    fo = FulfillmentOrder(order_id=new.order_id, order_number=new.order_number, location_id=new.location_id,
                          mode=new.mode, status="new", reason=new.reason, pickup_code=code, created_at=now,
                          promised_at=promised, due_at=promised)
    s.add(fo)
    s.flush()
    s.add_all([FulfillmentLine(fulfillment_id=fo.id, sku_id=sku, quantity=q) for sku, q in sorted(new.lines.items())])
    s.add(FulfillmentHistory(fulfillment_id=fo.id, from_status=None, to_status="new", actor="router",
                             note=new.reason[:300], at=now))
    uow.publish("fulfillment.created", _event(fo))
    return fo.id


def work_started(uow: UnitOfWork, order_id: int) -> bool:
    """Joins the caller's unit of work: whether the store has started on the order (a fulfilment past
    "new" and not cancelled). Its fulfilments stay locked until the commit, so a store starting to pick
    at the same moment is decided one way or the other, never both."""
    return any(fo.status not in (NEW, CANCELLED) for fo in repo.of_order(uow.session, order_id, lock=True))


def cancel_for_order(uow: UnitOfWork, order_id: int, actor: str) -> None:
    """Joins the caller's unit of work: cancel the order's open fulfilments (stock is the caller's)."""
    for fo in repo.of_order(uow.session, order_id):
        if fo.status in OPEN:
            _move(uow, fo, CANCELLED, actor, "order cancelled", publish=False)


def move_for_order(uow: UnitOfWork, order_id: int, location_id: int, actor: str, note: str,
                   mode: str | None = None) -> list[int]:
    """Joins the caller's unit of work (stock is the caller's): the order's open fulfilments go to another
    location. Only before the store has started (all "new"): each is cancelled with the note and one new
    fulfilment made at `location_id` with all their lines (a new pickup code), in `mode` (default: the
    first one's; the parts of a split order become one). IllegalTransition once picking started. Returns
    the new fulfilment ids."""
    current = [fo for fo in repo.of_order(uow.session, order_id, lock=True) if fo.status in OPEN]
    if started := next((fo for fo in current if fo.status != NEW), None):
        raise IllegalTransition("fulfillment", started.status, "moved to another store")
    if not current:
        return []
    lines: dict[int, int] = {}
    for fo in current:
        for ln in repo.lines_of(uow.session, fo.id):
            lines[ln.sku_id] = lines.get(ln.sku_id, 0) + ln.quantity
        _move(uow, fo, CANCELLED, actor, note[:300])
    first = current[0]
    return [create_for_order(uow, NewFulfillment(order_id, first.order_number, location_id, mode or first.mode,
                                                 note, lines))]


def _fresh_code(s: Session, location_id: int) -> str:
    for _ in range(20):
        code = f"{secrets.randbelow(1_000_000):06d}"
        if not repo.code_in_use(s, location_id, code):
            return code
    raise RuntimeError("could not find a free pickup code")


def _event(fo: FulfillmentOrder) -> dict:
    return {"fulfillment_id": fo.id, "order_id": fo.order_id, "order_number": fo.order_number,
            "location_id": fo.location_id, "mode": fo.mode, "status": fo.status}


def _move(uow: UnitOfWork, fo: FulfillmentOrder, dst: str, actor: str, note: str = "", publish: bool = True) -> None:
    if not can_transition(fo.status, dst):
        raise IllegalTransition("fulfillment", fo.status, dst)
    now = uow.clock.now()
    uow.session.add(FulfillmentHistory(fulfillment_id=fo.id, from_status=fo.status, to_status=dst, actor=actor,
                                       note=note, at=now))
    fo.status = dst
    if dst == READY:
        fo.ready_at = now
    if dst in (HANDED_OVER, SHIPPED, CANCELLED):
        fo.closed_at = now
    sla.reached(fo, dst, now)  # the promised step reached (or cancelled): out of the SLA watch
    if publish:
        uow.publish(f"fulfillment.{dst}", _event(fo))


def _change(uow: UnitOfWork, fulfillment_id: int, step: Callable[[FulfillmentOrder], None]) -> FulfillmentOut:
    """One store action: lock the fulfilment, apply the step, commit, return the fresh state."""
    with uow:
        fo = repo.locked(uow.session, fulfillment_id)
        if fo is None:
            raise NotFound("fulfillment", fulfillment_id)
        step(fo)
        uow.commit()
    return get(uow.db, fulfillment_id)


def start_picking(uow: UnitOfWork, fulfillment_id: int, actor: str) -> FulfillmentOut:
    return _change(uow, fulfillment_id, lambda fo: _move(uow, fo, PICKING, actor))


def mark_ready(uow: UnitOfWork, fulfillment_id: int, actor: str) -> FulfillmentOut:
    def step(fo: FulfillmentOrder) -> None:
        _not_short(fo, READY)
        if fo.status == "new":
            _move(uow, fo, PICKING, actor, "picked in one step")
        _move(uow, fo, READY, actor)
        if fo.pickup_code:
            uow.publish("fulfillment.pickup_ready", {**_event(fo), "pickup_code": fo.pickup_code})
    return _change(uow, fulfillment_id, step)


def hand_over(uow: UnitOfWork, fulfillment_id: int, code: str, actor: str) -> FulfillmentOut:
    """Verify the pickup code, commit the stock once, close the fulfilment."""
    def step(fo: FulfillmentOrder) -> None:
        _not_short(fo, HANDED_OVER)
        if fo.status != READY:
            raise IllegalTransition("fulfillment", fo.status, HANDED_OVER)
        if fo.failed_code_attempts >= MAX_CODE_ATTEMPTS:
            raise HandoverLocked("too many wrong codes: a store manager must re-issue the code")
        if not fo.pickup_code or not secrets.compare_digest(fo.pickup_code, code):
            fo.failed_code_attempts += 1
            uow.commit()  # the failed attempt counts even though the request fails
            raise WrongCode("the code does not match", attempts_left=MAX_CODE_ATTEMPTS - fo.failed_code_attempts)
        inventory.commit(uow.session, fo.order_number, uow.clock.now(), location_id=fo.location_id)
        _move(uow, fo, HANDED_OVER, actor)
    return _change(uow, fulfillment_id, step)


def reissue_code(uow: UnitOfWork, fulfillment_id: int, actor: str) -> FulfillmentOut:
    """A store manager replaces a ready order's pickup code (after a lock-out, or a lost SMS):
    the old code stops working, wrong attempts reset, and the customer is sent the new one."""
    def step(fo: FulfillmentOrder) -> None:
        if fo.status != READY or fo.mode != routing.PICKUP:
            raise IllegalTransition("fulfillment", fo.status, "code re-issued")
        fo.pickup_code = _fresh_code(uow.session, fo.location_id)
        fo.failed_code_attempts = 0
        uow.session.add(FulfillmentHistory(fulfillment_id=fo.id, from_status=READY, to_status=READY, actor=actor,
                                           note="pickup code re-issued", at=uow.clock.now()))
        uow.publish("fulfillment.pickup_ready", {**_event(fo), "pickup_code": fo.pickup_code})
    return _change(uow, fulfillment_id, step)


def ship(uow: UnitOfWork, fulfillment_id: int, actor: str) -> FulfillmentOut:
    """Parcel or courier: the goods leave the location; the stock is committed."""
    def step(fo: FulfillmentOrder) -> None:
        _not_short(fo, SHIPPED)
        if fo.mode == routing.PICKUP:
            raise IllegalTransition("fulfillment", f"{fo.status} (pickup)", SHIPPED)
        if fo.status == "new":
            _move(uow, fo, PICKING, actor, "picked in one step")
        inventory.commit(uow.session, fo.order_number, uow.clock.now(), location_id=fo.location_id)
        _move(uow, fo, SHIPPED, actor)
    return _change(uow, fulfillment_id, step)


def _not_short(fo: FulfillmentOrder, dst: str) -> None:
    """Never a silent partial hand-over: a short-picked fulfilment goes nowhere until it is resolved."""
    if fo.status == SHORT:
        raise ShortPicked(f"fulfilment {fo.id} is short picked: the customer must accept the partial order "
                          f"or the order be cancelled first", current_status=SHORT, requested_status=dst)


def _line(uow: UnitOfWork, fo: FulfillmentOrder, sku_id: int) -> FulfillmentLine:
    line = repo.line_of(uow.session, fo.id, sku_id)
    if line is None:
        raise NotFound("fulfillment line", f"{fo.id}/{sku_id}")
    return line


def _picking(uow: UnitOfWork, fo: FulfillmentOrder, actor: str, what: str) -> None:
    """Ticking or short-picking a line is picking: a new fulfilment starts; past picking it is too late."""
    if fo.status == NEW:
        _move(uow, fo, PICKING, actor, f"picking started ({what})")
    elif fo.status not in (PICKING, SHORT):
        raise IllegalTransition("fulfillment", fo.status, what)


def tick(uow: UnitOfWork, fulfillment_id: int, sku_id: int, picked: bool, actor: str) -> FulfillmentOut:
    """Tick (or untick) a line as in the basket: saved, so another clerk sees the progress."""
    def step(fo: FulfillmentOrder) -> None:
        _picking(uow, fo, actor, "line ticked")
        line = _line(uow, fo, sku_id)
        if line.missing:
            raise IllegalTransition("fulfillment line", "short", "picked")
        line.picked = line.quantity if picked else 0
    return _change(uow, fulfillment_id, step)


def short_pick(uow: UnitOfWork, fulfillment_id: int, sku_id: int, found: int, actor: str) -> FulfillmentOut:
    """The shelf has only `found` (0 <= found < ordered) of a line: the fulfilment goes to "short" and
    waits for someone to contact the customer (fulfillment.short_picked). Automatic re-sourcing from
    another location is the fulfilment engine's (not yet)."""
    def step(fo: FulfillmentOrder) -> None:
        _picking(uow, fo, actor, "short pick")
        line = _line(uow, fo, sku_id)
        if not 0 <= found < line.quantity:
            raise InvalidInput("found", f"must be a whole number from 0 to {line.quantity - 1}")
        line.picked, line.missing = found, line.quantity - found
        note = f"short pick: sku {sku_id} found {found} of {line.quantity}"
        if fo.status == SHORT:
            uow.session.add(FulfillmentHistory(fulfillment_id=fo.id, from_status=SHORT, to_status=SHORT,
                                               actor=actor, note=note, at=uow.clock.now()))
        else:
            _move(uow, fo, SHORT, actor, note, publish=False)
        uow.session.flush()
        missing = [{"sku_id": ln.sku_id, "quantity": ln.quantity, "found": ln.picked}
                   for ln in repo.lines_of(uow.session, fo.id) if ln.missing]
        uow.publish("fulfillment.short_picked", {**_event(fo), "lines": missing, "actor": actor})
    return _change(uow, fulfillment_id, step)


def reject(uow: UnitOfWork, fulfillment_id: int, reason: str, actor: str) -> FulfillmentOut:
    """The store will not fulfil an order it has not started (the shelf is empty, a fridge broke): every
    line is marked missing and the fulfilment waits as a short pick (never picked: its history says it was
    rejected and why). `fulfillment.rejected` re-sources it to other locations through the outbox (orders'
    handler, `reallocate`); when no other location can, it stays short for someone to contact the
    customer (accept the partial order or cancel), as after a short pick."""
    def step(fo: FulfillmentOrder) -> None:
        if fo.status != NEW:
            raise IllegalTransition("fulfillment", fo.status, "rejected")
        note = f"rejected by the store: {reason}"[:300]
        _move(uow, fo, PICKING, actor, note, publish=False)
        for ln in repo.lines_of(uow.session, fo.id):
            ln.picked, ln.missing = 0, ln.quantity
        _move(uow, fo, SHORT, actor, note, publish=False)
        uow.publish("fulfillment.rejected", {**_event(fo), "reason": reason[:200], "actor": actor})
    return _change(uow, fulfillment_id, step)


def parts_of(session: Session, order_id: int) -> list[tuple[int, str]]:
    """Joins the caller's session: (location id, status) of each of an order's fulfilments, oldest first."""
    return [(fo.location_id, fo.status) for fo in repo.of_order(session, order_id)]


def where_is(session: Session, fulfillment_id: int) -> tuple[int, int] | None:
    """Joins the caller's session: (order id, location id) of a fulfilment, None when there is none."""
    fo = session.get(FulfillmentOrder, fulfillment_id)
    return (fo.order_id, fo.location_id) if fo is not None else None


def accept_short(uow: UnitOfWork, order_id: int, actor: str) -> tuple[int, dict[int, int]]:
    """Joins the caller's unit of work (orders.accept_partial): the customer accepts what was found.
    Each short line is reduced to the units found (a line of none is dropped) and the fulfilment goes
    back to picking. Returns (location id, sku id -> units no longer delivered)."""
    fos = [fo for fo in repo.of_order(uow.session, order_id, lock=True) if fo.status == SHORT]
    if not fos:
        current = ",".join(fo.status for fo in repo.of_order(uow.session, order_id)) or "none"
        raise IllegalTransition("fulfillment", current, "partial accepted")
    fo, removed = fos[0], {}
    lines = repo.lines_of(uow.session, fo.id)
    if all(ln.missing == ln.quantity for ln in lines):
        raise NothingFound("nothing of the order was found: cancel it instead")
    for ln in lines:
        if ln.missing:
            removed[ln.sku_id] = ln.missing
            ln.quantity -= ln.missing
            ln.missing = 0
            if ln.quantity == 0:
                uow.session.delete(ln)
    _move(uow, fo, PICKING, actor, "customer accepted the partial order: "
          + ", ".join(f"sku {sku} -{n}" for sku, n in sorted(removed.items())))
    return fo.location_id, removed


def is_short(uow: UnitOfWork, order_id: int) -> bool:
    """Joins the caller's unit of work: whether the order waits on a short pick (its fulfilments locked)."""
    return any(fo.status == SHORT for fo in repo.of_order(uow.session, order_id, lock=True))


def short_open(db: Database, location_id: int | None = None) -> int:
    """How many fulfilments (of a location) wait for a short pick to be resolved."""
    with db.read() as s:
        return repo.count_status(s, location_id, SHORT)


def board_state(db: Database, location_id: int) -> tuple[int, dict[str, int]]:
    """For the console's live board: the newest open fulfilment id at the location and its open
    fulfilments per status. Two reads of the (location, status) index's open range, no row loaded."""
    with db.read() as s:
        counts = repo.open_counts(s, location_id) | sla_service.flag_counts(s, location_id)  # + SLA flags
        return repo.latest_id(s, location_id), counts


# --- SLA (issue 13): promises, the watch, at-risk lists, on-time rate (sla, sla_service) -----------------
SlaSettings = sla.SlaSettings
AtRiskOut = sla_service.AtRiskOut
OnTimeOut = sla_service.OnTimeOut
sla_settings = sla_service.sla_settings
configure_sla = sla_service.configure_sla
current_sla = sla_service.current_sla
watch_sla = sla_service.watch
at_risk = sla_service.at_risk
on_time = sla_service.on_time


def confirm_delivery(uow: UnitOfWork, fulfillment_id: int, actor: str) -> FulfillmentOut:
    """The courier (or parcel carrier) reports the goods delivered: the order completes."""
    return _change(uow, fulfillment_id, lambda fo: _move(uow, fo, DELIVERED, actor))


# --- couriers (issue 13): a courier platform's callback moves the fulfilment, in the callback's unit of work ---

def courier_picked_up(uow: UnitOfWork, fulfillment_id: int, actor: str, note: str = "") -> bool:
    """Joins the caller's unit of work: the rider has the goods, so a ready (or still picking) store
    delivery is shipped and its stock committed. False when there is nothing to do (already shipped,
    delivered) or it cannot leave (short picked, cancelled): the caller keeps the courier's state anyway."""
    fo = repo.locked(uow.session, fulfillment_id)
    if fo is None or fo.mode != routing.STORE_DELIVERY or fo.status not in (NEW, PICKING, READY):
        return False
    if fo.status == NEW:
        _move(uow, fo, PICKING, actor, "picked in one step")
    inventory.commit(uow.session, fo.order_number, uow.clock.now(), location_id=fo.location_id)
    _move(uow, fo, SHIPPED, actor, note[:300])
    return True


def courier_delivered(uow: UnitOfWork, fulfillment_id: int, actor: str, note: str = "") -> bool:
    """Joins the caller's unit of work: the courier delivered (shipped first if the pick-up report was
    lost). False when there is nothing to do."""
    courier_picked_up(uow, fulfillment_id, actor, note)
    fo = repo.locked(uow.session, fulfillment_id)
    if fo is None or fo.status != SHIPPED:
        return False
    _move(uow, fo, DELIVERED, actor, note[:300])
    return True


def get(db: Database, fulfillment_id: int) -> FulfillmentOut:
    with db.read() as s:
        fo = s.get(FulfillmentOrder, fulfillment_id)
        if fo is None:
            raise NotFound("fulfillment", fulfillment_id)
        return _out(s, fo)


def _out(s: Session, fo: FulfillmentOrder) -> FulfillmentOut:
    out = FulfillmentOut.model_validate(fo)
    out.lines = [FulfillmentLineOut.model_validate(ln) for ln in repo.lines_of(s, fo.id)]
    out.history = [HistoryOut.model_validate(h) for h in repo.history_of(s, fo.id)]
    return out


def for_order(db: Database, order_id: int) -> list[FulfillmentOut]:
    with db.read() as s:
        return [_out(s, fo) for fo in repo.of_order(s, order_id)]


def queue(db: Database, location_id: int, status: str | None, page: PageParams) -> Page[FulfillmentOut]:
    with db.read() as s:
        rows, total = repo.queue(s, location_id, status, page.offset, page.size)
        return Page[FulfillmentOut](items=[_out(s, fo) for fo in rows], page=page.page, size=page.size, total=total)


def qr_svg(db: Database, fulfillment_id: int) -> str:
    fo = get(db, fulfillment_id)
    if not fo.pickup_code:
        raise NotFound("pickup code", fulfillment_id)
    payload = f"O2O-PICKUP:{fo.id}:{fo.pickup_code}"
    return segno.make(payload, error="m").svg_inline(scale=6)


def ready_pickup_by_code(db: Database, location_id: int, code: str) -> int | None:
    """The id of the READY pickup at this location with this code, if any (the store types the code
    the customer shows; the code itself never leaves the customer's side)."""
    with db.read() as s:
        return repo.ready_pickup_by_code(s, location_id, code)


def closed_since(db: Database, location_id: int, since: datetime, page: PageParams,
                 statuses: tuple[str, ...] = (HANDED_OVER, SHIPPED, DELIVERED)) -> Page[FulfillmentOut]:
    """What left the location since `since` (handed over, shipped), latest first."""
    with db.read() as s:
        rows, total = repo.closed_since(s, location_id, statuses, since, page.offset, page.size)
        return Page[FulfillmentOut](items=[_out(s, fo) for fo in rows], page=page.page, size=page.size, total=total)


def failed_attempts(db: Database, location_id: int) -> dict[int, int]:
    """fulfilment id -> wrong codes so far, for READY fulfilments at the location that had any
    (MAX_CODE_ATTEMPTS of them lock the handover until a store manager re-issues the code)."""
    with db.read() as s:
        return repo.failed_attempts(s, location_id)


# --- sourcing (issue 13): the database side lives in sourcing_service; callers use these names -------
SourcingRequest = sourcing.Request
sourcing_settings = sourcing_service.sourcing_settings
source = sourcing_service.source
source_plan = sourcing_service.source_plan
placed_modes = sourcing_service.placed_modes
record_decision = sourcing_service.record_decision
decisions = sourcing_service.decisions
rules = sourcing_service.rules
create_rule = sourcing_service.create_rule
update_rule = sourcing_service.update_rule
reorder_rules = sourcing_service.reorder_rules


# --- re-sourcing (issue 13): the rest of a rejected or short-picked fulfilment goes elsewhere ---

def reallocate(uow: UnitOfWork, fulfillment_id: int, request: sourcing.Request, actor: str,
               settings: sourcing.SourcingSettings | None = None, hold_days: int = 7,
               max_radius_m: float = 5_000) -> sourcing.Decision:
    """Re-sourcing: a store rejected a fulfilment it has not started ("new") or short-picked it
    ("short"); the rest (every line, or the units missing) goes to other locations, the failing one
    ruled out. `request` says where the customer is and how they are served (its lines are replaced by
    the rest). When a plan is found: the failing store's reservation of those units is given back and
    held at the new locations (conditional UPDATEs, last before the commit; ReservationFailed rolls
    everything back), a new fulfilment per location, the failing one reduced to what was found (back
    to picking) or cancelled when nothing is left. The decision is recorded either way; without a plan
    nothing else changes."""
    with uow:
        s, now = uow.session, uow.clock.now()
        fo = repo.locked(s, fulfillment_id)
        if fo is None:
            raise NotFound("fulfillment", fulfillment_id)
        lines = repo.lines_of(s, fo.id)
        if fo.status == SHORT:
            rest = {ln.sku_id: ln.missing for ln in lines if ln.missing}
        elif fo.status == NEW:
            rest = {ln.sku_id: ln.quantity for ln in lines}
        else:
            raise IllegalTransition("fulfillment", fo.status, "re-sourced")
        req = dataclasses.replace(request, lines=rest, now=now)
        decision = sourcing.reallocate(req, sourcing_service.nodes(s, req, max_radius_m), fo.location_id, settings,
                                       sourcing_service.enabled_rules(s))
        record_decision(uow, fo.order_number, decision)
        uow.describe(f"fulfillment={fo.id}", order=fo.order_number, outcome=decision.status)
        if not decision.ok:
            uow.commit()
            return decision
        for ln in lines:
            if ln.sku_id in rest:
                inventory.release_units(s, fo.order_number, fo.location_id, ln.sku_id, rest[ln.sku_id])
                ln.quantity -= rest[ln.sku_id]
                ln.missing = 0
                if ln.quantity == 0:
                    s.delete(ln)
        moved = ", ".join(f"{a.location_id}: " + " ".join(f"sku {k} x{q}" for k, q in sorted(a.lines.items()))
                          for a in decision.allocations)
        note = f"re-sourced to {moved}"[:300]
        left = any(ln.quantity > 0 for ln in lines)
        if fo.status == SHORT and left:
            _move(uow, fo, PICKING, actor, note, publish=False)
        else:
            _move(uow, fo, CANCELLED, actor, note, publish=False)
        made = [create_for_order(uow, NewFulfillment(fo.order_id, fo.order_number, a.location_id, a.mode,
                                                     f"re-sourced from location {fo.location_id}", dict(a.lines)))
                for a in decision.allocations]
        uow.publish("fulfillment.reallocated", {**_event(fo), "new_fulfillment_ids": made,
                                                "lines": {str(k): v for k, v in rest.items()}})
        holds = [Hold(a.location_id, sku, q) for a in decision.allocations for sku, q in a.lines.items()]
        uow.commit(last=lambda session: inventory.reserve(session, fo.order_number, holds, now,
                                                          now + timedelta(days=hold_days)))
        return decision
