"""A split order's pages over HTTP, on both databases (issue 13): the shopper's order page says it comes from
2 locations with each part's store, status and lines, in zh-CN and en; the back-office page in zh-CN names
the parts and links "why this store"; a customer never sees another's order."""

from __future__ import annotations

from o2o import bootstrap
from o2o.fulfillment import service as fulfillment
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.e2e.test_console_support import EN, ZH
from tests.factories.chain import build_chain
from tests.factories.split import paid_split_order


def test_the_shopper_and_head_office_see_the_parts_of_a_split_order(client, container, auth):
    c = container
    chain = build_chain(c)
    milk, yogurt, xjh = chain.skus["milk"], chain.skus["yogurt"], chain.stores["xujiahui"]
    number = paid_split_order(c, chain)
    bootstrap.relay(c).drain()
    me = auth.customer(chain.customer)

    zh = client.get(f"/shop/orders/{number}", headers={**me, **ZH}).text
    assert "分 2 处发货" in zh and zh.count('data-part="') == 2
    assert "XJH店" in zh and "JA店" in zh and "测试milk × 1" in zh and "测试yogurt × 2" in zh
    en = client.get(f"/shop/orders/{number}", headers={**me, **EN}).text
    assert "From 2 locations" in en and "XJH Store" in en and "milk × 1" in en and "分 2 处" not in en

    admin = client.get(f"/admin/orders/{number}", headers={**auth.staff("operator"), **ZH}).text
    assert "分 2 处发货" in admin and f'href="/admin/orders/{number}/sourcing"' in admin
    assert admin.count('class="part"') == 2 and "为什么选这家门店" in admin

    someone = auth.customer(_other_customer(c))
    assert client.get(f"/shop/orders/{number}", headers={**someone, **EN}).status_code == 404

    # a pickup split: each store has its own pickup code, each shown with its part
    pickup = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=xjh, lines=[
        {"sku_id": milk, "quantity": 1}, {"sku_id": yogurt, "quantity": 1}]), orders.OrderPolicy()).number
    orders.sandbox_complete(c.uow(), c.payments, orders.start_payment(c.uow(), c.payments, pickup).out_trade_no)
    codes = [f.pickup_code for f in (fulfillment.get(c.db, i) for i in orders.get(c.db, pickup).fulfillment_ids)]
    zh = client.get(f"/shop/orders/{pickup}", headers={**me, **ZH}).text
    assert len(codes) == 2 and all(code and f"本店取件码：{code}" in zh for code in codes)


def _other_customer(c) -> int:  # type: ignore[no-untyped-def]
    from o2o.customers import service as customers
    from o2o.customers.schemas import CustomerIn

    return customers.create(c.uow(), CustomerIn(name="李四", phone="13900139000")).id
