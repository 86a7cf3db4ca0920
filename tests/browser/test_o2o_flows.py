"""The O2O loop across the front-ends, in Chromium at phone and desktop sizes: a customer signs in,
orders for pickup at the nearest store and pays on the storefront; a clerk of that store marks it
ready and hands it over by the customer's code on the console; the customer's page shows it
completed and the store's stock fell by the quantity."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from o2o.inventory import service as inventory
from o2o.kernel.pagination import PageParams
from tests.browser.conftest import sign_in_staff
from tests.browser.test_shop import code_from_inbox
from tests.factories.auth import PASSWORD
from tests.factories.chain import SONGJIANG, XUJIAHUI_NEAR, build_chain, receive

PHONE = "13800138000"  # build_chain's customer, who lives ~550 m from the Xujiahui store


def code_from_inbox_text(c, code: str, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    """The relay delivers the pickup-ready SMS a moment after the request."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(code in sms.text and "取件码" in sms.text for sms in list(c.sms.inbox)):
            return True
        time.sleep(0.1)
    return False


def on_hand(c, location_id: int, sku_id: int) -> int:  # type: ignore[no-untyped-def]
    return inventory.stock(c.db, location_id, sku_id, PageParams(page=1, size=1)).items[0].on_hand


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_customer_orders_for_pickup_clerk_hands_over_by_code_and_stock_falls(live, open_page, shot, auth, size):
    c = live.container
    chain = build_chain(c)
    near, far, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(c, near, milk, 10)
    receive(c, far, milk, 10)
    auth.staff_user("clerk", store_id=near, login="clerk-near")

    # the customer: nearest store by location, search, cart, sign in by code, pickup, pay
    shopper = open_page(size)
    shopper.context.grant_permissions(["geolocation"])
    shopper.context.set_geolocation({"latitude": XUJIAHUI_NEAR[0], "longitude": XUJIAHUI_NEAR[1]})
    shopper.goto("/shop")
    shopper.get_by_role("button", name="使用我的位置").click()
    shopper.wait_for_url("**/shop/stores?lat=*")
    first = shopper.locator(".store-list h3").first
    assert first.inner_text() == "XJH店"  # the nearest store comes first
    shopper.get_by_role("button", name="选择XJH店").click()
    shopper.wait_for_url("**/shop/products")
    shopper.get_by_role("searchbox", name="搜索商品").fill("milk")
    shopper.get_by_role("button", name="搜索", exact=True).click()
    card = shopper.locator(".product-grid .card").first
    expect(card).to_contain_text("有货 · XJH店")
    card.get_by_role("link").click()
    shopper.get_by_label("数量").fill("3")
    shopper.get_by_role("button", name="加入购物车").click()
    shopper.goto("/shop/checkout")
    shopper.wait_for_url("**/shop/signin?next=*")
    shopper.get_by_label("手机号").fill(PHONE)
    shopper.get_by_role("button", name="获取验证码").click()
    shopper.get_by_label("验证码", exact=True).fill(code_from_inbox(c, PHONE))
    shopper.get_by_role("button", name="登录", exact=True).click()
    shopper.wait_for_url("**/shop/checkout")
    shopper.get_by_role("button", name="提交订单").click()
    shopper.wait_for_url(re.compile(r".*/shop/orders/SO\d+/pay$"))
    shopper.get_by_role("button", name="支付（沙箱）").click()
    shopper.wait_for_url(re.compile(r".*/shop/orders/SO\d+\?paid=1$"))
    number = re.search(r"(SO\d+)", shopper.url).group(1)
    code = shopper.locator(".pickup-code .code").inner_text()[-6:]
    assert on_hand(c, near, milk) == 10

    # the clerk of that store: the queue, picking, ready (the customer gets an SMS), handover by code
    clerk = open_page(size)
    sign_in_staff(clerk, "clerk-near", PASSWORD)
    clerk.wait_for_url(f"**/console/{near}")
    order_card = clerk.locator("article.order-card", has=clerk.locator("h3", has_text=number))
    expect(order_card.locator(".picklist")).to_contain_text("测试milk")
    shot(clerk, "flow-console-queue")
    order_card.get_by_role("button", name="开始拣货").click()
    clerk.locator("article.order-card", has=clerk.locator("h3", has_text=number)).get_by_role(
        "button", name="备货完成").click()
    expect(clerk.locator(".notice.success")).to_contain_text("取件码已通过短信发送给顾客")
    assert code_from_inbox_text(c, code)
    clerk.locator("article.order-card", has=clerk.locator("h3", has_text=number)).get_by_role(
        "link", name="核销提货").click()
    assert code not in clerk.content()  # staff never see the code: the customer shows it
    clerk.locator("#f-code").fill(code)
    clerk.get_by_role("button", name="核销交付").click()
    expect(clerk.locator(".notice.success")).to_contain_text(f"{number} 已交付")

    # the customer's page shows the order completed; the store's stock fell by 3
    shopper.goto(f"/shop/orders/{number}")
    expect(shopper.locator(".timeline .step").last).to_contain_text("已完成")
    shot(shopper, "flow-order-completed")
    assert on_hand(c, near, milk) == 7 and on_hand(c, far, milk) == 10


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_product_an_operator_creates_with_stock_at_one_store_shows_near_it_and_not_20_km_away(
        live, open_page, shot, auth, size):
    c = live.container
    chain = build_chain(c)
    auth.staff_user("operator", login="ops")

    # the operator creates the product and receives stock at the Xujiahui store
    ops = open_page(size)
    sign_in_staff(ops, "ops", PASSWORD)
    ops.goto("/admin/products/new")
    ops.locator("#f-name_zh").fill("有机燕麦奶")
    ops.locator("#f-name_en").fill("Organic oat milk")
    ops.locator("#f-category_id").select_option(label="乳品")
    ops.locator("#f-sku_code").fill("OAT-1L")
    ops.locator("#f-sku_barcode").fill("6901234567892")
    ops.locator("#f-sku_price").fill("19.90")
    ops.locator('form[action="/admin/products"] button[type=submit]').click()
    ops.wait_for_url(re.compile(r"/admin/products/\d+\?done=created"))
    ops.locator("#f-location_id").select_option(value=str(chain.stores["xujiahui"]))
    ops.locator("#f-quantity").fill("12")
    ops.locator("#f-reason").fill("DN-42")
    ops.locator('form[action$="/stock"] button[type=submit]').click()
    ops.wait_for_url(re.compile(r"done=received"))

    def shopper_at(point: tuple[float, float]):  # type: ignore[no-untyped-def]
        page = open_page(size)
        page.context.grant_permissions(["geolocation"])
        page.context.set_geolocation({"latitude": point[0], "longitude": point[1]})
        page.goto("/shop")
        page.get_by_role("button", name="使用我的位置").click()
        page.wait_for_url("**/shop/stores?lat=*")
        return page

    near = shopper_at(XUJIAHUI_NEAR)
    near.get_by_role("button", name="选择XJH店").click()
    near.wait_for_url("**/shop/products")
    near.get_by_role("searchbox", name="搜索商品").fill("燕麦")
    near.get_by_role("button", name="搜索", exact=True).click()
    card = near.locator(".product-grid .card", has_text="有机燕麦奶")
    expect(card).to_contain_text("有货 · XJH店")
    shot(near, "flow-new-product-near")

    far = shopper_at(SONGJIANG)  # ~25 km from every store
    expect(far.locator("main")).to_contain_text("公里内暂无门店")
    assert far.locator(".store-list h3").count() == 0  # no store to pick: nothing is on offer there
    far.goto("/shop/products?q=燕麦")
    assert "有货" not in far.locator("main").inner_text()
    shot(far, "flow-new-product-far")
