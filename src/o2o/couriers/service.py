"""Courier dispatch for store deliveries and return pickups: quote, create with the cheapest, follow the
platform's callbacks, fail over, tip. The only place that commits these use cases.

A return's pickup (issue 11) is a delivery of kind `pickup`: the rider collects the goods at the customer's
(the order's delivery address, else the customer's newest saved address) and brings them to the store the
return goes to. It moves through the same states, failover and callbacks as a store delivery; it touches no
fulfilment: each change is published as `courier.pickup_moved` (the returns area shows it on the return),
and a return withdrawn, refused or brought to a store before the rider has the goods takes its courier back
once.

Nothing calls a platform inside a request's transaction: creating, cancelling and tipping are outbox
events (`courier.dispatch`, `courier.cancel`, `courier.tip`) handled by the relay, retried with backoff,
each at-most-once per event through `processed_event` (and idempotent at the platform by `origin_id`).

The state machine: a delivery's status only moves forwards by (rank, platform time) (see
o2o.adapters.couriers.RANK): a duplicate or an older report changes nothing, so any order of a valid
sequence of callbacks ends in the same state. A platform cancellation or expiry before the rider has the
goods, a refusal, or no rider within `expire_minutes` (ours: the attempt is cancelled at the platform once)
fails over to the next courier not tried yet; none left: `failed` (the store ships by hand).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from o2o.adapters.couriers import (
    ASSIGNED,
    AT_STORE,
    CANCELLED,
    DELIVERED,
    DELIVERING,
    EXPIRED,
    RETURNING,
    WAITING,
    BadSignature,
    Courier,
    CourierError,
    Parcel,
    Quote,
    Refused,
    Update,
)
from o2o.couriers import repository as repo
from o2o.couriers import rules
from o2o.couriers.models import (
    ASKED,
    DELIVERY,
    DISPATCHING,
    ENDED,
    FAILED,
    PICKUP,
    PLACED,
    REFUSED,
    CourierAttempt,
    CourierDelivery,
    CourierHistory,
)
from o2o.couriers.schemas import MAX_TOTAL_TIP_FEN, AttemptOut, CourierHistoryOut, DeliveryOut
from o2o.customers import service as customers
from o2o.fulfillment import service as fulfillment
from o2o.kernel import geo
from o2o.kernel.db import Database
from o2o.kernel.errors import Busy, Conflict, IllegalTransition, NotFound, Unauthorized
from o2o.kernel.pii import mask_phone
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations
from o2o.orders import service as orders

log = logging.getLogger(__name__)

STORE_DELIVERY = "store_delivery"
ACTIVE = (WAITING, ASSIGNED, AT_STORE, DELIVERING, RETURNING)
BEFORE_PICKUP = frozenset({DISPATCHING, WAITING, ASSIGNED, AT_STORE})
ENDED_STATUSES = frozenset({DELIVERED, CANCELLED, EXPIRED, FAILED})
# the statuses a page shows as steps of the rider's progress
STEPS = (WAITING, ASSIGNED, AT_STORE, DELIVERING, DELIVERED)


class PlatformUnreachable(Busy):
    """503 to a callback that had to be confirmed with the platform, which could not be reached: the platform
    calls back again."""

    kind = "courier-unreachable"


class BadCallback(Unauthorized):
    """A callback not signed by the platform (forged, tampered, stale): nothing changed."""

    kind, message_key = "bad-signature", "bad_signature"


def _history(uow: UnitOfWork, d: CourierDelivery, dst: str, actor: str, note: str = "", src: str | None = None,
             provider: str | None = None) -> None:
    uow.session.add(CourierHistory(delivery_id=d.id, from_status=src if src is not None else d.status, to_status=dst,
                                   actor=actor[:80], note=note[:300], at=uow.clock.now(),
                                   provider=provider if provider is not None else (d.provider or "")))
    if d.kind == PICKUP and d.return_id is not None:  # every change of a pickup: the return shows it
        uow.publish("courier.pickup_moved", {"return_id": d.return_id, "delivery_id": d.id})


def _event(d: CourierDelivery) -> dict:
    return {"delivery_id": d.id, "fulfillment_id": d.fulfillment_id, "order_id": d.order_id,
            "order_number": d.order_number, "location_id": d.location_id, "status": d.status,
            "provider": d.provider or "", "round": d.round, "kind": d.kind, "return_id": d.return_id}


# --- a ready store delivery gets a delivery (relay) ---------------------------------------------------------

def open_delivery(uow: UnitOfWork, fulfillment_id: int, order_id: int, order_number: str, location_id: int,
                  mode: str) -> int | None:
    """Joins the relay's unit of work (fulfillment.ready): a ready store delivery gets a courier delivery
    (once) and its dispatch is queued. Returns its id (None: not a store delivery)."""
    if mode != STORE_DELIVERY:
        return None
    s, now = uow.session, uow.clock.now()
    known = repo.of_fulfillment(s, fulfillment_id)
    if known is not None:
        return known.id
    d = CourierDelivery(fulfillment_id=fulfillment_id, order_id=order_id, order_number=order_number,
                        location_id=location_id, status=DISPATCHING, round=1, fee_fen=0, tip_fen=0, distance_m=0,
                        last_update_at=0, created_at=now, updated_at=now)
    s.add(d)
    s.flush()
    _history(uow, d, DISPATCHING, "couriers", "ready for a courier", src="")
    uow.publish("courier.dispatch", _event(d))
    return d.id


# --- a return to be picked up gets a delivery of kind pickup (relay) ----------------------------------------

def _pickup_point(s: Session, order_id: int, customer_id: int | None) -> tuple[float, float, str] | None:
    """Where a return is collected: the order's delivery address, else the customer's newest saved address."""
    dest = orders.destination(s, order_id)
    if dest is not None:
        return dest
    if customer_id is None:
        return None
    a = customers.newest_address(s, customer_id)
    if a is None:
        return None
    return a.lat, a.lng, " ".join(x for x in (a.district, a.line, a.door or "") if x)


PICKUP_RADIUS_M = 50_000  # a return from a warehouse's (parcel) order goes to the nearest store within this


def open_pickup(uow: UnitOfWork, return_id: int, order_id: int, order_number: str, location_id: int,
                customer_id: int | None) -> int:
    """Joins the relay's unit of work (return.pickup_needed): the return gets a courier pickup (once) to
    `location_id` (the store the customer chose, else the one that sold it; a warehouse's order: the store
    nearest the pickup point) and its dispatch is queued. Returns its id."""
    s, now = uow.session, uow.clock.now()
    known = repo.of_return(s, return_id)
    if known is not None:
        return known.id
    if locations.kind_of(s, location_id) != "store":
        point = _pickup_point(s, order_id, customer_id)
        if point is not None:
            stores = [c for c in locations.candidates(s, point[0], point[1], PICKUP_RADIUS_M)
                      if c.kind == "store" and c.distance_m is not None]
            if stores:
                location_id = min(stores, key=lambda c: (c.distance_m, c.id)).id
    d = CourierDelivery(fulfillment_id=None, kind=PICKUP, return_id=return_id, order_id=order_id,
                        order_number=order_number, location_id=location_id, status=DISPATCHING, round=1, fee_fen=0,
                        tip_fen=0, distance_m=0, last_update_at=0, created_at=now, updated_at=now)
    s.add(d)
    s.flush()
    _history(uow, d, DISPATCHING, "couriers", "return to pick up", src="")
    uow.publish("courier.dispatch", _event(d))
    return d.id


def return_ended(uow: UnitOfWork, return_id: int, why: str) -> bool:
    """Joins the relay's unit of work (return.cancelled, return.refused, return.received: withdrawn, refused,
    or brought to a store by the customer after all): the return's pickup, while no rider has the goods, ends
    and the platform is asked to cancel (once). False: no pickup, or the rider has it (or brought it)."""
    found = repo.of_return(uow.session, return_id)
    d = repo.locked(uow.session, found.id) if found is not None else None
    if d is None or d.status not in BEFORE_PICKUP:
        return False
    _call_off(uow, d, why, "the return no longer needs a pickup")
    return True


def _pickup_parcel(uow: UnitOfWork, d: CourierDelivery, origin_id: str) -> Parcel | None:
    s = uow.session
    facts = orders.facts(s, d.order_id)
    point = _pickup_point(s, d.order_id, facts.customer_id if facts else None)
    if point is None or facts is None:
        return None
    lat, lng = locations.point_of(s, d.location_id)
    phone = (customers.phone_of(s, facts.customer_id) if facts.customer_id else None) or ""
    distance = int(geo.haversine_m(point[0], point[1], lat, lng))
    return Parcel(origin_id=origin_id, store_code=f"store-{d.location_id}", from_lat=point[0], from_lng=point[1],
                  to_lat=lat, to_lng=lng, address=f"store-{d.location_id}", receiver_name=f"O2O {d.order_number}",
                  receiver_phone=phone, value_fen=facts.subtotal_fen, distance_m=distance, pickup_address=point[2])


def _parcel(uow: UnitOfWork, d: CourierDelivery, origin_id: str) -> Parcel | None:
    if d.kind == PICKUP:
        return _pickup_parcel(uow, d, origin_id)
    s = uow.session
    dest = orders.destination(s, d.order_id)
    facts = orders.facts(s, d.order_id)
    if dest is None or facts is None:
        return None
    lat, lng = locations.point_of(s, d.location_id)
    phone = (customers.phone_of(s, facts.customer_id) if facts.customer_id else None) or ""
    distance = int(geo.haversine_m(lat, lng, dest[0], dest[1]))
    return Parcel(origin_id=origin_id, store_code=f"store-{d.location_id}", from_lat=lat, from_lng=lng,
                  to_lat=dest[0], to_lng=dest[1], address=dest[2], receiver_name=f"O2O {d.order_number}",
                  receiver_phone=phone, value_fen=facts.subtotal_fen, distance_m=distance)


def dispatch(uow: UnitOfWork, couriers: Mapping[str, Courier], order: Sequence[str], delivery_id: int,
             round_: int) -> str:
    """Joins the relay's unit of work (courier.dispatch): quote every configured courier not tried yet for
    this delivery and create with the cheapest; a refusal goes on to the next. A platform that could not be
    reached raises CourierError when nobody took the delivery: the relay retries the event with backoff
    (the attempts are rolled back with it; the same origin ids are asked again). Returns what happened."""
    s, now = uow.session, uow.clock.now()
    d = repo.locked(s, delivery_id)
    if d is None or d.round != round_ or d.status != DISPATCHING:
        return "stale"  # a later round, or already placed: this event is done
    attempts = repo.attempts_of(s, d.id)
    tried = {a.provider for a in attempts if a.state in (REFUSED, ENDED)}
    left = [name for name in order if name in couriers and name not in tried]
    errors: list[str] = []
    quotes: list[tuple[Quote, Parcel]] = []
    for name in left:
        # one id per (round, platform): a retried round asks the platform about the same delivery again
        origin = f"{d.order_number}-{d.id}-{d.round}-{order.index(name)}"
        parcel = _parcel(uow, d, origin)
        if parcel is None:
            return _fail(uow, d, "the return has no pickup address" if d.kind == PICKUP
                         else "the order has no delivery address")
        try:
            quotes.append((couriers[name].quote(parcel), parcel))
        except Refused as exc:
            s.add(CourierAttempt(delivery_id=d.id, provider=name, origin_id=origin, state=REFUSED,
                                 reason=f"quote refused: {exc}"[:300], created_at=now))
            _history(uow, d, DISPATCHING, f"courier:{name}", f"{name} refused to quote: {exc}", provider=name)
        except CourierError as exc:
            errors.append(f"{name}: {exc}")
    quotes.sort(key=lambda qp: (qp[0].fee_fen, order.index(qp[0].provider)))
    for quote, parcel in quotes:
        name = quote.provider
        attempt = CourierAttempt(delivery_id=d.id, provider=name, origin_id=parcel.origin_id, state=ASKED,
                                 fee_fen=quote.fee_fen, created_at=now)
        s.add(attempt)
        try:
            placed = couriers[name].create(parcel, quote)
        except Refused as exc:
            attempt.state, attempt.reason = REFUSED, str(exc)[:300]
            _history(uow, d, DISPATCHING, f"courier:{name}", f"{name} refused: {exc}", provider=name)
            continue
        except CourierError as exc:
            errors.append(f"{name}: {exc}")
            raise CourierError("; ".join(errors)) from exc  # retried: the platform may have it (same origin id)
        attempt.state, attempt.platform_order_id, attempt.fee_fen = PLACED, placed.platform_order_id, placed.fee_fen
        _history(uow, d, WAITING, f"courier:{name}",
                 f"placed with {name} for {placed.fee_fen} fen ({len(quotes)} quoted)", provider=name)
        d.status, d.provider, d.origin_id = WAITING, name, parcel.origin_id
        d.platform_order_id, d.fee_fen = placed.platform_order_id, placed.fee_fen
        d.distance_m, d.eta_minutes = quote.distance_m, quote.eta_minutes
        d.rider_id = d.rider_name = d.rider_phone = None
        d.tip_fen, d.last_update_at, d.waiting_since, d.updated_at = 0, 0, now, now
        uow.publish("courier.placed", _event(d))
        return f"placed:{name}"
    if errors:
        raise CourierError("; ".join(errors))
    return _fail(uow, d, "no courier would take the delivery")


def _fail(uow: UnitOfWork, d: CourierDelivery, note: str) -> str:
    _history(uow, d, FAILED, "couriers", note)
    d.status, d.updated_at, d.waiting_since = FAILED, uow.clock.now(), None
    uow.publish("courier.failed", _event(d))
    return "failed"


def _fail_over(uow: UnitOfWork, d: CourierDelivery, attempt: CourierAttempt, note: str, actor: str) -> None:
    """The current attempt ended before the rider had the goods: the next round goes to another courier."""
    attempt.state, attempt.reason = ENDED, note[:300]
    _history(uow, d, DISPATCHING, actor, f"{note}; failing over")
    d.status, d.round = DISPATCHING, d.round + 1
    d.provider = d.origin_id = d.platform_order_id = None
    d.rider_id = d.rider_name = d.rider_phone = None
    d.waiting_since, d.updated_at, d.last_update_at = None, uow.clock.now(), 0
    uow.publish("courier.dispatch", _event(d))


# --- callbacks -----------------------------------------------------------------------------------------------

def handle_callback(uow: UnitOfWork, courier: Courier, body: bytes, headers: Mapping[str, str]) -> dict:
    """A platform's status callback: verified first (a forged or stale one changes nothing), then applied."""
    try:
        update = courier.parse_callback(body, headers, int(uow.clock.now().timestamp()))
    except BadSignature as exc:
        raise BadCallback(str(exc)) from exc
    except CourierError as exc:  # the platform asked back (Dada) could not be reached: it calls again
        raise PlatformUnreachable(str(exc)[:200]) from exc
    return record_update(uow, update)


