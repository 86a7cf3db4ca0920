"""Returns (reverse logistics): request, approve or refuse, receive and inspect at any store, refund.

A return takes units of order lines (online orders and till sales alike: both are `sales_order` rows);
`return_tally` bounds them per line with one conditional UPDATE (never more than bought minus what other
returns took), so two clerks returning the same line at once -> exactly one succeeds. The receiving store
may be any store: resellable units go into THAT store's stock (ledger kind return), damaged ones are
booked in and written off (inventory.take_back). The refund never exceeds what the line paid after its
discounts, over any number of partial returns: a line's refunds are the largest-remainder shares of its
paid amount (orders.service.unit_share), counted in the tally under CHECKs. What points paid of the bill
is not refunded in money: it comes back as points (loyalty reacts to return.refunded).

Refunds go to the original tenders: an online order's payment through its provider (order.refund_needed,
as cancellations do), a till sale's tenders (pos.refund_tender: card, WeChat Pay and Alipay through the
sandbox adapter by the relay, cash paid out at the desk, a store-credit tender back to the credit), or to the
customer's store credit. Store credit is a balance per customer (`store_credit`), spent at the till with the
member's QR (`spend_store_credit`, in the sale's transaction).

A courier pickup (method courier) is dispatched when the return is approved (sending a rider costs the
chain a fee: head office, or the store's manager, agrees first): return.pickup_needed asks the couriers area
for a pickup to the store the customer chose, else the store that sold it; the courier's progress comes back
as courier.pickup_moved (`pickup_moved` shows it on the return); withdrawn or refused before the rider has
the goods, return.cancelled / return.refused take the courier back once. The desk receives it as any return.

Events: return.requested, return.received, return.refunded (loyalty takes back the points earned for the
returned part and gives back the points used; promotions releases the coupons when the whole order came
back), return.tender_refund_needed (the relay refunds a till tender at the provider).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.couriers import service as couriers
from o2o.inventory import service as inventory
from o2o.kernel import idempotency
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.db import Database
from o2o.kernel.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from o2o.kernel.history import HistoryOut
from o2o.kernel.uow import UnitOfWork
from o2o.orders import service as orders
from o2o.orders.schemas import OrderFacts, OrderLineOut
from o2o.returns import repository as repo
from o2o.returns.models import (
    APPROVED,
    CANCELLED,
    COURIER,
    OPEN,
    PICKUP_OF_COURIER,
    RECEIVED,
    REFUNDED,
    REFUSED,
    REQUESTED,
    STORE_CREDIT,
    ReturnLine,
    ReturnPhoto,
    ReturnRefund,
    ReturnRequest,
    can_transition,
)
from o2o.returns.schemas import (
    InspectLineIn,
    RefundOut,
    ReturnableLineOut,
    ReturnIn,
    ReturnLineOut,
    ReturnOut,
    StoreTimeOut,
)

COURIER_LEFT = frozenset({"failed", "cancelled", "expired"})  # a courier pickup the desk takes over by hand
RETURNABLE_STATUSES = frozenset({"completed"})  # goods the customer has: picked up, delivered, sold at a till
ELECTRONIC = ("card", "wechat", "alipay")  # refunded at the provider (the sandbox adapter)
TENDER_ORDER = {"card": 0, "wechat": 0, "alipay": 0, "cash": 1, "store_credit": 2}
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 300 * 1024  # three fit in the app's 1 MB request limit with the form
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


class ReturnTooLarge(Conflict):
    """More units than bought minus those already in returns (another return may have just taken them)."""

    kind, message_key = "return-exceeds-bought", "conflict"


class NotReturnable(Conflict):
    kind, message_key = "not-returnable", "conflict"


class NeedsMember(Conflict):
    """Store credit belongs to a member: an order without one is refunded the way it was paid."""

    kind, message_key = "store-credit-needs-member", "conflict"


class BadCount(Conflict):
    """A receipt that does not fit the return: more units than it holds, or none at all."""

    kind, message_key = "count-does-not-fit", "conflict"


@dataclass(frozen=True)
class Target:
    hours: int = 72


TARGET = Target()


def configure(target_hours: int) -> None:
    """The target from request to refund (O2O_RETURN_REFUND_TARGET_HOURS; bootstrap.build calls this)."""
    global TARGET
    TARGET = Target(max(1, int(target_hours)))


def photo_type(data: bytes) -> str | None:
    """image/jpeg, image/png or image/webp by the first bytes (never the file's name or the browser's word)."""
    for magic, kind in PHOTO_TYPES.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photo(data: bytes, index: int = 0) -> str:
    if not data:
        raise InvalidInput(f"photos[{index}]", "empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"photos[{index}]", f"at most {MAX_PHOTO_BYTES // 1024} kB")
    kind = photo_type(data)
    if kind is None:
        raise InvalidInput(f"photos[{index}]", "a JPEG, PNG or WebP picture")
    return kind


def line_share(paid_fen: int, bought: int, before: int, units: int) -> int:
    """What `units` more refunded units of a line are worth when `before` were refunded already: the
    largest-remainder share, so every partial return adds up to exactly what the line paid."""
    return orders.unit_share(paid_fen, bought, before + units) - orders.unit_share(paid_fen, bought, before)


def points_share(points_fen: int, goods_fen: int, refunded_fen: int) -> int:
    """Of `refunded_fen` of an order's goods (worth `goods_fen` in all), the part points paid. Points beyond
    the goods paid the delivery fee (the cap is a share of the whole bill), which a return does not refund:
    at most the goods count as paid by points, so the money refunded is never negative."""
    if goods_fen <= 0 or points_fen <= 0:
        return 0
    return min(points_fen, goods_fen) * min(refunded_fen, goods_fen) // goods_fen


def money_for(points_fen: int, goods_fen: int, before_fen: int, value_fen: int) -> int:
    """The money refunded for goods worth `value_fen` after `before_fen` of the order's goods were refunded:
    their value less the points' share (the points come back as points). Over every return of an order,
    it adds up to the goods paid less the points, exactly."""
    after = before_fen + value_fen
    return (after - points_share(points_fen, goods_fen, after)) - (before_fen - points_share(points_fen, goods_fen,
                                                                                                before_fen))


def _paid(line: OrderLineOut) -> int:
    return max(0, line.line_total_fen - (line.discount_fen or 0))


def _order(s: Session, number: str, customer_id: int | None) -> tuple[OrderFacts, list[tuple[int, OrderLineOut]], int]:
    found = orders.for_return(s, number[:24])
    if found is None or (customer_id is not None and found[0].customer_id != customer_id):
        raise NotFound("order", number[:24])
    return found


def _number(now: datetime, return_id: int) -> str:
    return f"RT{now.astimezone(SHANGHAI):%Y%m%d}{return_id:06d}"


def _transition(uow: UnitOfWork, r: ReturnRequest, dst: str, actor: str, note: str = "") -> None:
    if not can_transition(r.status, dst):
        raise IllegalTransition("return", r.status, dst)
    repo.add_history(uow.session, r.id, r.status, dst, actor, note, uow.clock.now())
    r.status = dst


def request(uow: UnitOfWork, data: ReturnIn, actor: str, *, customer_id: int | None = None,
            photos: Sequence[bytes] = (), idempotency_key: str | None = None) -> ReturnOut:
    """A return request, by the customer (`customer_id`: their own orders only; others' are NotFound) or by
    staff. The units are taken from the lines' tallies at once (ReturnTooLarge, 409, when more than bought
    minus other returns: also when another return took them a moment before). Retried with the same
    Idempotency-Key (per caller), it answers the first return and takes nothing more."""
    scope = f"returns:{actor}"[:80]
    req_hash = idempotency.request_hash({**data.model_dump(mode="json"),
                                         "photos": [hashlib.sha256(p).hexdigest() for p in photos]})
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput("photos", f"at most {MAX_PHOTOS}")
    kinds = [check_photo(p, i) for i, p in enumerate(photos)]
    wanted: dict[int, int] = {}
    for ln in data.lines:
        wanted[ln.order_line_id] = wanted.get(ln.order_line_id, 0) + ln.quantity
    with uow:
        s, now = uow.session, uow.clock.now()
        if idempotency_key and (rec := idempotency.lookup(s, scope, idempotency_key, req_hash)) is not None:
            return get(uow.db, str(rec.body["number"]), now)
        order, lines, _ = _order(s, data.order_number, customer_id)
        if order.status not in RETURNABLE_STATUSES:
            raise NotReturnable(f"order {order.number} is {order.status}: only goods received can be returned",
                                current_status=order.status)
        by_id = dict(lines)
        for i, (line_id, qty) in enumerate(wanted.items()):
            line = by_id.get(line_id)
            if line is None:
                raise NotFound("order line", line_id)
            if qty > line.quantity:
                raise ReturnTooLarge(f"lines[{i}]: at most the {line.quantity} bought", order_line_id=line_id)
        if data.refund_to == STORE_CREDIT and order.customer_id is None:
            raise NeedsMember("store credit needs a member's order")
        for line_id in sorted(wanted):  # a fixed order: two returns of one order never deadlock
            line = by_id[line_id]
            repo.ensure_tally(s, line_id, order.id, line.quantity, _paid(line))
            if not repo.take(s, line_id, wanted[line_id]):
                raise ReturnTooLarge(f"order line {line_id}: {wanted[line_id]} more units than bought minus those "
                                     "already returned", order_line_id=line_id)
        r = ReturnRequest(order_id=order.id, order_number=order.number, customer_id=order.customer_id,
                          channel=order.channel, sold_location_id=order.fulfil_location_id, method=data.method,
                          preferred_location_id=data.location_id, location_id=None,
                          pickup_status="requested" if data.method == COURIER else None, status=REQUESTED,
                          reason_code=data.reason_code, reason=data.reason.strip()[:300], refund_to=data.refund_to,
                          refund_fen=0, requested_by=actor[:80], decision_note="", requested_at=now)
        s.add(r)
        try:
            s.flush()
        except IntegrityError as exc:
            raise NotFound("location", data.location_id or "") from exc
        r.number = _number(now, r.id)
        for line_id in sorted(wanted):
            line = by_id[line_id]
            s.add(ReturnLine(return_id=r.id, order_line_id=line_id, sku_id=line.sku_id, name=line.name,
                             quantity=wanted[line_id], resellable=0, damaged=0, refund_fen=0))
        for data_, kind in zip(photos, kinds, strict=True):
            s.add(ReturnPhoto(return_id=r.id, content_type=kind, sha256=hashlib.sha256(data_).hexdigest(),
                              size_bytes=len(data_), data=data_, at=now))
        repo.add_history(s, r.id, None, REQUESTED, actor, f"{data.reason_code}: {data.reason.strip()}", now)
        uow.publish("return.requested", {"return_id": r.id, "number": r.number, "order_id": order.id,
                                         "order_number": order.number, "method": data.method,
                                         "location_id": data.location_id})
        uow.describe(f"return={r.number}", order=order.number)
        number = r.number
        if idempotency_key:
            try:
                idempotency.remember(s, scope, idempotency_key, req_hash, 201, {"number": number, "id": r.id}, now)
            except IntegrityError as exc:  # a twin request with the key is being recorded this very moment
                raise Conflict("this Idempotency-Key is in use by a request in flight: retry") from exc
        uow.commit()
    return get(uow.db, number, uow.clock.now())


def _locked(uow: UnitOfWork, return_id: int) -> ReturnRequest:
    r = repo.by_id(uow.session, return_id, lock=True)
    if r is None:
        raise NotFound("return", return_id)
    return r


def _give_back_units(s: Session, r: ReturnRequest) -> None:
    for ln in repo.lines_of(s, r.id):
        repo.give_back(s, ln.order_line_id, ln.quantity)


def approve(uow: UnitOfWork, return_id: int, actor: str, note: str = "") -> ReturnOut:
    """Head office agrees to take the goods back (the customer may bring or send them)."""
    with uow:
        r = _locked(uow, return_id)
        _transition(uow, r, APPROVED, actor, note)
        r.decision_note = note[:300]
        if r.method == COURIER:  # a courier collects it (o2o.couriers, through the outbox)
            uow.publish("return.pickup_needed", {"return_id": r.id, "number": r.number, "order_id": r.order_id,
                                                 "order_number": r.order_number, "customer_id": r.customer_id,
                                                 "location_id": r.preferred_location_id or r.sold_location_id})
        uow.describe(f"return={r.number}", status=APPROVED)
        number = r.number
        uow.commit()
    return get(uow.db, number or "", uow.clock.now())


def refuse(uow: UnitOfWork, return_id: int, actor: str, note: str) -> ReturnOut:
    """Head office refuses the return (why: `note`); its units go back to the lines' tallies."""
    if not note.strip():
        raise InvalidInput("note", "say why the return is refused")
    with uow:
        r = _locked(uow, return_id)
        _transition(uow, r, REFUSED, actor, note)
        r.decision_note, r.closed_at = note.strip()[:300], uow.clock.now()
        _give_back_units(uow.session, r)
        uow.publish("return.refused", {"return_id": r.id, "number": r.number, "order_id": r.order_id,
                                       "method": r.method})
        uow.describe(f"return={r.number}", status=REFUSED)
        number = r.number
        uow.commit()
    return get(uow.db, number or "", uow.clock.now())


