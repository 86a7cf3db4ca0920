"""The storefront shows a member's tier benefits, on both databases: the cart and the checkout price
the lines at the tier price (named, with the list price struck through), and the checkout of a gold
member's store delivery shows the fee waived and why; a normal member sees list prices and the fee."""

from __future__ import annotations

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.customers import service as customers
from tests.e2e.test_addresses import _pick
from tests.e2e.test_shop_pages import EN, ZH, choose_store, form, shop_chain, sign_in, text
from tests.e2e.test_tier_benefits import MILK, _rules, _spent


def _shopper(client, container, chain, customer_id):  # type: ignore[no-untyped-def]
    choose_store(client, chain.stores["xujiahui"])
    sign_in(client, container, customer_id)
    return client


def test_gold_member_sees_tier_prices_in_cart_and_checkout_and_no_delivery_fee(client, container):
    chain = shop_chain(container)
    _spent(container, chain.customer, 500_000)  # gold: 98% prices, free store delivery
    shopper = _shopper(client, container, chain, chain.customer)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)
    gold_unit = (MILK * 98 + 50) // 100

    page = text(shopper.get("/shop/cart", headers=ZH).text)
    assert "黄金会员价" in page and f"单价 ¥{gold_unit / 100:.2f}" in page and f"原价 ¥{MILK / 100:.2f}" in page
    assert f"¥{2 * gold_unit / 100:.2f}" in page
    assert "Gold price" in text(shopper.get("/shop/cart", headers=EN).text)

    picked = _pick(shopper, "港汇恒隆广场")
    form(shopper, "/shop/addresses", ZH, **picked, recipient="王小明", label="home", door="2号楼")
    assert customers.addresses(container.db, chain.customer)
    html = shopper.get("/shop/checkout?mode=store_delivery", headers=ZH).text
    page = text(html)
    assert 'data-tier-price="gold"' in html and "黄金会员价" in page and f"原价 ¥{MILK / 100:.2f}" in page
    assert 'data-fee-waived="gold"' in html and "免运费：黄金会员权益（原 ¥6.00）" in page
    assert f"¥{2 * gold_unit / 100:.2f}" in page
    en = text(shopper.get("/shop/checkout?mode=store_delivery", headers=EN).text)
    assert "Free: Gold benefit (was ¥6.00)" in en and "Gold price" in en


def test_favorites_are_linked_from_the_nav_and_the_member_centre(client, container):
    chain = shop_chain(container)
    shopper = _shopper(client, container, chain, chain.customer)
    member_page = shopper.get("/shop/member", headers=ZH).text
    assert member_page.count('href="/shop/favorites"') == 2 and "我的关注" in member_page  # nav + centre
    assert shopper.get("/shop/favorites", headers=EN).status_code == 200


def test_normal_member_sees_list_prices_and_the_fee(client, container):
    chain = shop_chain(container)
    _rules(container, silver={"price_pct": 95})  # a silver price exists, but this member is not silver
    shopper = _shopper(client, container, chain, chain.customer)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 1)
    html = shopper.get("/shop/cart", headers=ZH).text
    assert "data-tier-price" not in html and f"单价 ¥{MILK / 100:.2f}" in text(html)
    picked = _pick(shopper, "港汇恒隆广场")
    form(shopper, "/shop/addresses", ZH, **picked, recipient="王小明", label="home", door="2号楼")
    html = shopper.get("/shop/checkout?mode=store_delivery", headers=ZH).text
    assert "data-tier-price" not in html and "data-fee-waived" not in html
    assert "配送费 ¥6.00" in text(html)
