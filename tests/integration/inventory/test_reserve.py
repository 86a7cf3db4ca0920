"""Reserve / release / commit rules against the real databases (one rolled-back transaction each)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from o2o.inventory import service as inventory
from o2o.inventory.exceptions import BelowReserved, ReservationFailed
from o2o.inventory.models import Reservation, Stock, StockMovement
from o2o.inventory.schemas import Hold, MovementIn, TransferIn
from o2o.kernel.clock import FixedClock
from o2o.kernel.uow import UnitOfWork
from tests.factories.raw import seed_stock

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=30)


def test_reserve_takes_available_minus_safety_stock(db):
    loc, sku = seed_stock(db, on_hand=10, safety=2)
    with db.write_sessions() as s:
        inventory.reserve(s, "SO1", [Hold(loc, sku, 8)], NOW, LATER)
        with pytest.raises(ReservationFailed):
            inventory.reserve(s, "SO2", [Hold(loc, sku, 1)], NOW, LATER)
        row = s.get(Stock, (loc, sku))
        s.refresh(row)
        assert (row.on_hand, row.reserved, row.available) == (10, 8, 0)


def test_two_lines_of_the_same_sku_are_checked_against_their_sum(db):
    """Medusa #16502 bug class: 6 + 6 of a SKU with 10 available must be refused."""
    loc, sku = seed_stock(db, on_hand=10)
    with db.write_sessions() as s, pytest.raises(ReservationFailed) as err:
        inventory.reserve(s, "SO1", [Hold(loc, sku, 6), Hold(loc, sku, 6)], NOW, LATER)
    assert err.value.quantity == 12


def test_merge_holds_sorts_into_lock_order_and_sums():
    merged = inventory.merge_holds([Hold(2, 5, 1), Hold(1, 9, 2), Hold(2, 5, 3), Hold(1, 3, 1)])
    assert merged == [Hold(1, 3, 1), Hold(1, 9, 2), Hold(2, 5, 4)]


def test_release_then_commit_keep_the_ledger(db):
    loc, sku = seed_stock(db, on_hand=5)
    with db.write_sessions() as s:
        inventory.reserve(s, "SO1", [Hold(loc, sku, 2)], NOW, LATER)
        inventory.reserve(s, "SO2", [Hold(loc, sku, 3)], NOW, LATER)
        assert inventory.release(s, "SO1") == 1
        assert inventory.commit(s, "SO2", NOW) == 1
        assert inventory.commit(s, "SO2", NOW) == 0  # nothing live left: committing twice is a no-op
        s.flush()
        row = s.get(Stock, (loc, sku))
        s.refresh(row)
        assert (row.on_hand, row.reserved) == (2, 0)
        total = sum(s.scalars(select(StockMovement.quantity).where(StockMovement.sku_id == sku)))
        assert total == 2
        statuses = sorted(s.scalars(select(Reservation.status).where(Reservation.sku_id == sku)))
        assert statuses == ["committed", "released"]
        s.commit()
    assert inventory.check(db).ok


def test_adjustment_cannot_take_on_hand_below_reserved(db):
    loc, sku = seed_stock(db, on_hand=5)
    with db.write_sessions() as s:
        inventory.reserve(s, "SO1", [Hold(loc, sku, 4)], NOW, LATER)
        s.commit()
    uow = UnitOfWork(db, FixedClock(NOW))
    with pytest.raises(BelowReserved):
        inventory.record_movement(uow, MovementIn(location_id=loc, sku_id=sku, kind="adjustment", quantity=-2))
    out = inventory.record_movement(UnitOfWork(db, FixedClock(NOW)), MovementIn(
        location_id=loc, sku_id=sku, kind="adjustment", quantity=-1, reason="broken"))
    assert (out.on_hand, out.reserved) == (4, 4)
    assert inventory.check(db).ok


def test_transfer_moves_stock_with_two_ledger_rows(db):
    loc, sku = seed_stock(db, on_hand=7)
    loc2, _ = seed_stock(db, on_hand=0, sku_id=sku, code="B")
    out = inventory.transfer(UnitOfWork(db, FixedClock(NOW)), TransferIn(
        from_location_id=loc, to_location_id=loc2, sku_id=sku, quantity=3))
    assert [(o.location_id, o.on_hand) for o in out] == [(loc, 4), (loc2, 3)]
    assert inventory.check(db).ok
