"""Stocktake by counted quantity: on hand becomes the count, the difference is an adjustment in the ledger
with reason "count", never below what orders reserved, and race-safe against reservations at the same time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from o2o.inventory import service as inventory
from o2o.inventory.exceptions import BelowReserved, ReservationFailed
from o2o.inventory.models import Stock, StockMovement
from o2o.inventory.schemas import CountIn, Hold
from o2o.kernel.clock import FixedClock
from o2o.kernel.errors import NotFound
from o2o.kernel.uow import UnitOfWork
from tests.factories.raw import new_location, seed_stock

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
CLOCK = FixedClock(T0)


def _count(db, loc: int, sku: int, counted: int):  # type: ignore[no-untyped-def]
    return inventory.record_count(UnitOfWork(db, CLOCK), CountIn(location_id=loc, sku_id=sku, counted=counted),
                                  "staff:clerk-a")


def _row(db, loc: int, sku: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        row = s.get(Stock, (loc, sku))
        return (row.on_hand, row.reserved) if row else (0, 0)


def _counts(db, loc: int, sku: int) -> list[tuple[str, int, str, str]]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        rows = s.execute(select(StockMovement.kind, StockMovement.quantity, StockMovement.reason, StockMovement.ref)
                         .where(StockMovement.location_id == loc, StockMovement.sku_id == sku,
                                StockMovement.reason == "count").order_by(StockMovement.id))
        return [tuple(r) for r in rows]


def _reserve(db, ref: str, loc: int, sku: int, qty: int) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(db, CLOCK) as uow:
        inventory.reserve(uow.session, ref, [Hold(loc, sku, qty)], T0, T0 + timedelta(hours=1))
        uow.commit()


def test_a_count_below_on_hand_writes_the_shortfall_to_the_ledger_as_reason_count(db):
    loc, sku = seed_stock(db, on_hand=10)
    out = _count(db, loc, sku, 7)
    assert (out.previous_on_hand, out.difference, out.stock.on_hand) == (10, -3, 7)
    assert _counts(db, loc, sku) == [("adjustment", -3, "count", "staff:clerk-a")]
    assert inventory.check(db).ok  # the ledger still sums to on hand


def test_a_count_above_on_hand_adds_the_surplus_and_a_matching_count_writes_nothing(db):
    loc, sku = seed_stock(db, on_hand=4)
    assert _count(db, loc, sku, 9).difference == 5
    assert _count(db, loc, sku, 9).difference == 0
    assert _counts(db, loc, sku) == [("adjustment", 5, "count", "staff:clerk-a")]
    assert _row(db, loc, sku) == (9, 0)
    assert inventory.check(db).ok


def test_a_count_of_a_sku_never_stocked_here_creates_the_row(db):
    _, sku = seed_stock(db, on_hand=3)
    other = new_location(db, "B")
    assert _count(db, other, sku, 2).difference == 2
    assert _row(db, other, sku) == (2, 0)
    assert inventory.check(db).ok


def test_a_count_below_the_reserved_quantity_is_refused_naming_the_lowest_allowed(db):
    loc, sku = seed_stock(db, on_hand=10)
    _reserve(db, "SO1", loc, sku, 6)
    with pytest.raises(BelowReserved) as caught:
        _count(db, loc, sku, 5)
    assert caught.value.extra["reserved"] == 6 and caught.value.extra["lowest_allowed"] == 6
    assert _row(db, loc, sku) == (10, 6) and _counts(db, loc, sku) == []
    assert _count(db, loc, sku, 6).stock.available == 0  # the lowest allowed is accepted
    assert inventory.check(db).ok


def test_a_count_of_an_unknown_sku_or_location_is_not_found(db):
    loc, sku = seed_stock(db, on_hand=1)
    with pytest.raises(NotFound):
        _count(db, loc, 987_654_321, 1)
    with pytest.raises(NotFound):
        _count(db, 987_654_321, sku, 1)


def _race(db, attempt: int) -> tuple[list[str], str, int, int]:  # type: ignore[no-untyped-def]
    """8 reservations of 1 and a count of 4 released at once on 10 on hand."""
    loc, sku = seed_stock(db, on_hand=10, code=f"R{attempt}")
    start = threading.Barrier(9)

    def reserve(i: int) -> str:
        start.wait()
        try:
            _reserve(db, f"SO-{attempt}-{i}", loc, sku, 1)
            return "reserved"
        except ReservationFailed:
            return "short"

    def count() -> str:
        start.wait()
        try:
            _count(db, loc, sku, 4)
            return "counted"
        except BelowReserved:
            return "refused"

    with ThreadPoolExecutor(9) as pool:
        reserved = [pool.submit(reserve, i) for i in range(8)]
        counted = pool.submit(count)
        return [f.result() for f in reserved], counted.result(), loc, sku


def test_a_count_racing_reservations_never_lands_below_reserved_and_the_ledger_holds(fresh_db):
    """Whichever order the database serialises them in, reserved <= on_hand and sum(ledger) == on_hand."""
    for attempt in range(3):
        results, outcome, loc, sku = _race(fresh_db, attempt)
        on_hand, held = _row(fresh_db, loc, sku)
        assert held == results.count("reserved") and held <= on_hand
        if outcome == "counted":
            assert on_hand == 4  # counted when at most 4 were reserved; later reservations fit in 4
        else:
            assert on_hand == 10 and held > 4  # refused: more than 4 were reserved before the count
        assert inventory.check(fresh_db).ok
