"""Points may pay part of a delivery fee (the redemption cap is a share of the whole bill, fee included): an
8.90 yogurt sent by parcel (10.00 fee) takes 9.00 of points, more than the goods. Returning the yogurt
refunds no money (the goods were paid by points; the fee is not refunded on a return) and gives the points
back, on both databases. Before, the refund came to -0.10 and the return could not be refunded at all
(the refund_fen >= 0 CHECK refused it: a 500)."""

from __future__ import annotations

from o2o import bootstrap
from o2o.fulfillment import service as fulfillment
from o2o.loyalty import service as loyalty
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from o2o.returns import service as returns
from o2o.returns.schemas import InspectLineIn, ReturnIn
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive
from tests.factories.relay import settle


def test_points_that_paid_beyond_the_goods_refund_no_money_and_come_back_as_points(container):
    c = container
    chain = build_chain(c)
    yogurt, store = chain.skus["yogurt"], chain.stores["xujiahui"]
    for where in (chain.warehouse, store):
        receive(c, where, yogurt, 5)
    loyalty.adjust(c.uow(), chain.customer, 2000, "welcome points")
    data = OrderIn(customer_id=chain.customer, mode="parcel", points=2000, lines=[{"sku_id": yogurt, "quantity": 1}],
                   address={"line": "徐家汇路 1 号", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]})
    placed = orders.place(c.uow(), data, orders.OrderPolicy())
    goods = placed.subtotal_fen
    points_fen = sum(d.amount_fen for d in placed.discounts if d.kind == "points")
    assert goods == 890 and points_fen > goods  # 9.00 of a 18.90 bill, capped at half of it
    started = orders.start_payment(c.uow(), c.payments, placed.number)
    orders.sandbox_complete(c.uow(), c.payments, started.out_trade_no)
    fo = orders.get(c.db, placed.number).fulfillment_ids[0]
    fulfillment.ship(c.uow(), fo, "staff:wh")
    fulfillment.confirm_delivery(c.uow(), fo, "staff:wh")
    settle(c, lambda: orders.get(c.db, placed.number).status == "completed", what="parcel delivered")
    before = loyalty.balance_of(c.db, chain.customer)

    line = returns.returnable(c.db, placed.number)[0]
    r = returns.request(c.uow(), ReturnIn(order_number=placed.number, reason_code="changed_mind",
                                          lines=[{"order_line_id": line.order_line_id, "quantity": 1}]),
                        f"customer:{chain.customer}", customer_id=chain.customer)
    r = returns.receive(c.uow(), r.id, store, [InspectLineIn(line_id=r.lines[0].id, resellable=1)], "staff:1")
    r = returns.refund(c.uow(), r.id, "staff:1")
    assert (r.status, r.refund_fen, r.refunds) == ("refunded", 0, [])
    bootstrap.relay(c).drain()
    assert c.payments.refunds == []
    # the points spent come back (the ones the earn gave for the money paid are taken back)
    assert loyalty.balance_of(c.db, chain.customer) > before