def cancel_by_customer(uow: UnitOfWork, return_id: int, customer_id: int) -> ReturnOut:
    """The customer withdraws a request not received yet (someone else's: NotFound; not once a courier has
    picked the goods up)."""
    with uow:
        r = _locked(uow, return_id)
        if r.customer_id != customer_id:
            raise NotFound("return", return_id)
        if r.method == COURIER and r.pickup_status in ("picked_up", "delivered"):  # the rider has the goods
            raise IllegalTransition("return", f"pickup {r.pickup_status}", CANCELLED)
        _transition(uow, r, CANCELLED, f"customer:{customer_id}")
        r.closed_at = uow.clock.now()
        _give_back_units(uow.session, r)
        uow.publish("return.cancelled", {"return_id": r.id, "number": r.number, "order_id": r.order_id,
                                         "method": r.method})
        number = r.number
        uow.commit()
    return get(uow.db, number or "", uow.clock.now())


def set_pickup(uow: UnitOfWork, return_id: int, status: str, actor: str) -> ReturnOut:
    """A courier pickup's progress (requested, scheduled, picked up), set by staff by hand: when no courier was
    dispatched for it, or the courier left it (no courier would take it, cancelled, expired). While a
    dispatched courier reports it, IllegalTransition."""
    with uow:
        r = _locked(uow, return_id)
        if r.method != COURIER or r.status not in (REQUESTED, APPROVED):
            raise IllegalTransition("return pickup", r.pickup_status or r.method, status)
        courier = couriers.pickup_of(uow.session, r.id)
        if courier is not None and courier[0] not in COURIER_LEFT:
            raise IllegalTransition("return pickup", f"courier {courier[0]}", status)
        repo.add_history(uow.session, r.id, r.status, r.status, actor, f"pickup {status}", uow.clock.now())
        r.pickup_status = status
        number = r.number
        uow.commit()
    return get(uow.db, number or "", uow.clock.now())


