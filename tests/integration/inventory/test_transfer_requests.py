"""Transfer requests: requested -> sent (out of the source) -> received (into the requester), or rejected;
the ledger stays equal to on_hand throughout."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from o2o.inventory import service as inventory
from o2o.inventory.exceptions import BelowReserved
from o2o.inventory.models import Stock, StockMovement
from o2o.inventory.schemas import Hold, TransferRequestIn
from o2o.kernel.clock import FixedClock
from o2o.kernel.errors import IllegalTransition, InvalidInput, NotFound
from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import UnitOfWork
from tests.factories.raw import new_location, seed_stock

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def _uow(db, clock) -> UnitOfWork:  # type: ignore[no-untyped-def]
    return UnitOfWork(db, clock)


def _on_hand(db, location_id: int, sku_id: int) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        row = s.get(Stock, (location_id, sku_id))
        return row.on_hand if row else 0


def _ledger(db, ref: str) -> list[tuple[int, str, int]]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        rows = s.execute(select(StockMovement.location_id, StockMovement.kind, StockMovement.quantity)
                         .where(StockMovement.ref == ref).order_by(StockMovement.id))
        return [tuple(r) for r in rows]


def _ask(db, clock, source: int, dest: int, sku: int, qty: int, **kw) -> int:  # type: ignore[no-untyped-def]
    data = TransferRequestIn(from_location_id=source, to_location_id=dest, sku_id=sku, quantity=qty, note="shelf empty")
    return inventory.request_transfer(_uow(db, clock), data, "staff:clerk-a", **kw).id


def test_request_send_receive_moves_the_stock_once_each_way_and_keeps_the_ledger(db, clock):
    source, sku = seed_stock(db, on_hand=10)
    dest = new_location(db, "B")
    rid = _ask(db, clock, source, dest, sku, 4)
    tr = inventory.get_transfer(db, rid)
    assert (tr.status, tr.requested_by, tr.requested_at, tr.decided_by) == ("requested", "staff:clerk-a", T0, None)
    assert _on_hand(db, source, sku) == 10 and _on_hand(db, dest, sku) == 0  # asking moves nothing

    clock.advance(minutes=5)
    sent = inventory.send_transfer(_uow(db, clock), rid, "staff:manager-b")
    assert (sent.status, sent.decided_by, sent.decided_at) == ("sent", "staff:manager-b", clock.now())
    assert _on_hand(db, source, sku) == 6 and _on_hand(db, dest, sku) == 0  # on the way: on neither shelf
    assert _ledger(db, f"TRQ-{rid}") == [(source, "transfer_out", -4)]

    clock.advance(hours=2)
    got = inventory.receive_transfer(_uow(db, clock), rid, "staff:clerk-a")
    assert (got.status, got.received_by, got.received_at) == ("received", "staff:clerk-a", clock.now())
    assert _on_hand(db, dest, sku) == 4
    assert _ledger(db, f"TRQ-{rid}") == [(source, "transfer_out", -4), (dest, "transfer_in", 4)]
    assert inventory.check(db).ok


def test_a_rejected_request_moves_nothing_and_cannot_be_sent_or_received(db, clock):
    source, sku = seed_stock(db, on_hand=10)
    dest = new_location(db, "B")
    rid = _ask(db, clock, source, dest, sku, 3)
    with pytest.raises(IllegalTransition):
        inventory.receive_transfer(_uow(db, clock), rid, "staff:clerk-a")  # not sent yet
    out = inventory.reject_transfer(_uow(db, clock), rid, "staff:manager-b", "we need them too")
    assert (out.status, out.decision_note, out.decided_by) == ("rejected", "we need them too", "staff:manager-b")
    for step in (inventory.send_transfer, inventory.reject_transfer, inventory.receive_transfer):
        with pytest.raises(IllegalTransition):
            step(_uow(db, clock), rid, "staff:someone")
    assert _on_hand(db, source, sku) == 10 and _ledger(db, f"TRQ-{rid}") == []
    assert inventory.check(db).ok


def test_a_second_send_or_receive_is_refused_and_changes_nothing(db, clock):
    source, sku = seed_stock(db, on_hand=10)
    dest = new_location(db, "B")
    rid = _ask(db, clock, source, dest, sku, 2)
    inventory.send_transfer(_uow(db, clock), rid, "staff:m")
    with pytest.raises(IllegalTransition) as exc:
        inventory.send_transfer(_uow(db, clock), rid, "staff:m")
    assert exc.value.extra["current_status"] == "sent"
    inventory.receive_transfer(_uow(db, clock), rid, "staff:c")
    with pytest.raises(IllegalTransition):
        inventory.receive_transfer(_uow(db, clock), rid, "staff:c")
    assert (_on_hand(db, source, sku), _on_hand(db, dest, sku)) == (8, 2)
    assert len(_ledger(db, f"TRQ-{rid}")) == 2


def test_sending_more_than_the_source_can_spare_is_refused_and_the_request_stays_open(db, clock):
    source, sku = seed_stock(db, on_hand=5)
    dest = new_location(db, "B")
    with db.write_sessions() as s:  # an online order holds 3 of the 5
        inventory.reserve(s, "SO1", [Hold(source, sku, 3)], T0, T0.replace(hour=3))
        s.commit()
    rid = _ask(db, clock, source, dest, sku, 3)
    with pytest.raises(BelowReserved):
        inventory.send_transfer(_uow(db, clock), rid, "staff:m")
    assert inventory.get_transfer(db, rid).status == "requested"
    assert _on_hand(db, source, sku) == 5 and _ledger(db, f"TRQ-{rid}") == []
    small = _ask(db, clock, source, dest, sku, 2)
    assert inventory.send_transfer(_uow(db, clock), small, "staff:m").status == "sent"
    assert _on_hand(db, source, sku) == 3
    assert inventory.check(db).ok


def test_a_request_from_a_location_without_the_sku_cannot_be_sent(db, clock):
    _, sku = seed_stock(db, on_hand=5)
    empty, dest = new_location(db, "E"), new_location(db, "B")
    rid = _ask(db, clock, empty, dest, sku, 1)
    with pytest.raises(BelowReserved):
        inventory.send_transfer(_uow(db, clock), rid, "staff:m")
    with db.read() as s:
        assert s.get(Stock, (empty, sku)) is None  # the empty row made for the attempt is rolled back
    assert inventory.check(db).ok


def test_requests_name_the_field_that_is_wrong(db, clock):
    source, sku = seed_stock(db, on_hand=5)
    with pytest.raises(InvalidInput) as exc:
        _ask(db, clock, source, source, sku, 1)
    assert exc.value.extra["errors"][0]["field"] == "from_location_id"
    with pytest.raises(InvalidInput) as exc:
        _ask(db, clock, 999_999, source, sku, 1)
    assert exc.value.extra["errors"][0]["field"] == "from_location_id"
    with pytest.raises(InvalidInput) as exc:
        _ask(db, clock, source, 999_999, sku, 1)
    assert exc.value.extra["errors"][0]["field"] == "to_location_id"
    with pytest.raises(InvalidInput) as exc:
        _ask(db, clock, source, new_location(db, "B"), 999_999, 1)
    assert exc.value.extra["errors"][0]["field"] == "sku_id"
    with pytest.raises(NotFound):
        inventory.send_transfer(_uow(db, clock), 999_999, "staff:m")


def test_a_retried_request_with_the_same_idempotency_key_returns_the_first(db, clock):
    source, sku = seed_stock(db, on_hand=5)
    dest = new_location(db, "B")
    first = _ask(db, clock, source, dest, sku, 2, idempotency_key="k1", scope="staff:7")
    again = _ask(db, clock, source, dest, sku, 2, idempotency_key="k1", scope="staff:7")
    other = _ask(db, clock, source, dest, sku, 2, idempotency_key="k1", scope="staff:8")
    assert first == again != other
    assert inventory.transfer_requests(db, dest, "in", [], PageParams()).total == 2


def test_lists_are_per_direction_and_status_newest_first(db, clock):
    a, sku = seed_stock(db, on_hand=9)
    b, c = new_location(db, "B"), new_location(db, "C")
    r1 = _ask(db, clock, a, b, sku, 1)
    r2 = _ask(db, clock, a, c, sku, 1)
    r3 = _ask(db, clock, b, a, sku, 1)
    inventory.send_transfer(_uow(db, clock), r2, "staff:m")
    ids = lambda page: [tr.id for tr in page.items]  # noqa: E731
    assert ids(inventory.transfer_requests(db, a, "out", [], PageParams())) == [r2, r1]
    assert ids(inventory.transfer_requests(db, a, "in", [], PageParams())) == [r3]
    assert ids(inventory.transfer_requests(db, a, None, [], PageParams())) == [r3, r2, r1]
    assert ids(inventory.transfer_requests(db, a, "out", ["requested"], PageParams())) == [r1]
    assert ids(inventory.transfer_requests(db, None, None, ["sent"], PageParams())) == [r2]
