"""Till sessions on both databases: open with a float, cash moves, close with the counts (expected from the
session's tenders and moves, differences stored), one open session per till under concurrency, closing
twice closes once, and the differences report."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from o2o.iam.permissions import ROLES
from o2o.kernel.auth import Principal
from o2o.kernel.errors import Conflict, NotFound
from o2o.kernel.uow import UnitOfWork
from o2o.orders import service as orders
from o2o.pos import service as pos
from o2o.pos import tills
from o2o.pos.models import TillSession
from o2o.pos.schemas import SaleIn
from o2o.pos.till_schemas import CashMoveIn, CloseIn, OpenIn
from tests.factories import tills as f
from tests.factories.chain import JINGAN, XUJIAHUI, build_chain, receive, store
from tests.factories.pos import add_till
from tests.integration.concurrency.test_races import _run


def clerk(loc: int, name: str = "ann", role: str = "clerk") -> Principal:
    return Principal("staff", hash(name) % 10_000, name, role=role, store_id=loc, actions=ROLES[role])


@pytest.fixture
def shop(container):  # type: ignore[no-untyped-def]
    loc = store(container, "XJH", XUJIAHUI)
    return loc, f.terminal(container, loc)


def test_close_stores_expected_counted_and_difference_when_sales_moves_and_refunds(container, shop):
    loc, term = shop
    ann = clerk(loc)
    s = tills.open_till(container.uow(), ann, term, OpenIn(float_fen=50_000))
    # a cash sale of 72.50 paid with 100 (27.50 back), a card sale, a WeChat sale, cash and card on one bill
    f.sale(container, term, loc, s.id, [("cash", 7_250, 2_750)])
    f.sale(container, term, loc, s.id, [("card", 12_800, 0)])
    f.sale(container, term, loc, s.id, [("wechat", 3_300, 0)])
    f.sale(container, term, loc, s.id, [("cash", 1_000, 0), ("card", 2_000, 0)])
    f.sale(container, term, loc, None, [("cash", 9_999, 0)])  # rung up offline: in no session's drawer
    tills.cash_move(container.uow(), ann, s.id, CashMoveIn(kind="in", amount_fen=10_000, reason="float top-up"))
    tills.cash_move(container.uow(), ann, s.id, CashMoveIn(kind="out", amount_fen=20_000, reason="bank drop"))
    with container.uow() as uow:
        tills.record_refund(uow.session, s.id, 1_500, "return SO1", ann.actor, uow.clock.now())
        uow.commit()
    z = tills.close(container.uow(), ann, s.id, CloseIn(counted={"cash": 46_750 - 1_000, "card": 14_800,
                                                                  "wechat": 3_300}))
    lines = {ln.kind: ln for ln in z.lines}
    # 500 float + 72.50 + 10.00 cash sales + 100 in - 200 out - 15 refund = 467.50
    assert lines["cash"].expected_fen == 50_000 + 7_250 + 1_000 + 10_000 - 20_000 - 1_500 == 46_750
    assert lines["cash"].difference_fen == -1_000
    assert (lines["card"].expected_fen, lines["card"].difference_fen) == (14_800, 0)
    assert (lines["wechat"].expected_fen, lines["alipay"].expected_fen, lines["alipay"].counted_fen) == (3_300, 0, 0)
    assert (z.sales_count, z.sales_fen, z.cash_refund_fen, z.refunds_count) == (4, 26_350, 1_500, 1)
    assert {t.kind: (t.count, t.amount_fen, t.change_fen) for t in z.tenders}["cash"] == (2, 8_250, 2_750)
    with container.db.read() as rs:
        row = rs.get(TillSession, s.id)
        assert (row.status, row.open_terminal_id, row.closed_by) == ("closed", None, ann.actor)
        assert row.expected["cash"] == 46_750 and row.counted == {"cash": 45_750, "card": 14_800, "wechat": 3_300,
                                                                 "alipay": 0}
    # the report of that day: per tender, per clerk, per store, and the daily cash difference
    today = container.clock.now().date()
    r = tills.report(container.db, clerk(loc, "boss", "store_manager"), today, today)
    assert {d.key: d.difference_fen for d in r.by_tender} == {"cash": -1_000, "card": 0, "wechat": 0, "alipay": 0}
    assert [(d.key, d.difference_fen) for d in r.by_clerk] == [(ann.actor, -1_000)]
    assert [(d.day, d.location_id, d.cash_difference_fen) for d in r.daily] == [(today, loc, -1_000)]


def test_a_till_opens_again_after_close_and_a_closed_session_takes_no_move(container, shop):
    loc, term = shop
    ann = clerk(loc)
    first = tills.open_till(container.uow(), ann, term, OpenIn(float_fen=0))
    with pytest.raises(tills.TillOpen):
        tills.open_till(container.uow(), clerk(loc, "bob"), term, OpenIn(float_fen=100))
    tills.close(container.uow(), ann, first.id, CloseIn(counted={"cash": 0}))
    with pytest.raises(tills.TillClosed):
        tills.close(container.uow(), ann, first.id, CloseIn(counted={"cash": 0}))
    with pytest.raises(tills.TillClosed):
        tills.cash_move(container.uow(), ann, first.id, CashMoveIn(kind="in", amount_fen=1, reason="late"))
    second = tills.open_till(container.uow(), clerk(loc, "bob"), term, OpenIn(float_fen=100))
    assert second.id != first.id and [t.session.id for t in tills.terminals(container.db, ann, loc)] == [second.id]


def test_cash_out_beyond_the_drawer_and_closing_another_clerks_session_are_refused(container, shop):
    loc, term = shop
    ann = clerk(loc)
    s = tills.open_till(container.uow(), ann, term, OpenIn(float_fen=10_000))
    with pytest.raises(tills.NotEnoughCash):
        tills.cash_move(container.uow(), ann, s.id, CashMoveIn(kind="out", amount_fen=10_001, reason="too much"))
    with pytest.raises(tills.NotYourTill):
        tills.close(container.uow(), clerk(loc, "bob"), s.id, CloseIn(counted={"cash": 10_000}))
    z = tills.close(container.uow(), clerk(loc, "boss", "store_manager"), s.id, CloseIn(counted={"cash": 10_000}))
    assert z.session.closed_by == "staff:boss" and z.lines[0].difference_fen == 0
    other = store(container, "JA", JINGAN)
    with pytest.raises(NotFound):
        tills.z_report(container.db, clerk(other, "eve"), s.id)


def test_two_clerks_opening_the_same_till_at_once_get_one_session(container, shop):
    loc, term = shop

    def attempt(i: int) -> str:
        try:
            tills.open_till(UnitOfWork(container.db, container.clock), clerk(loc, f"c{i}"), term,
                            OpenIn(float_fen=100 * i))
            return "opened"
        except tills.TillOpen:
            return "refused"

    assert Counter(_run(8, list(range(8)), attempt)) == {"opened": 1, "refused": 7}
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(TillSession).where(TillSession.terminal_id == term)) == 1


def test_closing_twice_at_once_closes_once(container, shop):
    loc, term = shop
    boss = clerk(loc, "boss", "store_manager")
    s = tills.open_till(container.uow(), boss, term, OpenIn(float_fen=5_000))
    tills.cash_move(container.uow(), boss, s.id, CashMoveIn(kind="out", amount_fen=1_000, reason="petty: tape"))

    def attempt(i: int) -> str:
        try:
            tills.close(UnitOfWork(container.db, container.clock), boss, s.id,
                        CloseIn(counted={"cash": 4_000 + i}))
            return "closed"
        except Conflict:
            return "refused"

    assert Counter(_run(6, list(range(6)), attempt)) == {"closed": 1, "refused": 5}
    z = tills.z_report(container.db, boss, s.id)
    assert z.lines[0].expected_fen == 4_000 and 0 <= z.lines[0].difference_fen < 6


def test_an_online_sale_needs_an_open_session_and_the_report_keeps_to_the_store(container, shop):
    loc, term = shop
    with container.uow() as uow, pytest.raises(tills.TillNotOpen):
        tills.require_open_session(uow.session, term)
    s = tills.open_till(container.uow(), clerk(loc), term, OpenIn(float_fen=0))
    with container.uow() as uow:
        assert tills.require_open_session(uow.session, term) == s.id
    tills.close(container.uow(), clerk(loc), s.id, CloseIn(counted={"cash": 500}))
    other = store(container, "JA", JINGAN)
    today = container.clock.now().date()
    assert tills.report(container.db, clerk(other, "x", "store_manager"), today, today).sessions == 0
    with pytest.raises(NotFound):
        tills.report(container.db, clerk(other, "x", "store_manager"), today, today, location_id=loc)
    hq = Principal("staff", 1, "hq", role="operator", actions=ROLES["operator"])
    assert tills.report(container.db, hq, today - timedelta(days=1), today).by_store[0].difference_fen == 500
    assert tills.report(container.db, hq, today + timedelta(days=1), today + timedelta(days=2)).sessions == 0
    assert isinstance(today, date)


def test_sales_rung_up_at_the_till_count_in_the_open_session_net_of_the_change(container):
    """Through the POS sale service itself (pos.sell): cash given 20.00 for 12.90 keeps 12.90 in the drawer."""
    chain = build_chain(container)
    loc, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, loc, milk, 5)
    term = add_till(container, loc, "T09")[0]
    ann = clerk(loc)
    till = pos.Till(term, loc, "T09", ann.actor, "ann")
    s = tills.open_till(container.uow(), ann, term, OpenIn(float_fen=20_000))
    for i, tenders in enumerate(([{"kind": "cash", "amount_fen": 1290, "given_fen": 2000}],
                                 [{"kind": "card", "amount_fen": 1290, "reference": "card-1"}])):
        pos.sell(container.uow(), container.payments, orders.OrderPolicy(), till,
                 SaleIn(till_sale_id=f"S{i}", lines=[{"sku_id": milk, "quantity": 1}], tenders=tenders))
    z = tills.close(container.uow(), ann, s.id, CloseIn(counted={"cash": 21_290, "card": 1_290}))
    assert (z.sales_count, z.sales_fen) == (2, 2_580)
    assert {t.kind: (t.count, t.amount_fen, t.change_fen) for t in z.tenders} == {"cash": (1, 1290, 710),
                                                                                  "card": (1, 1290, 0)}
    assert [(ln.kind, ln.expected_fen, ln.difference_fen) for ln in z.lines[:2]] == [("cash", 21_290, 0),
                                                                                     ("card", 1_290, 0)]