def pickup_moved(uow: UnitOfWork, return_id: int, courier_status: str, location_id: int, provider: str = "") -> bool:
    """Joins the relay's unit of work (courier.pickup_moved, with the pickup's status read then): the return
    shows the courier's progress (PICKUP_OF_COURIER) and, when none was chosen, the store the courier takes it
    to (the selling store, or for a warehouse's order the nearest store). Only
    while the goods have not been received; a status it already shows changes nothing."""
    r = _locked(uow, return_id)
    shown = PICKUP_OF_COURIER.get(courier_status)
    if r.method != COURIER or r.status not in (REQUESTED, APPROVED) or shown is None:
        return False
    if r.preferred_location_id is None:  # the store the courier brings it to: its desk lists it among those to come
        r.preferred_location_id = location_id
    if r.pickup_status == shown:
        return False
    actor = f"courier:{provider}" if provider else "system"
    repo.add_history(uow.session, r.id, r.status, r.status, actor, f"pickup {shown}", uow.clock.now())
    r.pickup_status = shown
    return True


def receive(uow: UnitOfWork, return_id: int, location_id: int, inspected: Iterable[InspectLineIn],
            actor: str) -> ReturnOut:
    """The goods arrive at a store (any store): each line inspected (resellable -> that store's stock,
    damaged -> booked in and written off). Units that did not come go back to the lines' tallies."""
    found = {i.line_id: i for i in inspected}
    with uow:
        s, now = uow.session, uow.clock.now()
        r = _locked(uow, return_id)
        if r.status not in (REQUESTED, APPROVED):
            raise IllegalTransition("return", r.status, RECEIVED)
        lines = repo.lines_of(s, r.id)
        unknown = set(found) - {ln.id for ln in lines}
        if unknown:
            raise NotFound("return line", sorted(unknown)[0])
        total = 0
        for i, ln in enumerate(lines):
            got = found.get(ln.id)
            good, bad = (got.resellable, got.damaged) if got else (0, 0)
            if good + bad > ln.quantity:
                raise BadCount(f"lines[{i}]: at most the {ln.quantity} units of the return", line_id=ln.id)
            ln.resellable, ln.damaged = good, bad
            total += good + bad
            if good + bad < ln.quantity:
                repo.give_back(s, ln.order_line_id, ln.quantity - good - bad)
            inventory.take_back(s, location_id, ln.sku_id, good, bad, r.number or "", f"return {r.number}", now)
        if total == 0:
            raise BadCount("nothing received: refuse the return instead")
        note = ", ".join(f"sku {ln.sku_id}: {ln.resellable} resellable, {ln.damaged} damaged" for ln in lines)
        _transition(uow, r, RECEIVED, actor, note)
        r.location_id, r.received_at = location_id, now
        if r.method == COURIER:
            r.pickup_status = "picked_up"
        try:
            s.flush()
        except IntegrityError as exc:
            raise NotFound("location", location_id) from exc
        uow.publish("return.received", {"return_id": r.id, "number": r.number, "order_id": r.order_id,
                                        "location_id": location_id})
        uow.describe(f"return={r.number}", status=RECEIVED, location=location_id)
        number = r.number
        uow.commit()
    return get(uow.db, number or "", uow.clock.now())


