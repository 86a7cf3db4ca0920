"""Returns on both databases: a return at another store restocks THAT store and refunds the original tender;
the refund never exceeds what the line paid after discounts, over partial returns; two clerks returning the
same line at once -> exactly one succeeds; a till sale's tenders refunded (card at the provider, cash out of the
receiving store's open till); store credit; points earned for the returned part taken back."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from o2o import bootstrap
from o2o.inventory import service as inventory
from o2o.inventory.models import StockMovement
from o2o.loyalty import service as loyalty
from o2o.orders import service as orders
from o2o.pos import service as pos
from o2o.pos.models import TillCashMove, TillSession
from o2o.promotions.models import Coupon
from o2o.returns import service as returns
from o2o.returns.schemas import InspectLineIn, ReturnIn
from o2o.returns.service import ReturnTooLarge
from tests.factories.chain import build_chain, receive
from tests.factories.returns import completed_online, till_sale
from tests.factories.tills import terminal
from tests.integration.orders.promo_rows import coupon, promotion, template

CLERK_A, CLERK_B = "staff:1", "staff:2"


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    chain = build_chain(container)
    for store in ("xujiahui", "jingan"):
        for sku in ("milk", "yogurt"):
            receive(container, chain.stores[store], chain.skus[sku], 20)
    return chain


def _on_hand(container, location_id: int, sku_id: int) -> int:  # type: ignore[no-untyped-def]
    return inventory.stock_of(container.db, location_id, [sku_id])[sku_id].on_hand


def _line(container, number: str, sku_id: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(order line id, quantity, paid after discounts) of the order's line of `sku_id`."""
    for line in returns.returnable(container.db, number):
        if line.sku_id == sku_id:
            return line.order_line_id, line.bought, line.paid_fen
    raise AssertionError(sku_id)


def _ask(container, number: str, lines: dict[int, int], customer_id: int | None = None,  # type: ignore[no-untyped-def]
         **kw):
    body = ReturnIn(order_number=number, reason_code="quality", reason="leaks",
                    lines=[{"order_line_id": k, "quantity": q} for k, q in lines.items()], **kw)
    return returns.request(container.uow(), body, f"customer:{customer_id}" if customer_id else CLERK_A,
                           customer_id=customer_id)


def _take(container, r, store: int, damaged: int = 0):  # type: ignore[no-untyped-def]
    inspected = [InspectLineIn(line_id=ln.id, resellable=ln.quantity - min(damaged, ln.quantity),
                               damaged=min(damaged, ln.quantity)) for ln in r.lines]
    return returns.receive(container.uow(), r.id, store, inspected, CLERK_B)


def test_a_return_at_another_store_restocks_that_store_and_refunds_the_payment(container, chain):
    promotion(container)  # 满30减5: the lines carry a discount
    xjh, ja, milk, yogurt = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"], chain.skus["yogurt"]
    number = completed_online(container, chain.customer, xjh, {milk: 2, yogurt: 1})
    earned = loyalty.balance_of(container.db, chain.customer)
    assert earned > 0
    line_id, bought, paid = _line(container, number, milk)
    assert paid < bought * 1290  # discounted
    before_xjh, before_ja = _on_hand(container, xjh, milk), _on_hand(container, ja, milk)

    r = _ask(container, number, {line_id: 1}, customer_id=chain.customer, location_id=ja)
    assert (r.status, r.number.startswith("RT"), r.lines[0].quantity) == ("requested", True, 1)
    r = _take(container, r, ja)
    assert (r.status, r.location_id) == ("received", ja)
    assert _on_hand(container, ja, milk) == before_ja + 1  # the receiving store, not the seller
    assert _on_hand(container, xjh, milk) == before_xjh
    r = returns.refund(container.uow(), r.id, CLERK_B, location_id=ja)
    assert r.status == "refunded"
    assert r.refund_fen == r.lines[0].refund_fen == paid - paid // 2  # the first unit's share, after discounts
    assert [(x.kind, x.amount_fen) for x in r.refunds] == [("payment", r.refund_fen)]
    bootstrap.relay(container).drain()
    assert [(x["out_trade_no"], x["amount_fen"]) for x in container.payments.refunds] == \
        [(r.refunds[0].reference, r.refund_fen)]
    assert loyalty.balance_of(container.db, chain.customer) < earned  # points of the returned part taken back
    assert inventory.check(container.db).ok