def record_update(uow: UnitOfWork, u: Update) -> dict:
    """Apply one verified report of a platform (a callback, or a query's answer). An origin id that is not
    this platform's attempt is refused (404); a report about an attempt we already left (failed over) is
    acknowledged and changes nothing; so is a duplicate or an out-of-date one."""
    with uow:
        s = uow.session
        attempt = repo.attempt_by_origin(s, u.origin_id)
        if attempt is None or attempt.provider != u.provider:
            raise NotFound("courier delivery", u.origin_id)
        d = repo.locked(s, attempt.delivery_id)
        if d is None:
            raise NotFound("courier delivery", u.origin_id)
        if d.origin_id != attempt.origin_id:
            return {"code": 0, "applied": False, "why": "superseded"}
        applied = _apply(uow, d, attempt, u)
        if applied:
            uow.describe(f"delivery={d.id}", status=d.status, provider=u.provider)
            uow.commit()
        return {"code": 0, "applied": applied, "status": d.status}


def _apply(uow: UnitOfWork, d: CourierDelivery, attempt: CourierAttempt, u: Update) -> bool:
    if d.status in ENDED_STATUSES or d.status == DISPATCHING:
        return False
    if not rules.newer(rules.State(d.status, d.last_update_at), u.status, u.at):
        return False  # a duplicate, or older than what we have: a status never goes backwards
    s, now, actor = uow.session, uow.clock.now(), f"courier:{u.provider}"
    src = d.status
    reassigned = src == u.status == ASSIGNED and bool(u.rider_id) and u.rider_id != (d.rider_id or "")
    if src == u.status and not reassigned and u.rider_name == (d.rider_name or ""):
        d.last_update_at = u.at  # the same state reported again later: nothing to show
        return True
    d.last_update_at, d.updated_at = u.at, now
    if u.rider_name:
        d.rider_id, d.rider_name, d.rider_phone = u.rider_id or None, u.rider_name[:80], u.rider_phone[:40] or None
    if u.status in (CANCELLED, EXPIRED):
        if src in BEFORE_PICKUP:
            _fail_over(uow, d, attempt, f"{u.provider} {u.status}: {u.reason}".strip().rstrip(":"), actor)
            return True
        _history(uow, d, u.status, actor, f"{u.reason} (the rider had the goods: the store follows up)")
        d.status = u.status
        uow.publish("courier.ended_in_transit", _event(d))
        return True
    note = "rider reassigned" if reassigned else u.reason
    _history(uow, d, u.status, actor, note)  # never the rider's name or phone: history is not sealed
    d.status = u.status  # waiting_since stays: when the delivery was placed (the ETA counts from it)
    if u.status == DELIVERING and d.fulfillment_id is not None:
        fulfillment.courier_picked_up(uow, d.fulfillment_id, actor)  # the actor names the platform
    elif u.status == DELIVERED:
        attempt.state = ENDED
        if d.fulfillment_id is not None:  # a pickup reached the store: the desk receives the return
            fulfillment.courier_delivered(uow, d.fulfillment_id, actor)
    s.flush()
    uow.publish(f"courier.{u.status}", _event(d))
    return True


