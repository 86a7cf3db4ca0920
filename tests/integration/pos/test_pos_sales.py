"""Till sales racing on both databases: two tills selling the last unit (one wins, the other 409), and a
till never selling the units an online order holds (the same conditional UPDATE reserves for both); a
WeChat Pay tender charged for a sale that is then refused is refunded, the winner's is not; a till closed
while its sale is paid refuses it (409 till-not-open) and refunds the charge."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from o2o.inventory import service as inventory
from o2o.kernel.errors import Problem
from o2o.orders import service as orders
from o2o.orders.models import Order
from o2o.orders.schemas import LineIn, OrderIn
from o2o.pos import service as pos
from o2o.pos import tills
from o2o.pos.models import PosSale
from o2o.pos.schemas import SaleIn
from tests.factories import tills as till_rows
from tests.factories.chain import build_chain, receive
from tests.factories.pos import add_till
from tests.integration.concurrency.test_races import _run


def test_two_tills_racing_for_the_last_unit_not_held_by_an_online_order_sell_it_once(container):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 2)
    policy = orders.OrderPolicy()
    # an online pickup order holds one of the two units (unpaid, reserved)
    online = orders.place(container.uow(), OrderIn(customer_id=chain.customer, lines=[LineIn(sku_id=milk, quantity=1)],
                                                   mode="pickup", location_id=store, channel="h5"), policy)
    tills = [pos.Till(add_till(container, store, code, open_till=True)[0], store, code, f"staff:clerk-{code}", code)
             for code in ("T01", "T02", "T03")]

    def ring(till: pos.Till) -> str:
        sale = SaleIn(till_sale_id=f"{till.code}-1", lines=[{"sku_id": milk, "quantity": 1}],
                      tenders=[{"kind": "wechat", "amount_fen": 1290}])
        try:
            return pos.sell(container.uow(), container.payments, policy, till, sale).order_number
        except Problem as exc:
            assert exc.status == 409, exc
            return "refused"

    charged: list[str] = []
    create = container.payments.create

    def charging(trade: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        charged.append(trade)
        return create(trade, *args, **kwargs)

    container.payments.create = charging
    try:
        results = _run(3, tills, ring)
    finally:
        del container.payments.create
    assert sorted(r == "refused" for r in results) == [False, True, True]
    refunded = [r["out_trade_no"] for r in container.payments.refunds]
    assert len(refunded) == len(set(refunded))
    trades = {f"POS{till.terminal_id}-{till.code}-1-0": result for till, result in zip(tills, results, strict=True)}
    winner = next(t for t, r in trades.items() if r != "refused")
    assert winner in charged and winner not in refunded  # the sale that stands keeps its charge
    assert sorted(refunded) == sorted(t for t in charged if t != winner)  # every refused sale charged comes back
    stock = inventory.stock_of(container.db, store, [milk])[milk]
    assert (stock.on_hand, stock.reserved, stock.available) == (1, 1, 0)  # the online order's unit is still there
    assert orders.get(container.db, online.number).status == "pending_payment"


def test_a_till_closed_while_its_wechat_tender_is_charged_refuses_the_sale_and_refunds_the_charge(container,
                                                                                                   monkeypatch):
    """The session is checked before the charge and again in the sale's transaction: closed in between
    (here: while the adapter charges), the sale is refused 409 till-not-open, the charge refunded, nothing
    written."""
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 2)
    term = add_till(container, store, "T01")[0]
    till = pos.Till(term, store, "T01", "staff:clerk-T01", "T01")
    sale = SaleIn(till_sale_id="T01-1", lines=[{"sku_id": milk, "quantity": 1}],
                  tenders=[{"kind": "wechat", "amount_fen": 1290}])
    with pytest.raises(tills.TillNotOpen):  # never opened: refused before the charge
        pos.sell(container.uow(), container.payments, orders.OrderPolicy(), till, sale)
    assert container.payments.refunds == []
    session_id = till_rows.open_session(container, term)
    create = container.payments.create

    def closing_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        till_rows.close_session(container, session_id)
        return create(*args, **kwargs)

    monkeypatch.setattr(container.payments, "create", closing_meanwhile)
    with pytest.raises(tills.TillNotOpen):
        pos.sell(container.uow(), container.payments, orders.OrderPolicy(), till, sale)
    assert [r["out_trade_no"] for r in container.payments.refunds] == [f"POS{term}-T01-1-0"]
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PosSale)) == 0
        assert s.scalar(select(func.count()).select_from(Order)) == 0
    stock = inventory.stock_of(container.db, store, [milk])[milk]
    assert (stock.on_hand, stock.reserved) == (2, 0)
