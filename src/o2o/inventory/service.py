"""Inventory: reserve / release / commit as conditional UPDATEs in a fixed lock order, the ledger, checks,
and transfer requests between locations.

Functions taking a `Session` run inside the caller's unit of work (orders, fulfilment);
functions taking a `UnitOfWork` or `Database` are this area's own use cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, exists
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.inventory import repository as repo
from o2o.inventory.exceptions import BelowReserved, ReservationFailed
from o2o.inventory.models import (
    ADJUSTMENT,
    COMMITTED,
    LIVE,
    ONLINE_SALE,
    RECEIVED,
    REJECTED,
    RELEASED,
    REQUESTED,
    SENT,
    TRANSFER_IN,
    TRANSFER_OUT,
    Stock,
    TransferRequest,
)
from o2o.inventory.offline import flagged, sell_offline  # noqa: F401  (offline till sales)
from o2o.inventory.schemas import (
    CheckReport,
    CountIn,
    CountOut,
    Hold,
    MovementIn,
    SafetyStockIn,
    StockOut,
    TransferIn,
    TransferRequestIn,
    TransferRequestOut,
)
from o2o.kernel import idempotency, metrics
from o2o.kernel.db import Database
from o2o.kernel.errors import IllegalTransition, InvalidInput, NotFound
from o2o.kernel.pagination import Page, PageParams
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations


def merge_holds(holds: Iterable[Hold]) -> list[Hold]:
    """Sum lines of the same (location, SKU) and sort them: the fixed lock order."""
    total: dict[tuple[int, int], int] = defaultdict(int)
    for h in holds:
        if h.quantity <= 0:
            raise ValueError("hold quantity must be positive")
        total[(h.location_id, h.sku_id)] += h.quantity
    return [Hold(loc, sku, q) for (loc, sku), q in sorted(total.items())]


def reserve(session: Session, ref: str, holds: Iterable[Hold], now: datetime, expires_at: datetime) -> None:
    """Reserve every hold or raise ReservationFailed (the caller must roll back).

    The reservation rows go in first and the conditional UPDATEs of the stock rows last: a hot SKU's
    row lock is then held only from its UPDATE to the commit. Callers run this as the last
    statements before committing (`UnitOfWork.commit(last=...)`)."""
    merged = merge_holds(holds)
    repo.add_reservations(session, [
        {"ref": ref, "location_id": h.location_id, "sku_id": h.sku_id, "quantity": h.quantity,
         "status": LIVE, "created_at": now, "expires_at": expires_at} for h in merged])
    for h in merged:
        if not repo.try_reserve(session, h.location_id, h.sku_id, h.quantity):
            metrics.RESERVATION_CONFLICTS.inc()
            raise ReservationFailed(h.location_id, h.sku_id, h.quantity)


def available(session: Session, location_ids: Iterable[int], sku_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    return repo.available(session, location_ids, sku_ids)


def held(session: Session, ref: str) -> dict[int, dict[int, int]]:
    """Location id -> SKU id -> units `ref` (an order number) holds there now (its live reservations)."""
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for r in repo.live_reservations(session, ref):
        out[r.location_id][r.sku_id] = out[r.location_id].get(r.sku_id, 0) + r.quantity
    return dict(out)


def has_stock(location_id: int, sku_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the SKU (a column of the caller's query) has units available at the location: a correlated
    EXISTS on the stock row's key (catalog search filters and sorts by it inside its own query)."""
    return exists().where(Stock.location_id == location_id, Stock.sku_id == sku_id,
                          Stock.on_hand - Stock.reserved - Stock.safety_stock > 0)


def release(session: Session, ref: str, status: str = RELEASED) -> int:
    """Give back every live reservation of `ref`; returns how many were released."""
    rows = repo.live_reservations(session, ref)
    for r in rows:  # already ordered by (location, sku)
        if not repo.release(session, r.location_id, r.sku_id, r.quantity):
            raise RuntimeError(f"stock row {r.location_id}/{r.sku_id} holds less than reservation {r.id}")
    repo.set_reservation_status(session, [r.id for r in rows], status)
    return len(rows)


