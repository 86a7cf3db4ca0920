"""Never move an order silently, in Chromium at phone and desktop sizes: availability at the chosen store on
the list, the product and the cart; a line sold out at the chosen store is named in the cart and checkout
with the nearest store that has everything and its distance; nothing switches until the shopper chooses,
and choosing it places the order there; an address out of the store's delivery range offers a parcel with
its fee and time, never a store delivery. Screenshots of each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.customers import service as customers
from o2o.customers.schemas import AddressIn
from o2o.iam import service as iam
from o2o.orders import service as orders
from o2o.orders.models import Order
from tests.e2e.test_shop_pages import shop_chain
from tests.factories.chain import SONGJIANG, XUJIAHUI_NEAR, receive

SIZES = ["phone", "desktop"]


def _shopper(live, open_page, size: str, locale: str = "zh-CN"):  # type: ignore[no-untyped-def]
    """The chain's customer signed in, their store Xujiahui located from 550 m north of it."""
    c = live.container
    chain = shop_chain(c)
    session = iam.sign_in_session(c.uow(), "customer", chain.customer, True, iam.Client("test"), c.settings)
    page = open_page(size, locale=locale)
    store = f"{chain.stores['xujiahui']}:{XUJIAHUI_NEAR[0]:.5f}:{XUJIAHUI_NEAR[1]:.5f}"
    page.context.add_cookies([{"name": "o2o_session", "value": session.access_token, "domain": "127.0.0.1",
                               "path": "/"},
                              {"name": "o2o_store", "value": store, "domain": "127.0.0.1", "path": "/"}])
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 409" not in m.text
            else None)  # a re-quoted page that cannot be placed is answered 409, as the API would
    return page, chain, errors


def _orders(c) -> list[Order]:  # type: ignore[no-untyped-def]
    with c.db.read() as s:
        return list(s.query(Order).all())


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", SIZES)
def test_a_sold_out_line_offers_the_nearest_complete_store_and_only_the_shoppers_choice_moves_the_order(
        live, open_page, shot, size):
    c = live.container
    page, chain, errors = _shopper(live, open_page, size)
    receive(c, chain.stores["jingan"], chain.skus["yogurt"], 5)

    page.goto("/shop/products")
    cheese_card = page.locator("li.card.product", has_text="测试cheese")
    expect(cheese_card).to_have_class(re.compile(r"\bsold-out\b"))
    expect(cheese_card.locator(".badge.out")).to_have_text("XJH店已售罄")
    expect(page.locator("li.card.product", has_text="测试yogurt").locator(".badge.low")).to_have_text("仅剩 2 件")
    shot(page, "shop-products-availability")
    cheese_card.get_by_role("link").click()
    expect(page.get_by_role("button", name="已售罄")).to_be_disabled()
    expect(page.locator("input[name=sku_id]")).to_be_disabled()
    shot(page, "shop-product-sold-out")

    # the cheese was put in the cart earlier (another store, another day), with more yogurt than Xujiahui has
    cart.add(c.uow(), Owner(customer_id=chain.customer), chain.skus["cheese"], 1)
    cart.add(c.uow(), Owner(customer_id=chain.customer), chain.skus["yogurt"], 3)
    page.goto("/shop/cart")
    problem = page.locator("[data-plan-problem]")
    expect(problem.get_by_role("heading", level=2)).to_have_text("XJH店无法备齐您的订单")
    expect(problem.locator(f'[data-short-line="{chain.skus["cheese"]}"]')).to_contain_text("测试cheese XJH店已售罄")
    expect(problem.locator(f'[data-short-line="{chain.skus["yogurt"]}"]')).to_contain_text("XJH店仅剩 2 件（您要 3 件）")
    alt = problem.locator(f'[data-alt-store="{chain.stores["jingan"]}"]')
    expect(alt).to_contain_text("JA店备齐了购物车中的所有商品")
    expect(alt.locator("[data-alt-distance]")).to_have_text(re.compile(r"^距您 2\.\d km$"))
    expect(page.locator(f'li.cart-line[data-line="{chain.skus["cheese"]}"]')).to_have_class(re.compile(r"sold-out"))
    assert _fits(page)
    shot(page, "shop-cart-unavailable")

    # checkout: the same lines and why, no plan, nothing to place; the pickup option is marked
    page.goto("/shop/checkout")
    expect(page.locator("[data-plan-problem] h2")).to_have_text("XJH店无法备齐您的订单")
    expect(page.get_by_role("button", name="提交订单")).to_be_disabled()
    expect(page.locator("[data-mode-unavailable]")).to_have_text("此订单无法使用")
    assert page.locator("input[name=plan]").count() == 0
    assert _fits(page)
    shot(page, "shop-checkout-unavailable")
    assert _orders(c) == []  # looking moved nothing
    assert page.context.cookies()[0] and any(
        k["name"] == "o2o_store" and k["value"].startswith(f"{chain.stores['xujiahui']}:")
        for k in page.context.cookies())

    # the shopper chooses Jing'an: the checkout shows that plan, and placing puts the order there
    page.locator("[data-plan-problem]").get_by_role("button", name="改到JA店自提").click()
    expect(page.locator("[data-plan-problem]")).to_have_count(0)
    expect(page.locator(".summary .route")).to_contain_text("到店自提 · JA店")
    shot(page, "shop-checkout-switched")
    page.get_by_role("button", name="提交订单").click()
    page.wait_for_url(re.compile(r"/shop/orders/SO\d+/pay$"))
    placed = _orders(c)
    assert [(o.mode, o.fulfil_location_id, o.chosen_location_id) for o in placed] == [
        ("pickup", chain.stores["jingan"], chain.stores["jingan"])]
    assert errors == []