def refund(uow: UnitOfWork, return_id: int, actor: str, location_id: int | None = None) -> ReturnOut:
    """Refund a received return: what its units paid after discounts (less what points paid, which comes
    back as points), to the original tenders or the customer's store credit. A store's staff refund only
    returns received at their store (`location_id`; another's is NotFound). Once: a second call is
    IllegalTransition."""
    with uow:
        s, now = uow.session, uow.clock.now()
        r = _locked(uow, return_id)
        if location_id is not None and r.location_id != location_id:
            raise NotFound("return", return_id)
        _transition(uow, r, REFUNDED, actor)
        order, order_lines, points_fen = _order(s, r.order_number, None)
        tallies = repo.tallies(s, order.id, lock=True)
        goods_fen = sum(_paid(line) for _, line in order_lines)
        before_fen = sum(t.refunded_fen for t in tallies.values())
        value = 0
        refunded = {lid: t.refunded_units for lid, t in tallies.items()}
        for ln in repo.lines_of(s, r.id):
            units = ln.resellable + ln.damaged
            if units == 0:
                continue
            t = tallies[ln.order_line_id]
            fen = line_share(t.paid_fen, t.bought, t.refunded_units, units)
            if not repo.mark_refunded(s, ln.order_line_id, t.refunded_units, units, fen):
                raise Conflict(f"order line {ln.order_line_id} was refunded meanwhile: try again")
            ln.refund_fen = fen
            value += fen
            refunded[ln.order_line_id] += units
        money = money_for(points_fen, goods_fen, before_fen, value)
        whole = all(refunded.get(lid, 0) >= line.quantity for lid, line in order_lines)
        refunds = _pay_out(uow, r, order, money, actor) if money > 0 else []
        r.refund_fen, r.refunded_at, r.closed_at = money, now, now
        how = ", ".join(f"{x.kind} {x.amount_fen}" for x in refunds) or "nothing in money"
        repo.add_history(s, r.id, REFUNDED, REFUNDED, actor, f"refund {money} fen: {how}", now)
        uow.publish("return.refunded", {"return_id": r.id, "number": r.number, "order_id": order.id,
                                        "order_number": order.number, "refund_fen": money, "part_fen": value,
                                        "before_fen": before_fen, "whole_fen": goods_fen, "whole": whole,
                                        "location_id": r.location_id})
        uow.describe(f"return={r.number}", status=REFUNDED, refund_fen=money)
        number = r.number
        uow.commit()
    return get(uow.db, number or "", uow.clock.now())