def release_units(session: Session, ref: str, location_id: int, sku_id: int, qty: int) -> int:
    """Give back `qty` units of `ref`'s live reservation of one SKU at one location (a short pick the
    customer accepted: those units will not be sold to them). Returns the units released."""
    left = qty
    for r in repo.live_reservations(session, ref):
        if left <= 0:
            break
        if (r.location_id, r.sku_id) != (location_id, sku_id):
            continue
        n = min(left, r.quantity)
        if not repo.release(session, location_id, sku_id, n):
            raise RuntimeError(f"stock row {location_id}/{sku_id} holds less than reservation {r.id}")
        if n == r.quantity:
            repo.set_reservation_status(session, [r.id], RELEASED)
        else:
            r.quantity -= n
        left -= n
    return qty - left


def move_reservation(session: Session, ref: str, to_location_id: int, now: datetime,
                     expires_at: datetime) -> int:
    """Move every live reservation of `ref` to another location, in the caller's transaction: the units
    are given back where they were held and held at `to_location_id`, or ReservationFailed when the new
    location has not got them (the caller must roll back: nothing moved). The stock rows are updated in
    one sorted (location, SKU) order, the lock order every reservation follows, so two moves in
    opposite directions cannot deadlock. Returns how many reservations moved."""
    rows = [r for r in repo.live_reservations(session, ref) if r.location_id != to_location_id]
    if not rows:
        return 0
    wanted: dict[int, int] = defaultdict(int)
    for r in rows:
        wanted[r.sku_id] += r.quantity
    steps = sorted([(r.location_id, r.sku_id, r.quantity, False) for r in rows]
                   + [(to_location_id, sku, qty, True) for sku, qty in wanted.items()])
    repo.set_reservation_status(session, [r.id for r in rows], RELEASED)
    repo.add_reservations(session, [
        {"ref": ref, "location_id": to_location_id, "sku_id": sku, "quantity": qty, "status": LIVE,
         "created_at": now, "expires_at": expires_at} for sku, qty in sorted(wanted.items())])
    for loc, sku, qty, hold in steps:
        if hold and not repo.try_reserve(session, loc, sku, qty):
            metrics.RESERVATION_CONFLICTS.inc()
            raise ReservationFailed(loc, sku, qty)
        if not hold and not repo.release(session, loc, sku, qty):
            raise RuntimeError(f"stock row {loc}/{sku} holds less than the reservation of {ref}")
    return len(rows)


def commit(session: Session, ref: str, now: datetime, kind: str = ONLINE_SALE, location_id: int | None = None) -> int:
    """Turn `ref`'s live reservations (at `location_id` only, when given: one of an order's several
    fulfilling locations) into stock that left the building, with ledger rows."""
    rows = [r for r in repo.live_reservations(session, ref) if location_id is None or r.location_id == location_id]
    for r in rows:
        if not repo.commit_out(session, r.location_id, r.sku_id, r.quantity):
            raise RuntimeError(f"stock row {r.location_id}/{r.sku_id} cannot commit reservation {r.id}")
    repo.add_movements(session, [
        {"location_id": r.location_id, "sku_id": r.sku_id, "kind": kind, "quantity": -r.quantity,
         "ref": ref, "reason": "", "at": now} for r in rows])
    repo.set_reservation_status(session, [r.id for r in rows], COMMITTED)
    return len(rows)


def extend(session: Session, ref: str, until: datetime) -> None:
    repo.extend_reservations(session, ref, until)


def _move(session: Session, location_id: int, sku_id: int, qty: int, kind: str, ref: str, reason: str,
          now: datetime) -> None:
    try:
        repo.ensure_row(session, location_id, sku_id)
    except IntegrityError as exc:
        raise NotFound("location or sku", f"{location_id}/{sku_id}") from exc
    if not repo.move(session, location_id, sku_id, qty):
        stock = session.get(Stock, (location_id, sku_id))
        on_hand, reserved = (stock.on_hand, stock.reserved) if stock else (0, 0)
        raise BelowReserved(f"on hand would fall below the {reserved} reserved by orders at location {location_id}: "
                            f"at most {on_hand - reserved} can be taken off", on_hand=on_hand, reserved=reserved,
                            lowest_allowed=reserved)
    repo.add_movements(session, [{"location_id": location_id, "sku_id": sku_id, "kind": kind, "quantity": qty,
                                  "ref": ref, "reason": reason, "at": now}])