@pytest.mark.parametrize("size", SIZES)
def test_an_address_out_of_the_stores_range_offers_a_parcel_with_its_fee_and_never_keeps_store_delivery(
        live, open_page, shot, size):
    c = live.container
    page, chain, errors = _shopper(live, open_page, size, locale="en")
    receive(c, chain.warehouse, chain.skus["milk"], 50)
    cart.add(c.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)
    far = customers.add_address(c.uow(), chain.customer,
                                AddressIn(label="Home", line="Songjiang Rd 9", lat=SONGJIANG[0], lng=SONGJIANG[1]))
    page.goto("/shop/checkout?lang=en")
    page.locator("input[name=mode][value=store_delivery]").check()
    page.locator(f"input[name=address][value='{far.id}']").check()
    page.locator("button[name=action][value=quote]").click()
    problem = page.locator("[data-plan-problem]")
    expect(problem.locator("h2")).to_have_text("XJH Store cannot deliver to this address")
    expect(problem.locator("[data-plan-range]")).to_have_text(
        re.compile(r"^The address is 2\d\.\d km from XJH Store; it delivers within 3\.0 km\.$"))
    parcel = problem.locator(f'[data-alt-parcel="{chain.warehouse}"]')
    expect(parcel).to_contain_text("Parcel from Jiading DC · delivery ¥10.00, free from ¥99.00 · arrives in 1–2 days")
    expect(page.locator(".summary .route")).to_have_count(0)  # no quote claims a store delivery
    expect(page.get_by_role("button", name="Place order")).to_be_disabled()
    expect(page.locator("input[name=mode][value=store_delivery]").locator("xpath=..")).to_contain_text(
        "not possible for this order")
    assert _fits(page)
    shot(page, "shop-checkout-out-of-range")

    parcel.get_by_role("button", name="Send by parcel instead").click()
    expect(page.locator("input[name=mode][value=parcel]")).to_be_checked()
    expect(page.locator("input[name=mode][value=store_delivery]")).not_to_be_checked()
    expect(page.locator(".summary .route")).to_contain_text("Parcel · Jiading DC")
    expect(page.locator(".summary")).to_contain_text("¥10.00")
    shot(page, "shop-checkout-parcel-chosen")
    assert _orders(c) == []
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/shop/orders/SO\d+/pay"))
    placed = _orders(c)
    assert [(o.mode, o.fulfil_location_id, o.delivery_fee_fen) for o in placed] == [("parcel", chain.warehouse, 1000)]
    assert orders.get(c.db, placed[0].number).mode == "parcel"
    assert errors == []