def test_the_refund_never_exceeds_what_the_line_paid_over_partial_returns(container, chain):
    promotion(container)
    xjh, ja, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    number = completed_online(container, chain.customer, xjh, {milk: 3})
    line_id, bought, paid = _line(container, number, milk)
    first = _ask(container, number, {line_id: 1})
    second = _ask(container, number, {line_id: 2})
    with pytest.raises(ReturnTooLarge):  # all three units are in returns already
        _ask(container, number, {line_id: 1})
    _take(container, second, ja, damaged=1)  # 1 resellable, 1 damaged: booked in and written off
    _take(container, first, xjh)
    refunded = [returns.refund(container.uow(), r.id, CLERK_B).refund_fen for r in (second, first)]
    assert sum(refunded) == paid  # exactly what the line paid after its discount, in whole fen
    moves = container.db.read_sessions().scalars(select(StockMovement).where(
        StockMovement.ref == second.number).order_by(StockMovement.id)).all()
    assert [(m.kind, m.quantity, m.location_id) for m in moves] == [("return", 2, ja), ("adjustment", -1, ja)]
    assert inventory.check(container.db).ok


def test_units_not_received_or_refused_can_be_returned_again(container, chain):
    xjh, milk = chain.stores["xujiahui"], chain.skus["milk"]
    number = completed_online(container, chain.customer, xjh, {milk: 2})
    line_id, *_ = _line(container, number, milk)
    r = _ask(container, number, {line_id: 2})
    returns.receive(container.uow(), r.id, xjh, [InspectLineIn(line_id=r.lines[0].id, resellable=1)], CLERK_A)
    other = _ask(container, number, {line_id: 1})  # the unit that did not come is returnable again
    returns.refuse(container.uow(), other.id, "staff:hq", "no proof of purchase")
    assert _ask(container, number, {line_id: 1}).status == "requested"


def test_two_clerks_returning_the_same_line_at_once_one_succeeds(container, chain):
    xjh, milk = chain.stores["xujiahui"], chain.skus["milk"]
    for _ in range(3):
        number = completed_online(container, chain.customer, xjh, {milk: 2})
        line_id, *_ = _line(container, number, milk)
        start = threading.Barrier(2)

        def clerk(actor: str, start: threading.Barrier = start, number: str = number, line_id: int = line_id) -> str:
            start.wait()
            try:
                returns.request(container.uow(), ReturnIn(order_number=number, reason_code="quality",
                                                          lines=[{"order_line_id": line_id, "quantity": 2}]), actor)
                return "ok"
            except ReturnTooLarge:
                return "refused"

        with ThreadPoolExecutor(2) as pool:
            results = sorted(f.result() for f in [pool.submit(clerk, CLERK_A), pool.submit(clerk, CLERK_B)])
        assert results == ["ok", "refused"]
        assert [ln.taken for ln in returns.returnable(container.db, number)] == [2]


def _open_till(container, location_id: int) -> int:  # type: ignore[no-untyped-def]
    terminal_id = terminal(container, location_id, code="T09")
    with container.uow() as uow:
        row = TillSession(terminal_id=terminal_id, location_id=location_id, opened_by="staff:2",
                          opened_at=uow.clock.now(), float_fen=10_000, status="open", open_terminal_id=terminal_id)
        uow.session.add(row)
        uow.session.flush()
        uow.commit()
        return row.id