def take_back(session: Session, location_id: int, sku_id: int, resellable: int, damaged: int, ref: str,
              reason: str, now: datetime) -> None:
    """Joins the caller's transaction (returns): units brought back to a store. Resellable units go into its
    stock (ledger kind return); damaged units are booked in (return) and written off at once (adjustment,
    reason "write-off: ..."), so the ledger shows both and on_hand counts only what can be sold."""
    if resellable < 0 or damaged < 0:
        raise ValueError("units taken back are never negative")
    if resellable + damaged > 0:
        _move(session, location_id, sku_id, resellable + damaged, "return", ref, reason, now)  # models.RETURN
    if damaged > 0:
        _move(session, location_id, sku_id, -damaged, ADJUSTMENT, ref, f"write-off: {reason}"[:200], now)


def record_movement(uow: UnitOfWork, data: MovementIn, actor: str = "api") -> StockOut:
    if data.quantity == 0:
        raise InvalidInput("quantity", "must not be 0")
    if data.kind != ADJUSTMENT and data.quantity < 0:
        raise InvalidInput("quantity", f"a {data.kind} must be positive")
    with uow:
        s = uow.session
        _move(s, data.location_id, data.sku_id, data.quantity, data.kind, actor, data.reason, uow.clock.now())
        uow.publish("inventory.moved", {"location_id": data.location_id, "sku_id": data.sku_id,
                                        "kind": data.kind, "quantity": data.quantity})
        out = _stock_out(s, data.location_id, data.sku_id)
        uow.commit()
        return out


COUNT_REASON = "count"


def record_count(uow: UnitOfWork, data: CountIn, actor: str = "api") -> CountOut:
    """Stocktake by counted quantity, one transaction: lock the stock row, set on hand to the count and
    write the difference to the ledger (an adjustment with reason "count"). A concurrent reservation
    waits for the row lock, so the count never lands below what is reserved: that is refused
    (BelowReserved names the reserved quantity, the lowest count allowed)."""
    with uow:
        s = uow.session
        try:
            repo.ensure_row(s, data.location_id, data.sku_id)
        except IntegrityError as exc:
            raise NotFound("location or sku", f"{data.location_id}/{data.sku_id}") from exc
        row = repo.locked_row(s, data.location_id, data.sku_id)
        assert row is not None
        seen, reserved = row.on_hand, row.reserved
        if data.counted < reserved or not repo.set_counted(s, data.location_id, data.sku_id, seen, data.counted):
            raise BelowReserved(f"a count of {data.counted} is below the {reserved} reserved by orders at "
                                f"location {data.location_id}", on_hand=seen, reserved=reserved,
                                lowest_allowed=reserved)
        difference = data.counted - seen
        if difference:
            repo.add_movements(s, [{"location_id": data.location_id, "sku_id": data.sku_id, "kind": ADJUSTMENT,
                                    "quantity": difference, "ref": actor[:64], "reason": COUNT_REASON,
                                    "at": uow.clock.now()}])
            uow.publish("inventory.moved", {"location_id": data.location_id, "sku_id": data.sku_id,
                                            "kind": ADJUSTMENT, "quantity": difference})
        out = CountOut(stock=_stock_out(s, data.location_id, data.sku_id), previous_on_hand=seen,
                       difference=difference)
        uow.commit()
        return out