def _pay_out(uow: UnitOfWork, r: ReturnRequest, order: OrderFacts, money: int, actor: str) -> list[ReturnRefund]:
    s, now = uow.session, uow.clock.now()
    made: list[ReturnRefund] = []
    if r.refund_to == STORE_CREDIT:
        if order.customer_id is None:
            raise NeedsMember("store credit needs a member's order")
        balance = repo.credit(s, order.customer_id, money, now)
        made.append(ReturnRefund(return_id=r.id, kind="store_credit", amount_fen=money,
                                 note=f"balance {balance}", at=now))
    elif order.channel == "pos":
        made += _to_tenders(uow, r, order, money, actor)
    else:
        paid = orders.paid_by(s, order.id)
        if paid is None:
            raise NotReturnable(f"order {order.number} has no payment to refund: choose store credit")
        out_trade_no, _ = paid
        uow.publish("order.refund_needed", {"order_id": order.id, "number": order.number,
                                            "out_trade_no": out_trade_no, "amount_fen": money,
                                            "return": r.number})
        made.append(ReturnRefund(return_id=r.id, kind="payment", reference=out_trade_no, amount_fen=money,
                                 note="through the payment provider", at=now))
    for x in made:
        s.add(x)
    s.flush()
    return made


def _open_till(uow: UnitOfWork, location_id: int | None) -> int | None:
    """An open till session at the store (the one opened first), whose drawer pays a cash refund out."""
    from o2o.pos import service as pos

    if location_id is None:
        return None
    found = [sid for t in pos.terminals(uow.db, location_id)
             if (sid := pos.open_session_id(uow.session, t.id)) is not None]
    return min(found) if found else None