def test_a_till_sale_is_refunded_to_its_tenders(container, chain):
    ja, milk, yogurt = chain.stores["jingan"], chain.skus["milk"], chain.skus["yogurt"]
    # milk 2 x 12.90 less 2.00, yogurt 1 x 8.90: 32.70 paid by card 20.00 and cash 12.70
    number = till_sale(container, ja, [(milk, 2, 1290, 200), (yogurt, 1, 890, 0)],
                       [("card", 2000, "SBXCARD1"), ("cash", 1270, None)])
    lines = {ln.sku_id: ln.order_line_id for ln in returns.returnable(container.db, number)}
    till = _open_till(container, chain.stores["xujiahui"])
    r = _ask(container, number, {lines[milk]: 2, lines[yogurt]: 1})
    r = _take(container, r, chain.stores["xujiahui"])  # brought back to another store
    r = returns.refund(container.uow(), r.id, CLERK_B)
    assert r.refund_fen == 3270
    assert sorted((x.kind, x.amount_fen) for x in r.refunds) == [("card", 2000), ("cash", 1270)]
    with container.db.read() as s:  # the cash came out of the receiving store's open till
        moves = s.scalars(select(TillCashMove).where(TillCashMove.session_id == till)).all()
        assert [(m.kind, m.amount_fen, m.reason) for m in moves] == [("refund", 1270, f"return {r.number}")]
    bootstrap.relay(container).drain()
    assert [(x["out_trade_no"], x["amount_fen"]) for x in container.payments.refunds] == [("SBXCARD1", 2000)]
    with container.db.read() as s:
        order_id = orders.for_return(s, number)[0].id
        assert sorted((t.kind, t.refunded_fen) for t in pos.tenders_of(s, order_id)) == [("card", 2000),
                                                                                       ("cash", 1270)]


def test_store_credit_instead_of_money(container, chain):
    xjh, milk = chain.stores["xujiahui"], chain.skus["milk"]
    number = completed_online(container, chain.customer, xjh, {milk: 1})
    line_id, _, paid = _line(container, number, milk)
    r = _ask(container, number, {line_id: 1}, customer_id=chain.customer, refund_to="store_credit")
    _take(container, r, xjh)
    r = returns.refund(container.uow(), r.id, CLERK_A, location_id=xjh)
    assert [(x.kind, x.amount_fen) for x in r.refunds] == [("store_credit", paid)]
    assert returns.store_credit(container.db, chain.customer) == paid
    bootstrap.relay(container).drain()
    assert container.payments.refunds == []


@pytest.mark.parametrize("policy", ["restore", "forfeit"])
def test_a_whole_return_gives_the_coupon_back_per_its_template_and_a_partial_one_keeps_it(container, chain,
                                                                                          policy):
    xjh, milk = chain.stores["xujiahui"], chain.skus["milk"]
    tid = template(container, on_cancel=policy)
    cid = coupon(container, tid, chain.customer)
    number = completed_online(container, chain.customer, xjh, {milk: 2}, coupon_ids=[cid])
    line_id, _, paid = _line(container, number, milk)
    assert paid == 2 * 1290 - 300  # the coupon's 3.00 off 20.00 is on the line
    first = _ask(container, number, {line_id: 1})
    _take(container, first, xjh)
    returns.refund(container.uow(), first.id, CLERK_A)
    bootstrap.relay(container).drain()
    with container.db.read() as s:
        assert s.get(Coupon, cid).status == "used"  # a partial return keeps the coupon used
    second = _ask(container, number, {line_id: 1})
    _take(container, second, xjh)
    returns.refund(container.uow(), second.id, CLERK_A)
    bootstrap.relay(container).drain()
    bootstrap.relay(container).drain()  # a second delivery round changes nothing
    with container.db.read() as s:
        assert s.get(Coupon, cid).status == ("issued" if policy == "restore" else "void")
    assert sum(r["amount_fen"] for r in container.payments.refunds) == paid
