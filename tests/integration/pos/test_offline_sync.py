"""Offline tills (issue 11): batches of queued sales, on SQLite and PostgreSQL, with real commits."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, func, select, text

from o2o.inventory import service as inventory
from o2o.inventory.models import Stock, StockMovement
from o2o.inventory.schemas import CountIn
from o2o.kernel.outbox import Relay
from o2o.loyalty import handlers as loyalty_handlers
from o2o.loyalty.models import PointsEntry
from o2o.orders.models import Order, OrderHistory, OrderLine
from o2o.pos import sync
from o2o.pos.models import PosSale, PosTender
from tests.integration.pos.offline import batch, many, sale, shop, terminal


def _scalar(db, stmt):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.scalar(stmt)


def _on_hand(db, loc: int, sku: int) -> Stock:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.get(Stock, (loc, sku))


_FAIL = {
    "sqlite": ["CREATE TRIGGER cut_off BEFORE INSERT ON pos_sale WHEN NEW.till_sale_id = 'S0300' "
               "BEGIN SELECT RAISE(ABORT, 'connection lost'); END"],
    "postgresql": ["CREATE FUNCTION cut_off() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "IF NEW.till_sale_id = 'S0300' THEN RAISE EXCEPTION 'connection lost'; END IF; RETURN NEW; END $$",
                   "CREATE TRIGGER cut_off BEFORE INSERT ON pos_sale FOR EACH ROW EXECUTE FUNCTION cut_off()"],
}


def test_a_batch_of_500_uploaded_three_times_one_interrupted_is_applied_once(container, db_kind):
    """The first upload dies halfway: the database refuses sale S0300 (a trigger raising inside the write
    of the chunk holding it, so that chunk's transaction is aborted for real after the earlier chunks
    committed). The re-upload applies the rest, the third changes nothing: 500 orders, stock and points
    once."""
    db = container.db
    sh = shop(container, [400, 400, 400, 400, 100], members=20)
    sales = many(sh, 500, container.clock.now() - timedelta(days=1))
    with db.engine.begin() as conn:
        for ddl in _FAIL[db_kind]:
            conn.execute(text(ddl))
    with pytest.raises(Exception, match="connection lost"):
        sync.ingest(container.uow(), sh.till, batch(sales), chunk=100)
    assert _scalar(db, select(func.count()).select_from(PosSale)) == 300  # three chunks in, the 4th undone
    assert _scalar(db, select(func.count()).select_from(Order)) == 300
    with db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER cut_off" + (" ON pos_sale" if db_kind == "postgresql" else "")))

    second = sync.ingest(container.uow(), sh.till, batch(sales), chunk=100)
    assert (second.accepted, second.duplicates, second.refused) == (200, 300, 0)
    third = sync.ingest(container.uow(), sh.till, batch(sales))
    assert (third.accepted, third.duplicates, third.refused) == (0, 500, 0)
    assert [r.order_number for r in third.results] == [
        r.order_number for r in second.results]  # a duplicate names the order it made

    assert _scalar(db, select(func.count()).select_from(Order)) == 500
    assert _scalar(db, select(func.count(func.distinct(PosSale.till_sale_id)))) == 500
    assert _scalar(db, select(func.sum(Order.total_fen))) == sum(s["total_fen"] for s in sales)
    assert _scalar(db, select(func.sum(PosTender.amount_fen))) == sum(s["total_fen"] for s in sales)
    assert _scalar(db, select(func.count()).select_from(OrderHistory)) == 500
    sold: dict[int, int] = {}
    for s in sales:
        for ln in s["lines"]:
            sold[ln["sku_id"]] = sold.get(ln["sku_id"], 0) + ln["quantity"]
    for sku, start in zip(sh.skus, [400, 400, 400, 400, 100], strict=True):
        row = _on_hand(db, sh.location_id, sku)
        assert row.on_hand == max(0, start - sold[sku])
        assert row.oversold == max(0, sold[sku] - start)
        assert _scalar(db, select(func.sum(StockMovement.quantity)).where(
            StockMovement.location_id == sh.location_id, StockMovement.sku_id == sku)) == row.on_hand
    assert inventory.check(db).ok
    assert _scalar(db, select(func.sum(OrderLine.quantity))) == sum(sold.values())

    # the relay with loyalty's real handler alone: 1,000 events through every reaction (catalog's counts ...)
    # take a minute here; order.paid has no handler of loyalty's, so those are marked done at once
    relay = Relay(container.db, {"order.completed": [("loyalty.earn", loyalty_handlers.earn)]}, container.clock,
                  batch=1000)
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM outbox_event WHERE topic IN ('order.paid', 'order.completed')"
                                 " GROUP BY topic")).scalars().all() == [500, 500]  # once per order, each
        conn.execute(text("UPDATE outbox_event SET published_at = available_at WHERE topic = 'order.paid'"))
    relay.drain()
    member_sales = [s for s in sales if "customer_id" in s]
    with db.read() as s:
        earns = s.execute(select(PointsEntry.order_id, func.count()).where(PointsEntry.kind == "earn")
                          .group_by(PointsEntry.order_id)).all()
    assert len(earns) == len(member_sales) and all(n == 1 for _, n in earns)
    with db.engine.begin() as conn:  # 30 completions delivered again (as after a relay crash): nothing more
        again = conn.execute(text("SELECT id FROM outbox_event WHERE topic = 'order.completed' ORDER BY id LIMIT 30"
                                  )).scalars().all()
        conn.execute(text("UPDATE outbox_event SET published_at = NULL WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)), {"ids": again})
        conn.execute(text("DELETE FROM processed_event WHERE event_id IN :ids").bindparams(
            bindparam("ids", expanding=True)), {"ids": again})
    assert relay.drain() == 30
    assert _scalar(db, select(func.count()).select_from(PointsEntry).where(PointsEntry.kind == "earn")) == len(
        member_sales)


def test_each_refused_sale_says_why_and_the_others_go_in(container):
    now = container.clock.now()
    sh = shop(container, [10, 10])
    a, b = sh.skus
    good = sale(1, now, [(a, 1, 500)])
    bad = [
        sale(2, now, [(999_999, 1, 500)]),  # no such SKU
        {**sale(3, now, [(a, 1, 500)]), "total_fen": 400},  # lines 500, total 400
        sale(4, now, [(a, 1, 500)], tenders=[{"kind": "cash", "amount_fen": 300}]),  # tenders pay 300
        sale(5, now + timedelta(hours=1), [(a, 1, 500)]),  # sold in the future
        sale(6, now, [(a, 50_000, 1)]),  # more units than a till sells on a line
        sale(7, now, [(b, 1, 500)], tenders=[{"kind": "store_credit", "amount_fen": 500}]),
        sale(8, now, [(b, 1, 500)], tenders=[{"kind": "card", "amount_fen": 500, "change_fen": 100}]),
        {**sale(9, now, [(b, 1, 500)]), "session_id": 123456},  # not a session of this till
        sale(10, now, [(b, 1, 10**9)]),  # a bill of 10 million yuan
    ]
    member_gone = sale(11, now, [(b, 1, 500)], customer_id=987654)
    out = sync.ingest(container.uow(), sh.till, batch([good, *bad, member_gone, good]))
    codes = {r.till_sale_id: [x.code for x in r.reasons] for r in out.results if r.status == "refused"}
    assert codes == {"S0002": ["unknown-sku"], "S0003": ["totals-mismatch", "tenders-mismatch"],
                     "S0004": ["tenders-mismatch"], "S0005": ["sold-in-future"], "S0006": ["too-large"],
                     "S0007": ["store-credit-offline"], "S0008": ["change-not-cash"], "S0009": ["not-this-till"],
                     "S0010": ["too-large"]}
    assert [r.status for r in out.results] == ["accepted"] + ["refused"] * 9 + ["accepted", "duplicate"]
    kept = out.results[10]
    assert kept.warnings == ["member-unknown"]
    with container.db.read() as s:
        assert s.scalar(select(Order.customer_id).where(Order.number == kept.order_number)) is None
    assert (out.accepted, out.refused, out.duplicates) == (2, 9, 1)
    assert out.results[11].order_number == out.results[0].order_number  # the twin names the first's order
    assert _on_hand(container.db, sh.location_id, a).on_hand == 9
    assert _on_hand(container.db, sh.location_id, b).on_hand == 9


def test_sales_are_applied_in_sale_time_order(container):
    """Sent newest first; applied oldest first: order numbers rise with the sale time, and the sale that
    took the last unit is the earlier one (the later one is the one sold beyond the count)."""
    now = container.clock.now()
    sh = shop(container, [1])
    sku = sh.skus[0]
    sales = [sale(n, now - timedelta(minutes=n), [(sku, 1, 100)]) for n in range(1, 6)]  # S0001 newest
    out = sync.ingest(container.uow(), sh.till, batch(sales))
    numbers = {r.till_sale_id: r.order_number for r in out.results}
    by_time = [numbers[f"S{n:04d}"] for n in range(5, 0, -1)]
    assert by_time == sorted(by_time)
    assert {r.till_sale_id: r.oversold for r in out.results} == {
        "S0005": {}, "S0004": {sku: 1}, "S0003": {sku: 1}, "S0002": {sku: 1}, "S0001": {sku: 1}}
    with container.db.read() as s:
        placed = dict(s.execute(select(Order.number, Order.created_at)).all())
    assert [placed[n] for n in by_time] == sorted(placed[n] for n in by_time)


def test_stock_sold_beyond_the_count_is_kept_and_flagged_until_counted(container):
    db = container.db
    now = container.clock.now()
    sh = shop(container, [3, 5])
    short, fine = sh.skus
    out = sync.ingest(container.uow(), sh.till,
                      batch([sale(1, now, [(short, 2, 100), (fine, 1, 100)]), sale(2, now, [(short, 4, 100)])]))
    assert out.accepted == 2 and out.results[1].oversold == {short: 3}
    row = _on_hand(db, sh.location_id, short)
    assert (row.on_hand, row.oversold, row.flagged_at) == (0, 3, now)
    report = inventory.check(db)
    assert report.ok, report  # the ledger still sums to on hand; nothing negative
    flagged = sync.flagged_lines(db, sh.location_id)
    assert [(f.sku_id, f.oversold) for f in flagged] == [(short, 3)]
    with db.read() as s:
        kinds = s.execute(select(StockMovement.kind, StockMovement.quantity, StockMovement.reason)
                          .where(StockMovement.sku_id == short, StockMovement.location_id == sh.location_id)
                          .order_by(StockMovement.id)).all()
    assert [tuple(k) for k in kinds] == [("receipt", 3, "seed"), ("pos_sale", -2, "offline"),
                                         ("pos_sale", -4, "offline"), ("adjustment", 3, "offline-oversold")]
    inventory.record_count(container.uow(), CountIn(location_id=sh.location_id, sku_id=short, counted=1))
    assert sync.flagged_lines(db, sh.location_id) == []
    assert _on_hand(db, sh.location_id, short).oversold == 0


def test_a_sku_never_stocked_at_the_store_is_sold_and_flagged(container):
    sh = shop(container, [0])
    out = sync.ingest(container.uow(), sh.till,
                      batch([sale(1, container.clock.now(), [(sh.skus[0], 2, 100)])]))
    assert out.accepted == 1 and out.results[0].oversold == {sh.skus[0]: 2}
    assert inventory.check(container.db).ok


def test_two_uploads_of_the_same_batch_at_once_apply_each_sale_once(container):
    db = container.db
    sh = shop(container, [100, 100], members=3)
    sales = many(sh, 60, container.clock.now() - timedelta(hours=2))
    outs, errors = [], []
    start = threading.Barrier(2)

    def upload() -> None:
        try:
            start.wait()
            outs.append(sync.ingest(container.uow(), sh.till, batch(sales), chunk=20))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(o.accepted for o in outs) == [0, 60] or sum(o.accepted for o in outs) == 60
    assert sum(o.accepted for o in outs) == 60 and sum(o.duplicates for o in outs) == 60
    assert _scalar(db, select(func.count()).select_from(Order)) == 60
    assert inventory.check(db).ok


def test_two_tills_of_a_store_uploading_at_once_share_its_stock_rows_without_losing_a_unit(container):
    """Hot rows: both tills sell the same SKUs (locked in SKU order by each chunk); every unit sold is
    either off the shelf or flagged beyond the count, and the ledger agrees."""
    db = container.db
    sh = shop(container, [30, 30, 30])
    other = terminal(db, sh.location_id)
    start = container.clock.now() - timedelta(hours=3)
    mine = [sale(n, start + timedelta(minutes=n), [(sh.skus[n % 3], 1, 100), (sh.skus[(n + 1) % 3], 1, 100)])
            for n in range(40)]
    theirs = [sale(n, start + timedelta(minutes=n), [(sh.skus[(n + 2) % 3], 1, 100), (sh.skus[n % 3], 1, 100)],
                   prefix="R") for n in range(40)]
    outs, errors = [], []
    gate = threading.Barrier(2)

    def upload(till, sales) -> None:  # type: ignore[no-untyped-def]
        try:
            gate.wait()
            outs.append(sync.ingest(container.uow(), till, batch(sales), chunk=10))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=a) for a in ((sh.till, mine), (other, theirs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sum(o.accepted for o in outs) == 80
    rows = [_on_hand(db, sh.location_id, k) for k in sh.skus]
    assert sum(r.on_hand for r in rows) == 0 and sum(r.oversold for r in rows) == 160 - 90
    assert inventory.check(db).ok