def _to_tenders(uow: UnitOfWork, r: ReturnRequest, order: OrderFacts, money: int, actor: str) -> list[ReturnRefund]:
    """A till sale's refund over its tenders: card, WeChat Pay and Alipay first (at the provider, by the
    relay), then cash (paid out of the receiving store's open till: a `refund` cash move of its session,
    counted at its close; with no till open, paid at the desk and only recorded here), then a store-credit
    tender (back to the credit)."""
    from o2o.pos import service as pos  # the till area (issue 11)

    s, now = uow.session, uow.clock.now()
    left, made = money, []
    tenders = sorted(pos.tenders_of(s, order.id), key=lambda t: (TENDER_ORDER.get(t.kind, 3), t.id))
    for t in tenders:
        take = min(left, t.amount_fen - t.refunded_fen)
        if take <= 0:
            continue
        if not pos.refund_tender(s, t.id, take):
            raise Conflict(f"tender {t.id} was refunded meanwhile: try again")
        note = ""
        if t.kind in ELECTRONIC:
            uow.publish("return.tender_refund_needed", {"return_id": r.id, "number": r.number, "tender_id": t.id,
                                                       "kind": t.kind, "reference": t.reference or f"T{t.id}",
                                                       "amount_fen": take, "paid_fen": t.amount_fen})
            note = "through the payment provider"
        elif t.kind == "cash":
            till = _open_till(uow, r.location_id)
            if till is not None:
                pos.record_refund(uow.session, till, take, f"return {r.number}", actor, now)
                note = f"cash paid out of till session {till}"
            else:
                note = "cash paid out at the desk (no till open at the store)"
        elif t.kind == "store_credit" and order.customer_id is not None:
            repo.credit(s, order.customer_id, take, now)
            note = "back to the store credit"
        made.append(ReturnRefund(return_id=r.id, kind=t.kind, tender_id=t.id, reference=t.reference,
                                 amount_fen=take, note=note, at=now))
        left -= take
        if left == 0:
            break
    if left > 0:
        raise Conflict(f"the sale's tenders have {money - left} fen left to refund, not {money}")
    return made