# --- no rider in time, the order cancelled, tips (requests and the worker) ------------------------------------

def expire_waiting(db: Database, uow_factory: Callable[[], UnitOfWork], minutes: float, limit: int = 100) -> int:
    """The worker: placed deliveries no rider took within `minutes` are taken back (cancelled at the
    platform, once) and fail over to the next courier. Returns how many."""
    now = uow_factory().clock.now()
    with db.read() as s:
        ids = repo.waiting_before(s, WAITING, now - timedelta(minutes=minutes), limit)
    done = 0
    for delivery_id in ids:
        with uow_factory() as uow:
            d = repo.locked(uow.session, delivery_id)
            if d is None or d.status != WAITING or d.waiting_since is None \
                    or d.waiting_since > uow.clock.now() - timedelta(minutes=minutes):
                continue
            attempt = repo.attempt_by_origin(uow.session, d.origin_id or "")
            if attempt is None:
                continue
            _take_back(uow, attempt, "no rider in time")
            _fail_over(uow, d, attempt, f"no rider within {minutes:g} min at {attempt.provider}", "couriers")
            uow.commit()
            done += 1
    return done


def _take_back(uow: UnitOfWork, attempt: CourierAttempt, reason: str) -> None:
    """Ask the platform (through the outbox) to cancel an attempt: once, whatever happens next."""
    if attempt.cancel_requested:
        return
    attempt.cancel_requested = True
    uow.publish("courier.cancel", {"attempt_id": attempt.id, "provider": attempt.provider,
                                   "origin_id": attempt.origin_id, "reason": reason})


