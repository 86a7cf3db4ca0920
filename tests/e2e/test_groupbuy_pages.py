"""The group-buying pages (拼团) through the app, in Chinese and English: a deal with its open groups
("还差 2 人", a countdown), starting and joining a group by the page's forms (once per form, however often
it is sent), the group's page for members, for others and for anonymous visitors."""

from __future__ import annotations

import re
from datetime import timedelta

from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from tests.e2e.test_shop_pages import EN, ZH, form, sign_in, text
from tests.factories.chain import build_chain, receive


def _deal(client, container, auth, chain, size: int = 3):  # type: ignore[no-untyped-def]
    now = container.clock.now()
    r = client.post("/api/v1/groupbuy/admin/deals", headers=auth.staff("operator"), json={
        "title_zh": "牛奶拼团", "title_en": "Milk group deal", "group_size": size, "hours": 24,
        "items": [{"sku_id": chain.skus["milk"], "quantity": 2, "price_fen": 990}], "modes": ["pickup"],
        "location_ids": [chain.stores["xujiahui"]], "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(), "stock_cap": 50})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _as(client, container, customer_id: int) -> None:  # type: ignore[no-untyped-def]
    client.cookies.clear()
    sign_in(client, container, customer_id)


def test_start_join_and_follow_a_group_on_the_pages(client, container, auth):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 20)
    deal_id = _deal(client, container, auth, chain)
    a, b, c = (customers.create(container.uow(), CustomerIn(name=f"顾客{i}", phone=f"1370000000{i}")).id
               for i in range(3))
    store = str(chain.stores["xujiahui"])

    r = client.get(f"/shop/groupbuy/{deal_id}", headers=ZH)
    assert r.status_code == 200
    words = text(r.text)
    assert "牛奶拼团" in words and "拼团价 ¥19.80" in words and "3 人成团，24 小时内" in words
    assert "还没有人开团" in words and "登录后参团" in words
    assert "<script>" not in r.text and "style=" not in r.text  # the CSP allows no inline script or style

    _as(client, container, a)
    r = form(client, f"/shop/groupbuy/{deal_id}/open", location_id=store, idem="a" * 20)
    assert r.status_code == 303, r.text
    group_url = r.headers["location"]
    group_id = int(group_url.rsplit("/", 1)[1])
    page = client.get(group_url, headers=ZH)
    words = text(page.text)
    assert "你已在这个团里" in words and "还差 2 人" in words and "拼团中" in words
    number = re.search(r'data-mine="(SO\d+)"', page.text).group(1)  # type: ignore[union-attr]
    assert f'href="/shop/orders/{number}/pay"' in page.text
    assert 'data-seconds-left="86400"' in page.text and "24:00:00" in words

    _as(client, container, b)
    r = client.get(f"/shop/groupbuy/{deal_id}", headers=EN)
    words = text(r.text)
    assert "Milk group deal" in words and "2 more needed" in words and "Ends in 24:00:00" in words
    assert f'href="/shop/groupbuy/groups/{group_id}"' in r.text
    page = client.get(group_url, headers=EN)
    assert f'action="/shop/groupbuy/groups/{group_id}/join"' in page.text and "Join this group" in page.text
    # the same form sent twice joins once
    for _ in range(2):
        r = form(client, f"/shop/groupbuy/groups/{group_id}/join", location_id=store, idem="b" * 20)
        assert r.status_code == 303 and r.headers["location"] == group_url, r.text
    assert client.get(f"/api/v1/groupbuy/groups/{group_id}").json()["joined"] == 2
    # a store the deal is not offered at: said on the page, nothing joined
    _as(client, container, c)
    r = form(client, f"/shop/groupbuy/groups/{group_id}/join", location_id=str(chain.stores["jingan"]),
             idem="c" * 20)
    assert r.status_code == 303 and r.headers["location"].endswith("?error=invalid-input")
    assert "Please choose a store this deal is offered at." in text(client.get(r.headers["location"],
                                                                                headers=EN).text)
    r = form(client, f"/shop/groupbuy/groups/{group_id}/join", location_id=store, idem="d" * 20)
    assert r.status_code == 303
    # full now: off the deal's list of groups to join, and the group page says it waits for payments
    client.cookies.clear()
    assert f'data-group="{group_id}"' not in client.get(f"/shop/groupbuy/{deal_id}").text
    words = text(client.get(group_url, headers=ZH).text)
    assert "已满员，等待付款" in words and "参加这个团" not in words
    assert "牛奶拼团" in text(client.get("/shop/groupbuy", headers=ZH).text)


def test_unknown_deals_and_groups_answer_404_pages(client, container):
    for path in ("/shop/groupbuy/999", "/shop/groupbuy/groups/999", "/shop/groupbuy/groups/99999999999999999999"):
        assert client.get(path, headers=ZH).status_code == 404, path
