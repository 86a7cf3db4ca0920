"""Paying with WeChat Pay and Alipay in Chromium at phone and desktop size (the platforms are local
fakes at the HTTP boundary): the pay page offers both; WeChat Pay draws its QR on the page and
"我已支付" finds the payment; Alipay takes the customer to its cashier (the fake's page)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from o2o import bootstrap
from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.config import Settings
from o2o.iam import service as iam
from o2o.orders import service as orders
from o2o.orders.schemas import LineIn, OrderIn
from tests.browser.test_backoffice import watch
from tests.browser.test_shop import fits_the_screen
from tests.e2e.test_shop_pages import shop_chain
from tests.factories.chain import receive
from tests.factories.fake_payments import FakeAlipay, FakeWeChatPay


@pytest.fixture
def fakes(tmp_path) -> Iterator[tuple[FakeWeChatPay, FakeAlipay]]:  # type: ignore[no-untyped-def]
    wechat, alipay = FakeWeChatPay(tmp_path).start(), FakeAlipay(tmp_path).start()
    yield wechat, alipay
    wechat.stop()
    alipay.stop()


@pytest.fixture
def container(fresh_db, clock, fakes):  # type: ignore[no-untyped-def]
    """The conftest's container, with both providers configured (the `live` server uses it)."""
    wechat, alipay = fakes
    settings = Settings(database_url=fresh_db.url, payment_secret="test-secret", cheap_password_hashing=True,
                        **wechat.settings(), **alipay.settings())
    return bootstrap.build(settings, db=fresh_db, clock=clock)


def signed_in_page(open_page, live, size: str, customer_id: int):  # type: ignore[no-untyped-def]
    """A customer's cookie session, as the sign-in page leaves it (that flow has its own test); each page
    then carries a CSRF token bound to it."""
    c = live.container
    page = open_page(size)
    tokens = iam.sign_in_session(c.uow(), "customer", customer_id, True, iam.Client("test"), c.settings)
    page.context.add_cookies([{"name": "o2o_session", "value": tokens.access_token, "url": live.base}])
    return page


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_customer_pays_with_wechatpay_by_qr_and_is_sent_to_alipay(live, open_page, shot, fakes, size):
    wechat, alipay = fakes
    c = live.container
    chain = shop_chain(c)
    store = chain.stores["xujiahui"]
    receive(c, store, chain.skus["milk"], 10)
    numbers = []
    for _ in range(2):
        numbers.append(orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=store,
                                                     lines=[LineIn(sku_id=chain.skus["milk"], quantity=2)]),
                                    orders.OrderPolicy()).number)
    cart.add(c.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 1)
    page = signed_in_page(open_page, live, size, chain.customer)
    problems = watch(page)

    page.goto(f"/shop/orders/{numbers[0]}/pay")
    assert page.locator("h1").inner_text() == "支付"
    assert page.get_by_role("button", name="微信支付").is_visible()
    assert page.get_by_role("button", name="支付宝").is_visible()
    assert page.get_by_role("button", name="支付（沙箱）").is_visible()  # O2O_ENV=dev in the tests
    assert fits_the_screen(page)
    shot(page, "shop-pay-providers")

    page.get_by_role("button", name="微信支付").click()
    qr = page.get_by_role("img", name=re.compile("微信扫码"))
    assert qr.is_visible() and qr.locator("svg path").count() == 1
    assert fits_the_screen(page)
    shot(page, "shop-pay-wechat-qr")
    (no,) = [k for k in wechat.trades if k.startswith(numbers[0])]
    page.get_by_role("button", name="我已支付").click()
    assert page.get_by_role("alert").inner_text().startswith("尚未收到您的付款")
    wechat.pay(no)
    page.get_by_role("button", name="我已支付").first.click()
    page.wait_for_url(re.compile(rf".*/shop/orders/{numbers[0]}\?paid=1$"))
    assert orders.get(c.db, numbers[0]).status == "paid"

    page.goto(f"/shop/orders/{numbers[1]}/pay")
    page.get_by_role("button", name="支付宝").click()
    expect(page.get_by_role("link", name="前往支付宝付款")).to_be_visible()  # the page it leads to, loaded
    assert fits_the_screen(page)
    shot(page, "shop-pay-alipay")
    page.get_by_role("link", name="前往支付宝付款").click()
    page.wait_for_url(re.compile(r".*/gateway\.do\?.*"))
    assert page.locator("h1").inner_text() == "支付宝收银台" and page.locator(".amount").inner_text() == "25.80"
    # the phone context keeps Chromium's desktop user agent, so page pay here; a phone's user agent gets
    # wap pay (tests/e2e/test_shop_pay_providers.py)
    assert alipay.opened[-1]["method"] == "alipay.trade.page.pay"
    # the one 409 is "not paid yet" answered to the first "I have paid": a page, on purpose
    assert [p for p in problems if "409 (Conflict)" not in p] == []
