"""Transfers on both databases: stock in transit, counted receipts and their discrepancies, two clerks
receiving at once, batches created twice or at the same moment with one key, the migration's way back."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from o2o.inventory import service as inventory
from o2o.inventory import transfers
from o2o.inventory.models import Stock, StockMovement, TransferRequest
from o2o.inventory.schemas import TransferRequestIn
from o2o.inventory.transfer_models import TransferBatch, TransferDiscrepancy
from o2o.inventory.transfer_schemas import BatchIn, InvestigateIn, PlanLine, ReceiptIn, ResolveIn
from o2o.kernel.clock import FixedClock
from o2o.kernel.db import Database, make_engine
from o2o.kernel.errors import IllegalTransition, InvalidInput
from o2o.kernel.migrate import downgrade, upgrade
from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import UnitOfWork
from tests.conftest import blank_database_url
from tests.factories.raw import new_location, seed_stock

CLOCK = FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))


def uow(db: Database) -> UnitOfWork:
    return UnitOfWork(db, CLOCK)


def _on_hand(db: Database, location_id: int, sku_id: int) -> int:
    with db.read() as s:
        row = s.get(Stock, (location_id, sku_id))
        return row.on_hand if row else 0


def _sent(db: Database, qty: int, on_hand: int = 20) -> tuple[int, int, int, int]:
    source, sku = seed_stock(db, on_hand=on_hand)
    dest = new_location(db, "B")
    rid = inventory.request_transfer(uow(db), TransferRequestIn(
        from_location_id=source, to_location_id=dest, sku_id=sku, quantity=qty), "staff:clerk").id
    inventory.send_transfer(uow(db), rid, "staff:manager")
    return rid, source, dest, sku


def _together(n: int, fn) -> list[str]:  # type: ignore[no-untyped-def]
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


def test_in_transit_stock_is_counted_neither_at_the_source_nor_at_the_destination_until_received(db):
    rid, source, dest, sku = _sent(db, 7)
    assert (_on_hand(db, source, sku), _on_hand(db, dest, sku)) == (13, 0)
    with db.read() as s:
        assert inventory.available(s, [source, dest], [sku]).get((dest, sku), 0) == 0
    assert all(loc != dest for loc, _ in inventory.where_available(db, sku))
    on_the_way = transfers.in_transit(db, sku_id=sku)
    assert [(x.from_location_id, x.to_location_id, x.quantity) for x in on_the_way] == [(source, dest, 7)]
    assert _on_hand(db, source, sku) + _on_hand(db, dest, sku) + sum(x.quantity for x in on_the_way) == 20
    assert inventory.check(db).ok  # the ledger holds the transfer_out, nothing at the destination yet
    assert transfers.transit_mismatches(db) == []

    transfers.receive(uow(db), rid, ReceiptIn(), "staff:clerk")
    assert (_on_hand(db, source, sku), _on_hand(db, dest, sku)) == (13, 7)
    assert transfers.in_transit(db, sku_id=sku) == []
    tr = inventory.get_transfer(db, rid)
    assert (tr.status, tr.received_quantity, tr.damaged_quantity) == ("received", 7, 0)
    assert transfers.discrepancy_of(db, [rid]) == {}
    assert inventory.check(db).ok


def test_a_receipt_short_by_one_with_one_damaged_opens_a_discrepancy_resolved_once(db):
    rid, source, dest, sku = _sent(db, 10)
    with pytest.raises(InvalidInput):
        transfers.receive(uow(db), rid, ReceiptIn(received=15, damaged=6), "staff:clerk")  # > twice the 10 sent
    tr = transfers.receive(uow(db), rid, ReceiptIn(received=8, damaged=1, note="box torn"), "staff:clerk")
    assert (tr.status, tr.received_quantity, tr.damaged_quantity) == ("received_with_difference", 8, 1)
    assert _on_hand(db, dest, sku) == 8 and inventory.check(db).ok
    d = transfers.discrepancy_of(db, [rid])[rid]
    assert (d.sent, d.received, d.damaged, d.missing, d.extra, d.status) == (10, 8, 1, 1, 0, "open")
    assert d.kinds == ["short", "damaged"] and d.receipt_note == "box torn" and d.opened_by == "staff:clerk"
    queue = transfers.discrepancies(db, ["open"], dest, PageParams())
    assert [x.id for x in queue.items] == [d.id]

    d = transfers.investigate(uow(db), d.id, InvestigateIn(note="van checked"), "staff:ops")
    assert (d.status, d.investigated_by, d.investigation_note) == ("investigated", "staff:ops", "van checked")
    with pytest.raises(IllegalTransition):
        transfers.investigate(uow(db), d.id, InvestigateIn(note="again"), "staff:ops")
    d = transfers.resolve(uow(db), d.id, ResolveIn(resolution="found", note="under the seat"), "staff:ops")
    assert (d.status, d.resolution, d.found, d.resolved_by) == ("resolved", "found", 1, "staff:ops")
    assert _on_hand(db, dest, sku) == 9  # the missing unit found goes in; the damaged one stays out
    with pytest.raises(IllegalTransition):
        transfers.resolve(uow(db), d.id, ResolveIn(resolution="found"), "staff:ops")
    assert _on_hand(db, dest, sku) == 9 and _on_hand(db, source, sku) == 10
    with db.read() as s:
        ledger = s.execute(select(StockMovement.location_id, StockMovement.kind, StockMovement.quantity)
                           .where(StockMovement.ref == f"TRQ-{rid}").order_by(StockMovement.id)).all()
    assert ledger == [(source, "transfer_out", -10), (dest, "transfer_in", 8), (dest, "transfer_in", 1)]
    assert inventory.check(db).ok and transfers.transit_mismatches(db) == []


def test_an_over_receipt_goes_into_stock_and_a_write_off_moves_nothing(db):
    rid, source, dest, sku = _sent(db, 4)
    transfers.receive(uow(db), rid, ReceiptIn(received=5), "staff:clerk")
    d = transfers.discrepancy_of(db, [rid])[rid]
    assert (d.missing, d.extra, d.kinds) == (0, 1, ["over"])
    assert _on_hand(db, dest, sku) == 5
    transfers.resolve(uow(db), d.id, ResolveIn(resolution="written_off"), "staff:ops")
    assert _on_hand(db, dest, sku) == 5 and inventory.check(db).ok


def test_two_clerks_receiving_the_same_transfer_at_once_apply_one_count(fresh_db):
    rid, _, dest, sku = _sent(fresh_db, 6)
    results = _together(6, lambda i: transfers.receive(uow(fresh_db), rid, ReceiptIn(received=5 + i % 2),
                                                       f"staff:c{i}"))
    assert sorted(results) == ["illegal"] * 5 + ["ok"]
    tr = inventory.get_transfer(fresh_db, rid)
    assert _on_hand(fresh_db, dest, sku) == tr.received_quantity
    with fresh_db.read() as s:
        ins = s.scalar(select(func.count()).select_from(StockMovement).where(
            StockMovement.ref == f"TRQ-{rid}", StockMovement.kind == "transfer_in"))
        opened = s.scalar(select(func.count()).select_from(TransferDiscrepancy))
    assert ins == 1 and opened == (1 if tr.status == "received_with_difference" else 0)
    assert inventory.check(fresh_db).ok and transfers.transit_mismatches(fresh_db) == []


def test_the_transit_check_tells_a_transfer_whose_ledger_does_not_match_its_status(db):
    rid, source, dest, sku = _sent(db, 5)
    with db.write_sessions() as s:  # a receipt that skipped the ledger (as a hand-edited database would)
        s.execute(text("UPDATE transfer_request SET status = 'received', received_quantity = 5 WHERE id = :i"),
                  {"i": rid})
        s.commit()
    assert transfers.transit_mismatches(db) == [{"transfer_request_id": rid, "status": "received", "out": -5,
                                                 "expected_out": -5, "in": 0, "expected_in": 5}]


def _plan(db: Database, stores: int = 3, each: int = 2) -> tuple[int, int, list[int], BatchIn]:
    wh, sku = seed_stock(db, on_hand=50, code="W")
    dests = [new_location(db, f"S{i}") for i in range(stores)]
    body = BatchIn(key="plan-2026-11-24-milk", name="milk to stores", lines=[
        PlanLine(from_location_id=wh, to_location_id=d, sku_id=sku, quantity=each) for d in dests])
    return wh, sku, dests, body


def test_a_batch_created_twice_with_one_key_creates_its_requests_once(db):
    wh, sku, dests, body = _plan(db)
    preview = transfers.preview(db, body.lines)
    assert preview.ok and preview.units == 6 and preview.destinations == 3
    first = transfers.create_batch(uow(db), body, "staff:ops")
    again = transfers.create_batch(uow(db), body, "staff:ops")
    assert first.created and not again.created and again.id == first.id
    page = transfers.search(db, PageParams(), batch_id=first.id)
    assert page.total == 3 and {tr.to_location_id for tr in page.items} == set(dests)

    one = page.items[-1]
    inventory.send_transfer(uow(db), one.id, "staff:ops")
    transfers.receive(uow(db), one.id, ReceiptIn(received=1), "staff:clerk")
    progress = transfers.progress(db, first.id)
    assert (progress.totals.lines, progress.totals.requested, progress.totals.received,
            progress.totals.with_difference, progress.totals.received_units) == (3, 2, 1, 1, 1)
    row = next(r for r in progress.rows if r.to_location_id == one.to_location_id)
    assert (row.received, row.with_difference, row.units) == (1, 1, 2)
    assert [d.transfer_request_id for d in transfers.discrepancies(db, [], None, PageParams(),
                                                                  batch_id=first.id).items] == [one.id]


def test_a_batch_created_at_the_same_moment_by_six_is_created_once(fresh_db):
    _, _, _, body = _plan(fresh_db, stores=4)
    results: list[tuple[int, bool]] = []
    start = threading.Barrier(6)

    def create(_: int) -> None:
        start.wait()
        b = transfers.create_batch(uow(fresh_db), body, "staff:ops")
        results.append((b.id, b.created))

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(create, range(6)))
    assert len({i for i, _ in results}) == 1 and sorted(c for _, c in results) == [False] * 5 + [True]
    with fresh_db.read() as s:
        assert s.scalar(select(func.count()).select_from(TransferBatch)) == 1
        assert s.scalar(select(func.count()).select_from(TransferRequest)) == 4


def test_a_plan_that_asks_more_than_the_source_has_is_told_line_by_line(db):
    wh, sku, dests, _ = _plan(db)
    lines = [PlanLine(from_location_id=wh, to_location_id=d, sku_id=sku, quantity=20) for d in dests]
    lines.append(PlanLine(from_location_id=wh, to_location_id=wh, sku_id=sku, quantity=1))
    lines.append(PlanLine(from_location_id=wh, to_location_id=10**9, sku_id=sku, quantity=1))
    preview = transfers.preview(db, lines)
    assert [x.problem for x in preview.lines] == [None, None, "short", "same-location", "no-to"]
    assert not preview.ok
    with pytest.raises(InvalidInput):
        transfers.create_batch(uow(db), BatchIn(key="bad-plan-0001", name="x", lines=lines[4:]), "staff:ops")
    with pytest.raises(InvalidInput):  # a SKU that does not exist: nothing is created
        transfers.create_batch(uow(db), BatchIn(key="bad-plan-0002", name="x", lines=[
            PlanLine(from_location_id=wh, to_location_id=dests[0], sku_id=10**9, quantity=1)]), "staff:ops")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(TransferBatch)) == 0


def test_the_rebalancing_suggestion_counts_what_is_already_coming(db):
    wh, sku = seed_stock(db, on_hand=5, code="W")
    low, rich = new_location(db, "L"), new_location(db, "R")
    with db.write_sessions() as s:
        s.execute(text("UPDATE location SET kind = 'warehouse' WHERE id = :w"), {"w": wh})
        s.add_all([Stock(location_id=low, sku_id=sku, on_hand=1, reserved=0, safety_stock=10),
                   Stock(location_id=rich, sku_id=sku, on_hand=30, reserved=0, safety_stock=5)])
        s.add_all([StockMovement(location_id=rich, sku_id=sku, kind="receipt", quantity=30, ref="seed",
                                 at=CLOCK.now()), StockMovement(location_id=low, sku_id=sku, kind="receipt",
                                                                quantity=1, ref="seed", at=CLOCK.now())])
        s.commit()
    plan = transfers.suggest_rebalance(db, sku)
    assert [(x.from_location_id, x.to_location_id, x.quantity) for x in plan] == [(wh, low, 5), (rich, low, 4)]
    inventory.request_transfer(uow(db), TransferRequestIn(from_location_id=rich, to_location_id=low, sku_id=sku,
                                                          quantity=9), "staff:clerk")
    assert transfers.suggest_rebalance(db, sku) == []


@pytest.fixture
def db_at_0007(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(blank_database_url(request, db_kind, tmp_path / "at0007.db"))
    upgrade(engine, "heads")
    database = Database(engine)
    yield database
    database.dispose()


def test_the_migration_goes_back_with_a_received_with_difference_transfer_kept_as_received(db_at_0007):
    db = db_at_0007
    rid, _, _, _ = _sent(db, 3)
    transfers.receive(uow(db), rid, ReceiptIn(received=2), "staff:clerk")
    downgrade(db.engine, "0028@-1")
    names = set(inspect(db.engine).get_table_names())
    assert "transfer_discrepancy" not in names and "transfer_batch" not in names
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM transfer_request")).scalar() == "received"
    upgrade(db.engine)
    assert {"transfer_discrepancy", "transfer_batch"} <= set(inspect(db.engine).get_table_names())