def order_cancelled(uow: UnitOfWork, order_id: int) -> int:
    """Joins the relay's unit of work (order.cancelled): its deliveries not yet picked up end, and the
    platform is asked to cancel. Returns how many."""
    n = 0
    for d in repo.of_order(uow.session, order_id):
        d = repo.locked(uow.session, d.id) or d
        if d.status not in BEFORE_PICKUP or d.kind != DELIVERY:
            continue
        _call_off(uow, d, "order cancelled", "the order was cancelled")
        n += 1
    return n


def _call_off(uow: UnitOfWork, d: CourierDelivery, reason: str, note: str) -> None:
    """A delivery no rider has the goods of yet ends: its live attempt is taken back at the platform (once)."""
    attempt = repo.attempt_by_origin(uow.session, d.origin_id) if d.origin_id else None
    if attempt is not None:
        attempt.state = ENDED
        _take_back(uow, attempt, reason)
    _history(uow, d, CANCELLED, "couriers", note)
    d.status, d.waiting_since, d.updated_at = CANCELLED, None, uow.clock.now()


def cancel_at_platform(uow: UnitOfWork, couriers: Mapping[str, Courier], provider: str, origin_id: str,
                       reason: str) -> None:
    """Joins the relay's unit of work (courier.cancel): the platform is asked once per event; a failure is
    retried with backoff; a platform that no longer knows the order (or has ended it) is done."""
    courier = couriers.get(provider)
    if courier is None:
        raise CourierError(f"no courier {provider} configured to cancel {origin_id}")
    try:
        courier.cancel(origin_id, reason)
    except Refused as exc:
        log.info("courier %s would not cancel %s: %s", provider, origin_id, exc)


