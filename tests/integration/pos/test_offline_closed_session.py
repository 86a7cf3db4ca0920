"""An offline sale uploaded after its till session closed (both databases): the session was closed with a
float of 100.00 and 150.00 counted (the offline sale's 50.00 was in the drawer, not yet uploaded: +50.00).
The upload is accepted, warns "session-closed" and attaches the sale to no session, so the closed Z-report
stays exactly as it was closed (before: it showed 50.00 of sales, still expected 100.00, difference +50.00).
A sale uploaded while its session is open counts in it: its cash is expected at the close."""

from __future__ import annotations

from sqlalchemy import select

from o2o.orders import service as orders
from o2o.pos import sync, tills
from o2o.pos.models import PosSale, PosTender
from tests.factories.tills import OPENER, close_session, open_session
from tests.integration.concurrency.test_races import _run
from tests.integration.pos.offline import batch, sale, shop


def _rows(db, number: str) -> tuple[int | None, list[int | None]]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        order_id = orders.id_of(s, number)
        sale_row = s.scalars(select(PosSale).where(PosSale.order_id == order_id)).one()
        return sale_row.session_id, list(s.scalars(select(PosTender.session_id).where(PosTender.order_id == order_id)))


def test_a_sale_uploaded_for_a_closed_session_is_in_no_session_and_the_z_report_stays_as_closed(container):
    c = container
    sh = shop(c, [10])
    now = c.clock.now()
    session_id = open_session(c, sh.till.terminal_id, float_fen=10_000)
    close_session(c, session_id, cash_fen=15_000)
    closed = tills.z_report(c.db, OPENER, session_id)
    assert (closed.sales_count, closed.sales_fen) == (0, 0)
    cash = next(ln for ln in closed.lines if ln.kind == "cash")
    assert (cash.expected_fen, cash.counted_fen, cash.difference_fen) == (10_000, 15_000, 5_000)

    late = {**sale(1, now, [(sh.skus[0], 1, 5_000)]), "session_id": session_id}
    out = sync.ingest(c.uow(), sh.till, batch([late]))
    res = out.results[0]
    assert (res.status, res.warnings) == ("accepted", ["session-closed"])
    assert _rows(c.db, res.order_number or "") == (None, [None])
    assert tills.z_report(c.db, OPENER, session_id) == closed  # the closed Z-report never changes
    again = sync.ingest(c.uow(), sh.till, batch([late]))  # a re-upload: a duplicate, still in no session
    assert again.results[0].status == "duplicate" and tills.z_report(c.db, OPENER, session_id) == closed


def test_a_sale_uploaded_while_its_session_is_open_counts_in_it_at_the_close(container):
    c = container
    sh = shop(c, [10])
    now = c.clock.now()
    session_id = open_session(c, sh.till.terminal_id, float_fen=10_000)
    res = sync.ingest(c.uow(), sh.till, batch([{**sale(1, now, [(sh.skus[0], 1, 5_000)]),
                                                 "session_id": session_id}])).results[0]
    assert (res.status, res.warnings) == ("accepted", [])
    assert _rows(c.db, res.order_number or "") == (session_id, [session_id])
    close_session(c, session_id, cash_fen=15_000)
    z = tills.z_report(c.db, OPENER, session_id)
    cash = next(ln for ln in z.lines if ln.kind == "cash")
    assert (z.sales_count, z.sales_fen) == (1, 5_000)
    assert (cash.expected_fen, cash.counted_fen, cash.difference_fen) == (15_000, 15_000, 0)


def test_a_close_and_an_upload_for_its_session_at_once_agree_on_the_z_report(container):
    """Whichever goes first, the stored expected cash is the float plus the sales attached to the session:
    the upload waits for the close and finds it closed (session-closed), or the close waits for the upload and
    counts it."""
    c = container
    sh = shop(c, [10])
    session_id = open_session(c, sh.till.terminal_id, float_fen=10_000)
    late = {**sale(1, c.clock.now(), [(sh.skus[0], 1, 5_000)]), "session_id": session_id}
    answers: list = []
    _run(2, ["close", "upload"], lambda job: close_session(c, session_id, cash_fen=15_000) if job == "close"
         else answers.append(sync.ingest(c.uow(), sh.till, batch([late])).results[0]))
    res = answers[0]
    attached, _ = _rows(c.db, res.order_number or "")
    z = tills.z_report(c.db, OPENER, session_id)
    cash = next(ln for ln in z.lines if ln.kind == "cash")
    if attached is None:
        assert res.warnings == ["session-closed"] and (z.sales_count, cash.expected_fen) == (0, 10_000)
    else:
        assert res.warnings == [] and (z.sales_count, cash.expected_fen) == (1, 15_000)
    assert cash.difference_fen == 15_000 - cash.expected_fen
