"""One language per page, the leftovers (issue 12 point 15), over HTTP on both databases: a return's lines
on the storefront, the store's returns desk and the back-office queue name the product in the page's
language whatever language the order was placed in; "why these locations" says the sourcing engine's
reason, search method and rule notes in Chinese on a Chinese page; the dashboard in zh-TW."""

from __future__ import annotations

import re

from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.sourcing import STORE_DELIVERY, Request
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from o2o.returns import service as returns
from o2o.returns.schemas import InspectLineIn
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive
from tests.factories.returns import completed_online

EN, ZH, TW = {"Accept-Language": "en"}, {"Accept-Language": "zh-CN"}, {"Accept-Language": "zh-TW"}
ENGLISH_REASON = re.compile(r"location\(s\)|fen by|ruled out|at most|no eligible|unit\(s\)|\bexact\b")


def test_a_return_s_lines_are_named_in_the_page_language_everywhere(client, container, auth):
    chain = build_chain(container)
    xjh, ja, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(container, xjh, milk, 5)
    number = completed_online(container, chain.customer, xjh, {milk: 2})  # placed in zh-CN: the line is 测试milk
    customer, clerk, ops = auth.customer(chain.customer), auth.staff("clerk", store_id=ja), auth.staff("operator")
    line = returns.returnable(container.db, number)[0]
    assert (line.name, line.name_zh, line.name_en) == ("测试milk", "测试milk", "milk")
    r = client.post("/api/v1/returns", headers=customer, json={
        "order_number": number, "reason_code": "quality", "lines": [{"order_line_id": line.order_line_id,
                                                                     "quantity": 1}]})
    assert r.status_code == 201, r.text
    made = r.json()
    assert [(ln["name_zh"], ln["name_en"]) for ln in made["lines"]] == [("测试milk", "milk")]

    pages = {"shop order": (f"/shop/orders/{number}", customer), "shop return form": (
        f"/shop/orders/{number}/return", customer), "returns desk": (f"/console/{ja}/returns?q={number}", clerk),
        "return at the desk": (f"/console/{ja}/returns/{made['id']}", clerk), "back-office queue": (
        "/admin/returns", ops)}
    for what, (path, who) in pages.items():
        en = client.get(path, headers={**who, **EN})
        zh = client.get(path, headers={**who, **ZH})
        assert en.status_code == zh.status_code == 200, (what, en.status_code, zh.status_code)
        assert "测试milk" not in en.text and re.search(r">\s*milk\b|milk ×|\bmilk,? ", en.text), what
        assert "测试milk" in zh.text, what
    assert "milk × 1" in client.get(f"/console/{ja}/returns/{made['id']}", headers={**clerk, **EN}).text
    # why this store, to the shopper: where the goods come from, not the sourcing engine's costs
    shop = client.get(f"/shop/orders/{number}", headers={**customer, **ZH}).text
    assert "XJH店备齐了您的全部商品" in shop and "成本" not in shop and "精确搜索" not in shop
    # received and refunded at the desk: what came back and how the money went, in the page's words
    returns.receive(container.uow(), made["id"], ja, [InspectLineIn(line_id=made["lines"][0]["id"], resellable=1)],
                    "staff:desk")
    returns.refund(container.uow(), made["id"], "staff:desk", ja)
    desk = client.get(f"/console/{ja}/returns/{made['id']}", headers={**clerk, **ZH}).text
    assert f"SKU {milk}：可再售 1 件，损坏 0 件" in desk and "原支付方式 · ¥12.90" in desk
    assert "resellable," not in desk and ">payment ·" not in desk

    # the dashboard in zh-TW: the day as CLDR writes it there, the page in its language
    tw = client.get("/admin", headers={**ops, **TW})
    assert tw.status_code == 200 and '<html lang="zh-TW">' in tw.text
    day = container.clock.now().date()
    assert f"{day.month}月{day.day}日" in tw.text


def test_why_these_locations_reads_in_chinese_on_a_chinese_page(client, container, auth):
    chain = build_chain(container)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(container, xjh, milk, 5)
    receive(container, ja, milk, 5)
    number = orders.place(container.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=xjh,
                                                   lines=[{"sku_id": milk, "quantity": 1}]), orders.OrderPolicy()).number
    ops = auth.staff("operator")
    for name, spec in (("不要旗舰店", {"kind": "exclude_locations", "location_ids": [xjh]}),
                       ("one place", {"kind": "max_split", "value": 1})):
        r = client.post("/api/v1/sourcing/rules", headers=ops, json={"name": name, "spec": spec})
        assert r.status_code == 201, r.text
    near = Request(lines={milk: 1}, mode=STORE_DELIVERY, now=container.clock.now(), has_address=True,
                   lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1])
    short = Request(lines={milk: 99}, mode=STORE_DELIVERY, now=container.clock.now(), has_address=True,
                    lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1])
    with container.db.read() as s:
        made = [fulfillment.source(s, near), fulfillment.source(s, short)]
    assert [d.status for d in made] == ["ok", "unfulfillable"] and made[0].rules
    with container.uow() as uow:
        for decision in made:
            fulfillment.record_decision(uow, number, decision)
        uow.commit()

    zh = client.get(f"/admin/orders/{number}/sourcing", headers={**ops, **ZH})
    assert zh.status_code == 200
    body = zh.text.split("<main", 1)[-1]
    assert not ENGLISH_REASON.search(body), ENGLISH_REASON.findall(body)
    assert "1 个地点，成本 ¥" in body and "精确搜索" in body
    assert f"SKU {milk}：可履约的地点都没有 99 件库存" in body
    assert "不要旗舰店：排除 1 个地点" in body and "one place：最多 1 个地点" in body
    en = client.get(f"/admin/orders/{number}/sourcing", headers={**ops, **EN}).text
    assert "1 location(s), cost ¥" in en and "found by exact search" in en and "one place: at most 1 location(s)" in en