def add_tip(uow: UnitOfWork, delivery_id: int, amount_fen: int, actor: str) -> DeliveryOut:
    """The store raises the tip of a delivery no rider has taken yet (the platform is told by the relay)."""
    with uow:
        d = repo.locked(uow.session, delivery_id)
        if d is None:
            raise NotFound("courier delivery", delivery_id)
        if d.status != WAITING or not d.origin_id:
            raise IllegalTransition("courier delivery", d.status, "tip raised")
        if d.tip_fen + amount_fen > MAX_TOTAL_TIP_FEN:
            raise Conflict(f"the tip may reach {MAX_TOTAL_TIP_FEN} fen at most", current_tip_fen=d.tip_fen)
        d.tip_fen += amount_fen
        d.updated_at = uow.clock.now()
        _history(uow, d, d.status, actor, f"tip raised by {amount_fen} fen to {d.tip_fen} fen")
        uow.publish("courier.tip", {"delivery_id": d.id, "provider": d.provider, "origin_id": d.origin_id,
                                    "tip_fen": amount_fen, "total_fen": d.tip_fen})
        uow.describe(f"delivery={d.id}", tip_fen=d.tip_fen)
        uow.commit()
    return get(uow.db, delivery_id)


def tip_at_platform(couriers: Mapping[str, Courier], provider: str, origin_id: str, tip_fen: int,
                    total_fen: int) -> None:
    courier = couriers.get(provider)
    if courier is None:
        raise CourierError(f"no courier {provider} configured to tip {origin_id}")
    try:
        courier.add_tip(origin_id, tip_fen, total_fen)
    except Refused as exc:  # the order moved on (a rider took it, or it ended): nothing to tip
        log.info("courier %s would not take a tip for %s: %s", provider, origin_id, exc)


