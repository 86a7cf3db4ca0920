"""Stock statements. Every reservation is one conditional UPDATE; never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from o2o.inventory.models import LIVE, Reservation, Stock, StockMovement, TransferRequest
from o2o.kernel import idlists

_RESERVE = text(
    "UPDATE stock SET reserved = reserved + :q "
    "WHERE location_id = :l AND sku_id = :s AND on_hand - reserved - safety_stock >= :q")
_RELEASE = text(
    "UPDATE stock SET reserved = reserved - :q WHERE location_id = :l AND sku_id = :s AND reserved >= :q")
_COMMIT = text(
    "UPDATE stock SET reserved = reserved - :q, on_hand = on_hand - :q "
    "WHERE location_id = :l AND sku_id = :s AND reserved >= :q AND on_hand >= :q")
_MOVE = text(
    "UPDATE stock SET on_hand = on_hand + :q "
    "WHERE location_id = :l AND sku_id = :s AND on_hand + :q >= reserved")


def try_reserve(session: Session, location_id: int, sku_id: int, qty: int) -> bool:
    return session.connection().execute(_RESERVE, {"q": qty, "l": location_id, "s": sku_id}).rowcount == 1


def release(session: Session, location_id: int, sku_id: int, qty: int) -> bool:
    return session.execute(_RELEASE, {"q": qty, "l": location_id, "s": sku_id}).rowcount == 1


def commit_out(session: Session, location_id: int, sku_id: int, qty: int) -> bool:
    return session.execute(_COMMIT, {"q": qty, "l": location_id, "s": sku_id}).rowcount == 1


def move(session: Session, location_id: int, sku_id: int, qty: int) -> bool:
    """Add (or, negative, remove) on_hand, never below what is reserved."""
    return session.execute(_MOVE, {"q": qty, "l": location_id, "s": sku_id}).rowcount == 1


def locked_row(session: Session, location_id: int, sku_id: int) -> Stock | None:
    """The stock row, locked until the commit (PostgreSQL: FOR UPDATE; SQLite's write transactions
    begin IMMEDIATE and hold the database's write lock already): a concurrent reservation waits."""
    stmt = (select(Stock).where(Stock.location_id == location_id, Stock.sku_id == sku_id)
            .with_for_update().execution_options(populate_existing=True))
    return session.scalars(stmt).first()


_SET_COUNTED = text(
    "UPDATE stock SET on_hand = :counted, oversold = 0, flagged_at = NULL "  # a count reconciles a flagged line
    "WHERE location_id = :l AND sku_id = :s AND on_hand = :seen AND reserved <= :counted")


def set_counted(session: Session, location_id: int, sku_id: int, seen: int, counted: int) -> bool:
    """on_hand := counted, if it is still `seen` and stays at or above what is reserved."""
    return session.execute(_SET_COUNTED, {"counted": counted, "seen": seen, "l": location_id,
                                          "s": sku_id}).rowcount == 1


def ensure_row(session: Session, location_id: int, sku_id: int) -> None:
    if session.get(Stock, (location_id, sku_id)) is None:
        session.add(Stock(location_id=location_id, sku_id=sku_id, on_hand=0, reserved=0, safety_stock=0))
        session.flush()


# built once per dialect, the ids bound as one parameter each (kernel.idlists): placing an order runs it
_AVAILABLE = {d: select(Stock.location_id, Stock.sku_id, Stock.on_hand - Stock.reserved - Stock.safety_stock).where(
    idlists.member_of(Stock.sku_id, "skus")[d], idlists.member_of(Stock.location_id, "locs")[d])
    for d in idlists.DIALECTS}


def available(session: Session, location_ids: Iterable[int], sku_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    d = session.get_bind().dialect.name
    rows = session.connection().execute(_AVAILABLE[d], {"skus": idlists.bound(d, sku_ids),
                                                        "locs": idlists.bound(d, location_ids)})
    return {(loc, sku): max(0, int(av)) for loc, sku, av in rows}


def live_reservations(session: Session, ref: str) -> list[Reservation]:
    stmt = (select(Reservation).where(Reservation.ref == ref, Reservation.status == LIVE)
            .order_by(Reservation.location_id, Reservation.sku_id))
    return list(session.scalars(stmt))


def add_movements(session: Session, rows: list[dict]) -> None:
    if rows:
        session.execute(StockMovement.__table__.insert(), rows)


_INSERT_RESERVATION = Reservation.__table__.insert()


def add_reservations(session: Session, rows: list[dict]) -> None:
    if rows:
        session.connection().execute(_INSERT_RESERVATION, rows)


def set_reservation_status(session: Session, ids: list[int], status: str) -> None:
    if ids:
        session.execute(update(Reservation).where(Reservation.id.in_(ids)).values(status=status))


def extend_reservations(session: Session, ref: str, until: datetime) -> None:
    session.execute(update(Reservation).where(Reservation.ref == ref, Reservation.status == LIVE)
                    .values(expires_at=until))


def ledger_mismatches(session: Session) -> list[dict[str, int]]:
    ledger = (select(StockMovement.location_id, StockMovement.sku_id, func.sum(StockMovement.quantity).label("q"))
              .group_by(StockMovement.location_id, StockMovement.sku_id).subquery())
    stmt = (select(Stock.location_id, Stock.sku_id, Stock.on_hand, func.coalesce(ledger.c.q, 0))
            .outerjoin(ledger, (ledger.c.location_id == Stock.location_id) & (ledger.c.sku_id == Stock.sku_id))
            .where(Stock.on_hand != func.coalesce(ledger.c.q, 0)))
    out = [{"location_id": lo, "sku_id": sk, "on_hand": oh, "ledger": int(q)} for lo, sk, oh, q in session.execute(stmt)]
    orphan = (select(ledger.c.location_id, ledger.c.sku_id, ledger.c.q)
              .outerjoin(Stock, (ledger.c.location_id == Stock.location_id) & (ledger.c.sku_id == Stock.sku_id))
              .where(Stock.sku_id.is_(None), ledger.c.q != 0))
    out += [{"location_id": lo, "sku_id": sk, "on_hand": 0, "ledger": int(q)} for lo, sk, q in session.execute(orphan)]
    return out


def reserved_mismatches(session: Session) -> list[dict[str, int]]:
    live = (select(Reservation.location_id, Reservation.sku_id, func.sum(Reservation.quantity).label("q"))
            .where(Reservation.status == LIVE).group_by(Reservation.location_id, Reservation.sku_id).subquery())
    stmt = (select(Stock.location_id, Stock.sku_id, Stock.reserved, func.coalesce(live.c.q, 0))
            .outerjoin(live, (live.c.location_id == Stock.location_id) & (live.c.sku_id == Stock.sku_id))
            .where(Stock.reserved != func.coalesce(live.c.q, 0)))
    return [{"location_id": lo, "sku_id": sk, "reserved": r, "live_reservations": int(q)}
            for lo, sk, r, q in session.execute(stmt)]


def negatives(session: Session) -> list[dict[str, int]]:
    stmt = select(Stock.location_id, Stock.sku_id, Stock.on_hand, Stock.reserved).where(
        (Stock.on_hand < 0) | (Stock.reserved < 0) | (Stock.reserved > Stock.on_hand))
    return [{"location_id": lo, "sku_id": sk, "on_hand": oh, "reserved": r} for lo, sk, oh, r in session.execute(stmt)]


def stock_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Stock)) or 0