# --- reading ---------------------------------------------------------------------------------------

def _hours(r: ReturnRequest, now: datetime) -> float:
    end = r.refunded_at or (now if r.status in OPEN else (r.closed_at or now))
    return round((end - r.requested_at).total_seconds() / 3600, 1)


def _line_names(s: Session, order_number: str, names: dict[str, dict[int, OrderLineOut]] | None = None
                ) -> dict[int, OrderLineOut]:
    """The order's lines by id (their names in both languages), read once per order (`names` caches)."""
    if names is not None and order_number in names:
        return names[order_number]
    found = orders.for_return(s, order_number)
    lines = dict(found[1]) if found is not None else {}
    if names is not None:
        names[order_number] = lines
    return lines


def _out(s: Session, r: ReturnRequest, now: datetime, full: bool = True,
         names: dict[str, dict[int, OrderLineOut]] | None = None) -> ReturnOut:
    out = ReturnOut.model_validate(r)
    out.hours_to_refund = _hours(r, now) if r.status in (*OPEN, REFUNDED) else None
    out.late = out.hours_to_refund is not None and out.hours_to_refund > TARGET.hours
    if full:
        bought = _line_names(s, r.order_number, names)
        out.lines = [ReturnLineOut.model_validate(ln) for ln in repo.lines_of(s, r.id)]
        for ln in out.lines:
            if ln.order_line_id in bought:
                ln.name_zh, ln.name_en = bought[ln.order_line_id].name_zh, bought[ln.order_line_id].name_en
        out.refunds = [RefundOut.model_validate(x) for x in repo.refunds_of(s, r.id)]
        out.photo_ids = repo.photo_ids_of(s, r.id)
        out.history = [HistoryOut.model_validate(h) for h in repo.history_of(s, r.id)]
    return out


def get(db: Database, number: str, now: datetime | None = None) -> ReturnOut:
    with db.read() as s:
        r = repo.by_number(s, number[:24])
        if r is None:
            raise NotFound("return", number[:24])
        return _out(s, r, now or datetime.now(tz=SHANGHAI))


def get_by_id(db: Database, return_id: int, now: datetime | None = None) -> ReturnOut:
    with db.read() as s:
        r = repo.by_id(s, return_id)
        if r is None:
            raise NotFound("return", return_id)
        return _out(s, r, now or datetime.now(tz=SHANGHAI))


def of_order(db: Database, order_number: str, now: datetime | None = None) -> list[ReturnOut]:
    with db.read() as s:
        found = orders.for_return(s, order_number[:24])
        if found is None:
            return []
        names = {order_number[:24]: dict(found[1])}
        return [_out(s, r, now or datetime.now(tz=SHANGHAI), names=names) for r in repo.of_order(s, found[0].id)]