def transfer(uow: UnitOfWork, data: TransferIn, actor: str = "api") -> list[StockOut]:
    if data.from_location_id == data.to_location_id:
        raise InvalidInput("to_location_id", "must differ from from_location_id")
    with uow:
        s, now = uow.session, uow.clock.now()
        ref = f"TR-{data.from_location_id}-{data.to_location_id}-{int(now.timestamp())}"
        legs = sorted([(data.from_location_id, -data.quantity, TRANSFER_OUT),
                       (data.to_location_id, data.quantity, TRANSFER_IN)])  # fixed lock order
        for loc, qty, kind in legs:
            _move(s, loc, data.sku_id, qty, kind, ref, data.reason or actor, now)
        uow.publish("inventory.transferred", data.model_dump())
        out = [_stock_out(s, data.from_location_id, data.sku_id), _stock_out(s, data.to_location_id, data.sku_id)]
        uow.commit()
        return out


def set_safety_stock(uow: UnitOfWork, location_id: int, sku_id: int, data: SafetyStockIn) -> StockOut:
    with uow:
        stock = uow.session.get(Stock, (location_id, sku_id))
        if stock is None:
            raise NotFound("stock", f"{location_id}/{sku_id}")
        stock.safety_stock = data.safety_stock
        out = _stock_out(uow.session, location_id, sku_id)
        uow.commit()
        return out


def _stock_out(session: Session, location_id: int, sku_id: int) -> StockOut:
    session.flush()
    stock = session.get(Stock, (location_id, sku_id))
    if stock is None:
        raise NotFound("stock", f"{location_id}/{sku_id}")
    session.refresh(stock)
    return StockOut.model_validate(stock)


def stock(db: Database, location_id: int | None, sku_id: int | None, page: PageParams) -> Page[StockOut]:
    with db.read() as s:
        rows, total = repo.stock_rows(s, location_id, sku_id, page.offset, page.size)
        return Page[StockOut](items=[StockOut.model_validate(r) for r in rows], page=page.page,
                              size=page.size, total=total)


def check(db: Database) -> CheckReport:
    """Ledger == on_hand, reserved == live reservations, nothing negative."""
    with db.read() as s:
        ledger, reserved, neg = repo.ledger_mismatches(s), repo.reserved_mismatches(s), repo.negatives(s)
        return CheckReport(ok=not (ledger or reserved or neg), ledger_mismatches=ledger[:100],
                           reserved_mismatches=reserved[:100], negatives=neg[:100], stock_rows=repo.stock_count(s))


def stock_of(db: Database, location_id: int, sku_ids: Iterable[int]) -> dict[int, StockOut]:
    """This location's stock rows of these SKUs (a SKU never stocked here has none)."""
    with db.read() as s:
        return {r.sku_id: StockOut.model_validate(r) for r in repo.stock_of(s, location_id, sorted(set(sku_ids)))}


def where_available(db: Database, sku_id: int, limit: int = 50) -> list[tuple[int, int]]:
    """(location id, available) of the locations with some of the SKU free to sell or send, most first."""
    with db.read() as s:
        return repo.where_available(s, sku_id, limit)


# --- transfer requests: requested -> sent (out of the source) -> received (into the requester), or rejected ---

def request_transfer(uow: UnitOfWork, data: TransferRequestIn, actor: str, idempotency_key: str | None = None,
                     scope: str | None = None) -> TransferRequestOut:
    """Record a request; nothing moves until the source sends it. Retried with the same
    Idempotency-Key (per caller `scope`), it returns the first request."""
    if data.from_location_id == data.to_location_id:
        raise InvalidInput("from_location_id", "must differ from to_location_id")
    scope = f"transfer_requests:{scope or actor}"[:80]
    req_hash = idempotency.request_hash(data.model_dump(mode="json")) if idempotency_key else ""
    with uow:
        s, now = uow.session, uow.clock.now()
        if idempotency_key and (rec := idempotency.lookup(s, scope, idempotency_key, req_hash)) is not None:
            return TransferRequestOut.model_validate(rec.body)
        for field, location_id in (("from_location_id", data.from_location_id), ("to_location_id", data.to_location_id)):
            if locations.kind_of(s, location_id) is None:
                raise InvalidInput(field, f"no location {location_id}")
        tr = TransferRequest(**data.model_dump(), status=REQUESTED, decision_note="", requested_by=actor[:80],
                             requested_at=now)
        s.add(tr)
        try:
            s.flush()
        except IntegrityError:
            raise InvalidInput("sku_id", f"no SKU {data.sku_id}") from None
        out = TransferRequestOut.model_validate(tr)
        if idempotency_key:
            idempotency.remember(s, scope, idempotency_key, req_hash, 201, out.model_dump(mode="json"), now)
        uow.describe(f"transfer_request={tr.id}", from_location_id=tr.from_location_id,
                     to_location_id=tr.to_location_id, sku_id=tr.sku_id, quantity=tr.quantity)
        uow.publish("inventory.transfer_requested", _transfer_event(out))
        uow.commit()
        return out


