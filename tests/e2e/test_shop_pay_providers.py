"""The storefront's pay page with WeChat Pay and Alipay configured (local fakes at the HTTP boundary):
it offers both, WeChat Pay shows a QR to scan and "I have paid" asks the platform; Alipay sends the
customer a link to its signed page and the notification completes the order. Outside dev, no sandbox."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.main import create_app
from o2o.orders import service as orders
from tests.e2e.test_payment_providers import ALIPAY_NOTIFY, alipay, live, wechat  # noqa: F401  (the fixtures)
from tests.e2e.test_shop_checkout import place
from tests.e2e.test_shop_pages import EN, ZH, choose_store, form, shop_chain, sign_in
from tests.factories.chain import receive

PHONE_UA = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"}


@pytest.fixture
def shopper(live):  # type: ignore[no-untyped-def]  # noqa: F811
    chain = shop_chain(live)
    client = TestClient(create_app(live))
    choose_store(client, chain.stores["xujiahui"])
    sign_in(client, live, chain.customer)
    receive(live, chain.stores["xujiahui"], chain.skus["milk"], 10)
    cart.add(live.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)
    client.chain = chain  # type: ignore[attr-defined]
    return client


def test_pay_page_offers_the_configured_providers_in_both_languages(shopper, live):  # noqa: F811
    number = place(shopper)
    en = shopper.get(f"/shop/orders/{number}/pay", headers=EN).text
    assert all(label in en for label in ("WeChat Pay", "Alipay", "Pay (sandbox)", "I have paid"))
    zh = shopper.get(f"/shop/orders/{number}/pay", headers=ZH).text
    assert all(label in zh for label in ("微信支付", "支付宝", "我已支付"))
    live.settings.env = "production"  # outside dev the sandbox is not offered, the real ones are
    en = shopper.get(f"/shop/orders/{number}/pay", headers=EN).text
    assert "Pay (sandbox)" not in en and "WeChat Pay" in en
    r = form(shopper, f"/shop/orders/{number}/pay", EN, provider="sandbox")
    assert r.status_code == 409 and orders.get(live.db, number).status == "pending_payment"


def test_wechatpay_qr_then_i_have_paid_completes_the_order(shopper, live, wechat):  # noqa: F811
    number = place(shopper)
    r = form(shopper, f"/shop/orders/{number}/pay", EN, provider="wechatpay")
    assert r.status_code == 200 and "Scan with WeChat" in r.text and "<svg" in r.text
    (no,) = [k for k in wechat.trades if k.startswith(number)]
    r = form(shopper, f"/shop/orders/{number}/pay/check", EN)
    assert r.status_code == 409 and "not heard of your payment" in r.text  # not paid yet
    wechat.pay(no)  # the customer scans and pays; the notification is slow
    r = form(shopper, f"/shop/orders/{number}/pay/check", EN)
    assert r.status_code == 303 and r.headers["location"] == f"/shop/orders/{number}?paid=1"
    assert orders.get(live.db, number).status == "paid"


def test_alipay_redirects_to_its_signed_page_wap_on_a_phone(shopper, live, alipay):  # noqa: F811
    number = place(shopper)
    r = form(shopper, f"/shop/orders/{number}/pay", {**EN, **PHONE_UA}, provider="alipay")
    assert r.status_code == 200 and "Continue to Alipay to pay" in r.text
    params = alipay.open_pay_url(_link(r.text))
    assert params["method"] == "alipay.trade.wap.pay"
    (no,) = [k for k in alipay.trades if k.startswith(number)]
    alipay.pay(no)
    body, headers = alipay.notification(no)
    platform = TestClient(create_app(live))  # Alipay's servers: no customer's cookies
    assert platform.post(ALIPAY_NOTIFY, content=body, headers=headers).text == "success"
    page = shopper.get(f"/shop/orders/{number}/pay", headers=EN, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/shop/orders/{number}"
    # desktop: the page-pay product
    chain = shopper.chain
    cart.add(live.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 1)
    other = place(shopper)
    r = form(shopper, f"/shop/orders/{other}/pay", EN, provider="alipay")
    assert alipay.open_pay_url(_link(r.text))["method"] == "alipay.trade.page.pay"


def _link(html: str) -> str:
    """The page's link to Alipay (the signed URL, HTML-escaped in the page)."""
    return unescape(re.search(r'<a class="button primary" href="([^"]+)"', html).group(1))
