"""Till sales racing on both databases: two tills selling the last unit (one wins, the other 409), and a
till never selling the units an online order holds (the same conditional UPDATE reserves for both); a
WeChat Pay tender charged for a sale that is then refused is refunded, the winner's is not."""

from __future__ import annotations

from o2o.inventory import service as inventory
from o2o.kernel.errors import Problem
from o2o.orders import service as orders
from o2o.orders.schemas import LineIn, OrderIn
from o2o.pos import service as pos
from o2o.pos.schemas import SaleIn
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
    tills = [pos.Till(add_till(container, store, code)[0], store, code, f"staff:clerk-{code}", code)
             for code in ("T01", "T02", "T03")]

    def ring(till: pos.Till) -> str:
        sale = SaleIn(till_sale_id=f"{till.code}-1", lines=[{"sku_id": milk, "quantity": 1}],
                      tenders=[{"kind": "wechat", "amount_fen": 1290}])
        try:
            return pos.sell(container.uow(), container.payments, policy, till, sale).order_number
        except Problem as exc:
            assert exc.status == 409, exc
            return "refused"

    results = _run(3, tills, ring)
    assert sorted(r == "refused" for r in results) == [False, True, True]
    refunded = [r["out_trade_no"] for r in container.payments.refunds]
    assert len(refunded) == len(set(refunded))
    for till, result in zip(tills, results, strict=True):
        trade = f"POS{till.terminal_id}-{till.code}-1-0"
        assert result == "refused" or trade not in refunded  # only a refused sale's charge comes back
    stock = inventory.stock_of(container.db, store, [milk])[milk]
    assert (stock.on_hand, stock.reserved, stock.available) == (1, 1, 0)  # the online order's unit is still there
    assert orders.get(container.db, online.number).status == "pending_payment"
