"""Group buying (拼团) in Chromium, at phone and desktop sizes: a shopper opens a deal's page, sees a group
"还差 1 人" with its countdown ticking, signs in by phone code, joins the group and is sent to pay; the
group's page then says they are in it."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.groupbuy import service as groupbuy
from o2o.groupbuy.schemas import DealIn, JoinIn
from o2o.orders import service as orders
from tests.browser.test_shop import PHONE, code_from_inbox, fits_the_screen
from tests.e2e.test_shop_pages import shop_chain
from tests.factories.chain import receive


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_shopper_joins_a_group_from_the_deal_page_and_is_sent_to_pay(live, open_page, shot, size):
    c = live.container
    chain = shop_chain(c)
    store = chain.stores["xujiahui"]
    receive(c, store, chain.skus["milk"], 10)
    now = c.clock.now()
    deal = groupbuy.create_deal(c.uow(), DealIn(
        title_zh="牛奶两人团", title_en="Milk for two", group_size=2, hours=24, modes=["pickup"], location_ids=[store],
        items=[{"sku_id": chain.skus["milk"], "quantity": 1, "price_fen": 990}],  # type: ignore[list-item]
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2), stock_cap=20))
    leader = customers.create(c.uow(), CustomerIn(name="团长", phone="13911112222")).id
    opened = groupbuy.open_group(c.uow(), orders.OrderPolicy(), leader, deal.id,
                                 JoinIn(mode="pickup", location_id=store))

    page = open_page(size)
    page.goto(f"/shop/groupbuy/{deal.id}")
    assert page.locator("h1").inner_text() == "牛奶两人团"
    group = page.locator(f"[data-group='{opened.group.id}']")
    assert "还差 1 人" in group.inner_text()
    timer = group.locator("[data-seconds-left]")
    first = timer.inner_text()
    assert re.fullmatch(r"\d\d:\d\d:\d\d", first)
    time.sleep(1.2)
    assert timer.inner_text() != first  # the countdown ticks
    assert fits_the_screen(page)
    shot(page, "shop-groupbuy-deal")

    group.get_by_role("link", name="查看团").click()
    page.wait_for_url(f"**/shop/groupbuy/groups/{opened.group.id}")
    page.get_by_role("link", name="登录后参团").click()
    page.wait_for_url(re.compile(r".*/shop/signin\?next=.*groupbuy.*"))
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/shop/signin/code?*")
    page.get_by_label("验证码", exact=True).fill(code_from_inbox(c))
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"**/shop/groupbuy/groups/{opened.group.id}")

    page.get_by_role("button", name="参加这个团").click()
    page.wait_for_url(f"**/shop/groupbuy/groups/{opened.group.id}")
    assert "你已在这个团里" in page.locator("[data-mine]").inner_text()
    assert "已满员，等待付款" in page.locator(".gb-group").inner_text()
    assert fits_the_screen(page)
    shot(page, "shop-groupbuy-group")
    page.get_by_role("link", name="去付款").click()
    page.wait_for_url(re.compile(r".*/shop/orders/SO\d+/pay$"))
    number = re.search(r"(SO\d+)", page.url).group(1)  # type: ignore[union-attr]
    order = orders.get(c.db, number)
    assert (order.customer_id, order.total_fen, order.held_for) == (chain.customer, 990, f"groupbuy:deal{deal.id}")