def returnable(db: Database, order_number: str, customer_id: int | None = None) -> list[ReturnableLineOut]:
    """The order's lines with what can still be returned (a customer's own orders only)."""
    with db.read() as s:
        order, lines, _ = _order(s, order_number, customer_id)
        tallies = repo.tallies(s, order.id)
        out = []
        for line_id, line in lines:
            taken = tallies[line_id].taken if line_id in tallies else 0
            out.append(ReturnableLineOut(order_line_id=line_id, sku_id=line.sku_id, name=line.name,
                                         name_zh=line.name_zh, name_en=line.name_en,
                                         bought=line.quantity, taken=taken, returnable=line.quantity - taken,
                                         paid_fen=_paid(line)))
        return out


def find(db: Database, *, statuses: Iterable[str] = (), location_id: int | None = None, text: str = "",
         customer_id: int | None = None, limit: int = 50, offset: int = 0,
         now: datetime | None = None) -> tuple[int, list[ReturnOut]]:
    """Returns by status, store (received there or meant to go there), return or order number; newest first."""
    stmt = repo.search(statuses, location_id, text.strip()[:24], customer_id)
    with db.read() as s:
        total = repo.count(s, stmt)
        rows = s.scalars(stmt.order_by(ReturnRequest.id.desc()).offset(offset).limit(limit))
        names: dict[str, dict[int, OrderLineOut]] = {}  # each order's lines read once for the page
        return total, [_out(s, r, now or datetime.now(tz=SHANGHAI), names=names) for r in rows]


def photo(db: Database, return_id: int, photo_id: int) -> tuple[str, bytes]:
    with db.read() as s:
        p = repo.photo(s, return_id, photo_id)
        if p is None:
            raise NotFound("photo", photo_id)
        return p.content_type, bytes(p.data)


def store_credit(db: Database, customer_id: int) -> int:
    with db.read() as s:
        return repo.credit_of(s, customer_id)


def spend_store_credit(session: Session, customer_id: int, amount_fen: int, now: datetime) -> bool:
    """For a till sale paid (partly) with store credit, in the sale's transaction (the caller's session, never
    a commit): `amount_fen` off the member's balance by one conditional UPDATE (balance >= amount), False when
    it does not cover it (nothing taken). Ten tills spending one balance at once: exactly those that fit
    succeed. The sale's `store_credit` tender is the record of it; a return of the sale gives it back to the
    store credit (`_to_tenders`)."""
    if amount_fen <= 0:
        raise ValueError("store credit spent is a positive amount")
    return repo.debit(session, customer_id, amount_fen, now)


def time_to_refund(db: Database, now: datetime, days: int = 90) -> list[StoreTimeOut]:
    """Per receiving store, over the returns requested in the last `days`: how many were refunded, their
    average hours from request to refund, how many within the target; those still open and late."""
    with db.read() as s:
        rows = repo.refund_times(s, now - timedelta(days=days))
    per: dict[int, dict] = {}
    for location_id, status, requested, refunded in rows:
        if location_id is None:
            location_id = 0  # not at a store yet
        d = per.setdefault(location_id, {"n": 0, "hours": 0.0, "within": 0, "open": 0, "late": 0})
        if status == REFUNDED and refunded is not None:
            h = (refunded - requested).total_seconds() / 3600
            d["n"] += 1
            d["hours"] += h
            d["within"] += h <= TARGET.hours
        else:
            d["open"] += 1
            d["late"] += (now - requested).total_seconds() / 3600 > TARGET.hours
    return [StoreTimeOut(location_id=k, refunded=d["n"], average_hours=round(d["hours"] / d["n"], 1) if d["n"] else 0.0,
                         within_target=d["within"], open=d["open"], late_open=d["late"])
            for k, d in sorted(per.items())]


def target_hours() -> int:
    return TARGET.hours
