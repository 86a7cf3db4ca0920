"""Inventory: reserve / release / commit as conditional UPDATEs in a fixed lock order, the ledger, checks.

Functions taking a `Session` run inside the caller's unit of work (orders, fulfilment);
functions taking a `UnitOfWork` or `Database` are this area's own use cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.inventory import repository as repo
from o2o.inventory.exceptions import BelowReserved, ReservationFailed
from o2o.inventory.models import (
    ADJUSTMENT,
    COMMITTED,
    LIVE,
    ONLINE_SALE,
    RELEASED,
    TRANSFER_IN,
    TRANSFER_OUT,
    Stock,
)
from o2o.inventory.schemas import CheckReport, Hold, MovementIn, SafetyStockIn, StockOut, TransferIn
from o2o.kernel.db import Database
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.kernel.pagination import Page, PageParams
from o2o.kernel.uow import UnitOfWork


def merge_holds(holds: Iterable[Hold]) -> list[Hold]:
    """Sum lines of the same (location, SKU) and sort them: the fixed lock order."""
    total: dict[tuple[int, int], int] = defaultdict(int)
    for h in holds:
        if h.quantity <= 0:
            raise ValueError("hold quantity must be positive")
        total[(h.location_id, h.sku_id)] += h.quantity
    return [Hold(loc, sku, q) for (loc, sku), q in sorted(total.items())]


def reserve(session: Session, ref: str, holds: Iterable[Hold], now: datetime, expires_at: datetime) -> None:
    """Reserve every hold or raise ReservationFailed (the caller must roll back)."""
    merged = merge_holds(holds)
    for h in merged:
        if not repo.try_reserve(session, h.location_id, h.sku_id, h.quantity):
            raise ReservationFailed(h.location_id, h.sku_id, h.quantity)
    repo.add_reservations(session, [
        {"ref": ref, "location_id": h.location_id, "sku_id": h.sku_id, "quantity": h.quantity,
         "status": LIVE, "created_at": now, "expires_at": expires_at} for h in merged])


def available(session: Session, location_ids: Iterable[int], sku_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    return repo.available(session, location_ids, sku_ids)


def release(session: Session, ref: str, status: str = RELEASED) -> int:
    """Give back every live reservation of `ref`; returns how many were released."""
    rows = repo.live_reservations(session, ref)
    for r in rows:  # already ordered by (location, sku)
        if not repo.release(session, r.location_id, r.sku_id, r.quantity):
            raise RuntimeError(f"stock row {r.location_id}/{r.sku_id} holds less than reservation {r.id}")
    repo.set_reservation_status(session, [r.id for r in rows], status)
    return len(rows)


def commit(session: Session, ref: str, now: datetime, kind: str = ONLINE_SALE) -> int:
    """Turn `ref`'s live reservations into stock that left the building, with ledger rows."""
    rows = repo.live_reservations(session, ref)
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
        raise BelowReserved(f"on hand would fall below what is reserved at location {location_id}",
                            on_hand=stock.on_hand if stock else 0, reserved=stock.reserved if stock else 0)
    repo.add_movements(session, [{"location_id": location_id, "sku_id": sku_id, "kind": kind, "quantity": qty,
                                  "ref": ref, "reason": reason, "at": now}])


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