def send_transfer(uow: UnitOfWork, request_id: int, actor: str, note: str = "") -> TransferRequestOut:
    """The source sends: its stock goes out (transfer_out, never below what its orders reserved).
    Exactly once: of concurrent senders one moves the stock, the others get 409."""
    return _advance(uow, request_id, REQUESTED, SENT, actor, note)


def reject_transfer(uow: UnitOfWork, request_id: int, actor: str, note: str = "") -> TransferRequestOut:
    return _advance(uow, request_id, REQUESTED, REJECTED, actor, note)


def receive_transfer(uow: UnitOfWork, request_id: int, actor: str) -> TransferRequestOut:
    """The requester takes the goods in: its stock goes up (transfer_in)."""
    return _advance(uow, request_id, SENT, RECEIVED, actor, "")


def _advance(uow: UnitOfWork, request_id: int, src: str, dst: str, actor: str, note: str) -> TransferRequestOut:
    with uow:
        s, now = uow.session, uow.clock.now()
        who = ({"received_by": actor[:80], "received_at": now} if dst == RECEIVED
               else {"decided_by": actor[:80], "decided_at": now, "decision_note": note[:200]})
        if not repo.advance_transfer(s, request_id, src, dst, **who):  # the request row is locked from here
            tr = repo.transfer_request(s, request_id)
            if tr is None:
                raise NotFound("transfer request", request_id)
            raise IllegalTransition("transfer request", tr.status, dst)
        tr = repo.transfer_request(s, request_id)
        assert tr is not None
        ref, reason = f"TRQ-{tr.id}", (tr.note or f"transfer request {tr.id}")[:200]
        if dst == SENT:
            _move(s, tr.from_location_id, tr.sku_id, -tr.quantity, TRANSFER_OUT, ref, reason, now)
        elif dst == RECEIVED:
            _move(s, tr.to_location_id, tr.sku_id, tr.quantity, TRANSFER_IN, ref, reason, now)
        out = TransferRequestOut.model_validate(tr)
        uow.describe(f"transfer_request={tr.id}", status=dst, sku_id=tr.sku_id, quantity=tr.quantity)
        uow.publish(f"inventory.transfer_{dst}", _transfer_event(out))
        uow.commit()
        return out


def _transfer_event(tr: TransferRequestOut) -> dict:
    return {"transfer_request_id": tr.id, "from_location_id": tr.from_location_id,
            "to_location_id": tr.to_location_id, "sku_id": tr.sku_id, "quantity": tr.quantity, "status": tr.status}


def get_transfer(db: Database, request_id: int) -> TransferRequestOut:
    with db.read() as s:
        tr = repo.transfer_request(s, request_id)
        if tr is None:
            raise NotFound("transfer request", request_id)
        return TransferRequestOut.model_validate(tr)


def transfer_requests(db: Database, location_id: int | None, direction: str | None, statuses: Iterable[str],
                      page: PageParams) -> Page[TransferRequestOut]:
    """Newest first: asked by (direction "in") or of ("out") a location, or both; some statuses or all."""
    with db.read() as s:
        rows, total = repo.transfer_requests(s, location_id, direction, list(statuses), page.offset, page.size)
        return Page[TransferRequestOut](items=[TransferRequestOut.model_validate(r) for r in rows], page=page.page,
                                        size=page.size, total=total)