def poll(db: Database, uow_factory: Callable[[], UnitOfWork], couriers: Mapping[str, Courier],
         quiet_minutes: float, limit: int = 50) -> int:
    """The worker: deliveries not heard of for a while are asked about (a callback may have been lost);
    what the platform answers is applied as its callback would be. Platforms are called outside any
    transaction. Returns how many reports changed something."""
    now = uow_factory().clock.now()
    with db.read() as s:
        quiet = repo.quiet_since(s, ACTIVE, now - timedelta(minutes=quiet_minutes), limit)
    changed = 0
    for provider, origin_id in quiet:
        courier = couriers.get(provider)
        if courier is None:
            continue
        try:
            update = courier.query(origin_id)
        except Refused as exc:  # the platform no longer knows the delivery: as if it had cancelled it
            update = Update(provider, origin_id, "", CANCELLED, int(now.timestamp()),
                            reason=f"unknown at the platform ({exc})"[:200])
        except CourierError as exc:
            log.warning("courier %s: query of %s failed: %s", provider, origin_id, exc)
            continue
        try:
            if record_update(uow_factory(), update).get("applied"):
                changed += 1
            else:
                _touch(uow_factory(), origin_id)
        except NotFound:
            continue
    return changed


def _touch(uow: UnitOfWork, origin_id: str) -> None:
    """A delivery asked about and unchanged is not asked again until it is quiet again."""
    with uow:
        attempt = repo.attempt_by_origin(uow.session, origin_id)
        d = repo.locked(uow.session, attempt.delivery_id) if attempt else None
        if d is not None and d.origin_id == origin_id:
            d.updated_at = uow.clock.now()
            uow.commit()


