"""A gold member's benefits in Chromium at phone and desktop sizes: the cart and the checkout show each
line at the tier price (named, the list price struck through), the store-delivery fee waived with its
reason, and the order placed from the page is priced as shown; 关注 is one tap from the nav."""

from __future__ import annotations

import re

import pytest

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.customers import service as customers
from o2o.customers.schemas import AddressIn
from o2o.orders import service as orders
from tests.browser.test_shop import PHONE, code_from_inbox, fits_the_screen
from tests.e2e.test_shop_pages import shop_chain
from tests.e2e.test_tier_benefits import MILK, _spent
from tests.factories.chain import receive

GOLD_UNIT = (MILK * 98 + 50) // 100


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_gold_member_sees_and_pays_tier_prices_without_a_delivery_fee(live, open_page, shot, size):
    c = live.container
    chain = shop_chain(c)
    store = chain.stores["XH2"]
    receive(c, store, chain.skus["milk"], 10)
    _spent(c, chain.customer, 500_000)  # gold
    customers.add_address(c.uow(), chain.customer, AddressIn(label="home", recipient="王小明", line="徐汇区漕溪北路",
                                                             door="1201", lat=31.1885, lng=121.4365))
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
    assert page.locator("nav a[href='/shop/favorites']").is_visible()

    page.goto("/shop/stores?q=徐汇")
    page.get_by_role("button", name="选择XH2店").click()
    page.wait_for_url("**/shop/products")
    page.goto("/shop/cart")
    line = page.locator(".cart-line").first
    assert "黄金会员价" in line.inner_text() and f"原价 ¥{MILK / 100:.2f}" in line.inner_text()
    assert fits_the_screen(page)
    shot(page, "shop-cart-tier-price")

    page.goto("/shop/checkout?mode=store_delivery")
    text = page.locator(".summary").inner_text()
    assert "免运费：黄金会员权益（原 ¥6.00）" in text
    assert "黄金会员价" in text and f"¥{2 * GOLD_UNIT / 100:.2f}" in text
    assert fits_the_screen(page)
    shot(page, "shop-checkout-tier-price")
    page.get_by_role("button", name="提交订单").click()
    page.wait_for_url(re.compile(r".*/shop/orders/SO\d+/pay$"))
    number = re.search(r"(SO\d+)", page.url).group(1)
    order = orders.get(c.db, number)
    assert [ln.unit_price_fen for ln in order.lines] == [GOLD_UNIT] and order.lines[0].price_tier == "gold"
    assert order.subtotal_fen == 2 * GOLD_UNIT
    assert order.mode == "store_delivery" and order.delivery_fee_fen == 0 and order.delivery_fee_waived_fen == 600
    assert order.total_fen == 2 * GOLD_UNIT
