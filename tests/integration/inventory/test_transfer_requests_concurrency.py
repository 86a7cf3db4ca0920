"""Several people press "send" (or "send" and "reject") on the same transfer request at the same moment:
the stock leaves the source exactly once, everyone else is told the request has moved on."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from o2o.inventory import service as inventory
from o2o.inventory.models import Stock, StockMovement
from o2o.inventory.schemas import TransferRequestIn
from o2o.kernel.clock import FixedClock
from o2o.kernel.errors import IllegalTransition
from o2o.kernel.uow import UnitOfWork
from tests.factories.raw import new_location, seed_stock

pytestmark = pytest.mark.concurrency
CLOCK = FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
THREADS = 8


def _together(n: int, fn) -> list[str]:  # type: ignore[no-untyped-def]
    """Run fn(i) on n threads released at once; each returns "ok" or the name of what it raised."""
    start = threading.Barrier(n)

    def run(i: int) -> str:
        start.wait()
        try:
            fn(i)
            return "ok"
        except IllegalTransition:
            return "illegal"

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def _request(db, qty: int) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    source, sku = seed_stock(db, on_hand=20)
    dest = new_location(db, "B")
    rid = inventory.request_transfer(UnitOfWork(db, CLOCK), TransferRequestIn(
        from_location_id=source, to_location_id=dest, sku_id=sku, quantity=qty), "staff:clerk").id
    return rid, source, dest, sku


def _moved(db, ref: str) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.ref == ref)) or 0


def test_eight_people_sending_the_same_request_at_once_move_the_stock_once(fresh_db):
    rid, source, _, sku = _request(fresh_db, 7)
    results = _together(THREADS, lambda i: inventory.send_transfer(UnitOfWork(fresh_db, CLOCK), rid, f"staff:m{i}"))
    assert sorted(results) == ["illegal"] * (THREADS - 1) + ["ok"]
    with fresh_db.read() as s:
        assert s.get(Stock, (source, sku)).on_hand == 13
    assert _moved(fresh_db, f"TRQ-{rid}") == 1
    assert inventory.get_transfer(fresh_db, rid).status == "sent"
    assert inventory.check(fresh_db).ok


def test_sending_and_rejecting_at_once_leave_exactly_one_decision(fresh_db):
    rid, source, _, sku = _request(fresh_db, 5)

    def decide(i: int) -> None:
        step = inventory.send_transfer if i % 2 else inventory.reject_transfer
        step(UnitOfWork(fresh_db, CLOCK), rid, f"staff:m{i}")

    results = _together(THREADS, decide)
    assert results.count("ok") == 1
    tr = inventory.get_transfer(fresh_db, rid)
    with fresh_db.read() as s:
        on_hand = s.get(Stock, (source, sku)).on_hand
    assert (on_hand, _moved(fresh_db, f"TRQ-{rid}")) == ((15, 1) if tr.status == "sent" else (20, 0))
    assert inventory.check(fresh_db).ok


def test_receiving_twice_at_once_adds_the_stock_once(fresh_db):
    rid, _, dest, sku = _request(fresh_db, 6)
    inventory.send_transfer(UnitOfWork(fresh_db, CLOCK), rid, "staff:m")
    results = _together(THREADS, lambda i: inventory.receive_transfer(UnitOfWork(fresh_db, CLOCK), rid, f"staff:c{i}"))
    assert results.count("ok") == 1
    with fresh_db.read() as s:
        assert s.get(Stock, (dest, sku)).on_hand == 6
    assert _moved(fresh_db, f"TRQ-{rid}") == 2
    assert inventory.check(fresh_db).ok