def stock_rows(session: Session, location_id: int | None, sku_id: int | None, offset: int,
               limit: int) -> tuple[list[Stock], int]:
    stmt = select(Stock)
    if location_id:
        stmt = stmt.where(Stock.location_id == location_id)
    if sku_id:
        stmt = stmt.where(Stock.sku_id == sku_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(session.scalars(stmt.order_by(Stock.location_id, Stock.sku_id).offset(offset).limit(limit))), total


def transfer_request(session: Session, request_id: int) -> TransferRequest | None:
    return session.get(TransferRequest, request_id, populate_existing=True)


def advance_transfer(session: Session, request_id: int, src: str, dst: str, **values: object) -> bool:
    """One conditional UPDATE: the request moves src -> dst only if it is still in src. Of two people
    sending the same request at once, one matches a row; the other (after the first commits) none."""
    table = TransferRequest.__table__
    stmt = table.update().where(table.c.id == request_id, table.c.status == src).values(status=dst, **values)
    return session.execute(stmt).rowcount == 1


def transfer_requests(session: Session, location_id: int | None, direction: str | None, statuses: list[str],
                      offset: int, limit: int) -> tuple[list[TransferRequest], int]:
    """Newest first. direction "in": asked by `location_id`; "out": asked of it; None: either."""
    stmt = select(TransferRequest)
    if location_id is not None:
        to_here, from_here = TransferRequest.to_location_id == location_id, TransferRequest.from_location_id == location_id
        stmt = stmt.where(to_here if direction == "in" else from_here if direction == "out" else to_here | from_here)
    if statuses:
        stmt = stmt.where(TransferRequest.status.in_(statuses))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(TransferRequest.id.desc()).offset(offset).limit(limit))
    return list(rows), total


def stock_of(session: Session, location_id: int, sku_ids: list[int]) -> list[Stock]:
    if not sku_ids:
        return []
    return list(session.scalars(select(Stock).where(Stock.location_id == location_id, Stock.sku_id.in_(sku_ids))))


def where_available(session: Session, sku_id: int, limit: int) -> list[tuple[int, int]]:
    """(location id, available) of the locations that have some of the SKU free, most first."""
    free = Stock.on_hand - Stock.reserved - Stock.safety_stock
    stmt = (select(Stock.location_id, free).where(Stock.sku_id == sku_id, free > 0)
            .order_by(free.desc(), Stock.location_id).limit(limit))
    return [(loc, int(av)) for loc, av in session.execute(stmt)]