# --- reads ---------------------------------------------------------------------------------------------------

def _out(s, d: CourierDelivery, full: bool, unmasked: bool = False) -> DeliveryOut:  # type: ignore[no-untyped-def]
    out = DeliveryOut(id=d.id, fulfillment_id=d.fulfillment_id, kind=d.kind, return_id=d.return_id,
                      order_number=d.order_number,
                      location_id=d.location_id, status=d.status, provider=d.provider,
                      platform_order_id=d.platform_order_id, fee_fen=d.fee_fen, tip_fen=d.tip_fen,
                      distance_m=d.distance_m, eta_minutes=d.eta_minutes, rider_name=d.rider_name,
                      rider_phone=d.rider_phone if unmasked else mask_phone(d.rider_phone),
                      waiting_since=d.waiting_since, created_at=d.created_at, updated_at=d.updated_at)
    if full:
        out.history = [CourierHistoryOut(from_status=h.from_status, to_status=h.to_status, actor=h.actor, note=h.note,
                                          at=h.at, provider=h.provider) for h in repo.history_of(s, d.id)]
        out.attempts = [AttemptOut(provider=a.provider, origin_id=a.origin_id, platform_order_id=a.platform_order_id,
                                   state=a.state, fee_fen=a.fee_fen, reason=a.reason, created_at=a.created_at)
                        for a in repo.attempts_of(s, d.id)]
    return out


def get(db: Database, delivery_id: int, full: bool = True) -> DeliveryOut:
    with db.read() as s:
        d = s.get(CourierDelivery, delivery_id)
        if d is None:
            raise NotFound("courier delivery", delivery_id)
        return _out(s, d, full)


def for_order(db: Database, order_id: int, full: bool = True) -> list[DeliveryOut]:
    with db.read() as s:
        return [_out(s, d, full) for d in repo.of_order(s, order_id)]


def for_fulfillments(db: Database, fulfillment_ids: list[int]) -> dict[int, DeliveryOut]:
    """fulfilment id -> its delivery (the console's cards: no history)."""
    with db.read() as s:
        return {d.fulfillment_id: _out(s, d, False) for d in repo.of_fulfillments(s, fulfillment_ids)}


def for_returns(db: Database, return_ids: list[int]) -> dict[int, DeliveryOut]:
    """return id -> its pickup (the return pages: no history)."""
    with db.read() as s:
        return {d.return_id: _out(s, d, False) for d in repo.of_returns(s, return_ids) if d.return_id is not None}


def pickup_of(session: Session, return_id: int) -> tuple[str, int, str] | None:
    """Joins the caller's session (returns, on courier.pickup_moved): the pickup's status, its store and its
    current platform ("" while none has it)."""
    d = repo.of_return(session, return_id)
    return (d.status, d.location_id, d.provider or "") if d is not None else None


def rider_contact(db: Database, delivery_id: int) -> DeliveryOut:
    """The delivery with the rider's phone unmasked (staff with pii:read; the caller audits)."""
    with db.read() as s:
        d = s.get(CourierDelivery, delivery_id)
        if d is None:
            raise NotFound("courier delivery", delivery_id)
        return _out(s, d, False, unmasked=True)


def progress(delivery: DeliveryOut) -> tuple[int, bool]:
    """(index of the current step in STEPS, whether the delivery left the steps: failed, cancelled...)."""
    if delivery.status in STEPS:
        return STEPS.index(delivery.status), False
    if delivery.status == RETURNING:
        return STEPS.index(DELIVERING), True
    if delivery.status == DISPATCHING:
        return 0, False
    return 0, True


def eta(delivery: DeliveryOut, now: datetime) -> datetime | None:
    """When the rider should be at the door (the platform's estimate from placing), if still coming."""
    if delivery.eta_minutes is None or delivery.status not in (WAITING, ASSIGNED, AT_STORE, DELIVERING):
        return None
    start = delivery.waiting_since or delivery.created_at
    return max(start + timedelta(minutes=delivery.eta_minutes), now)
