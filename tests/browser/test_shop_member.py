"""The member centre and points at checkout in Chromium, at phone and desktop sizes: a shopper signs in
by phone code, sees their tier and points, redeems a reward from the points mall, and pays part of an
order with points."""

from __future__ import annotations

import re

import pytest

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.loyalty import service as loyalty
from o2o.loyalty.schemas import RewardIn
from o2o.orders import service as orders
from tests.browser.test_shop import PHONE, code_from_inbox, fits_the_screen
from tests.e2e.test_shop_pages import shop_chain
from tests.factories.chain import receive


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_shopper_sees_tier_and_points_redeems_a_reward_and_pays_with_points(live, open_page, shot, size):
    c = live.container
    chain = shop_chain(c)
    store = chain.stores["XH2"]
    receive(c, store, chain.skus["milk"], 10)
    loyalty.adjust(c.uow(), chain.customer, 3_000, "welcome")
    loyalty.add_reward(c.uow(), RewardIn(kind="goods", name_zh="帆布袋", name_en="Tote bag", points_cost=1_000,
                                         stock=5))
    cart.add(c.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)

    page = open_page(size)
    page.goto("/shop/member")
    page.wait_for_url("**/shop/signin?next=*")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/shop/signin/code?*")
    page.get_by_label("验证码", exact=True).fill(code_from_inbox(c))
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/shop/member")

    assert page.locator("h1").inner_text() == "会员中心"
    assert page.locator(".tier").inner_text() == "普通会员"
    assert page.locator("[data-balance]").inner_text() == "3000"
    assert page.locator("#tier-progress").is_visible()
    assert page.get_by_role("link", name="出示会员码").get_attribute("href") == "/shop/member/code"
    assert fits_the_screen(page)
    shot(page, "shop-member")
    page.get_by_role("button", name="用 1000 积分兑换帆布袋").click()
    page.wait_for_url(re.compile(r".*/shop/member\?redeemed=\d+"))
    notice = page.get_by_role("status").inner_text()
    assert "已兑换帆布袋" in notice and re.search(r"[0-9A-F]{10}", notice)
    assert page.locator("[data-balance]").inner_text() == "2000"
    assert fits_the_screen(page)
    shot(page, "shop-member-redeemed")

    # checkout at a store, paying part of the bill with points
    page.goto("/shop/stores?q=徐汇")
    page.get_by_role("button", name="选择XH2店").click()
    page.wait_for_url("**/shop/products")
    page.goto("/shop/checkout")
    option = page.get_by_label(re.compile(r"使用 \d+ 积分"))
    assert option.is_visible() and not option.is_checked()
    offered = int(re.search(r"使用 (\d+) 积分", page.locator(".points-option").inner_text()).group(1))
    option.check()
    assert fits_the_screen(page)
    shot(page, "shop-checkout-points")
    page.get_by_role("button", name="提交订单").click()
    page.wait_for_url(re.compile(r".*/shop/orders/SO\d+/pay$"))
    number = re.search(r"(SO\d+)", page.url).group(1)
    order = orders.get(c.db, number)
    assert order.discount_fen == offered and order.total_fen == order.subtotal_fen - offered
    assert loyalty.balance_of(c.db, chain.customer) == 2_000 - offered
