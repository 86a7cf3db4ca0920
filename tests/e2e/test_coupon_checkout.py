"""Checkout with promotions and coupons through the storefront on both databases: the bill's discount lines
("满200减30 -¥30.00"), picking another coupon or none (the page says how the total changed, never silently),
and placing exactly what the page showed."""

from __future__ import annotations

import re

import pytest

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.orders import service as orders
from o2o.promotions import service as promotions
from tests.e2e.test_shop_checkout import checkout_form
from tests.e2e.test_shop_pages import EN, choose_store, form, shop_chain, sign_in, text
from tests.factories.chain import XUJIAHUI_NEAR, receive
from tests.integration.promotions.flow import promotion, template


@pytest.fixture
def shopper(client, container):  # type: ignore[no-untyped-def]
    """The chain's customer at Xujiahui with 18 milks (¥232.20) in the cart and two coupons that do not
    combine (one group): 满200减30 (an LBS exclusive of the store) and 满100减10."""
    chain = shop_chain(container)
    store = chain.stores["xujiahui"]
    receive(container, store, chain.skus["milk"], 20)
    choose_store(client, store, XUJIAHUI_NEAR)
    sign_in(client, container, chain.customer)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 18)
    big = template(container, store_id=store, radius_m=3000, group_code="coupon")  # one coupon an order
    small = template(container, name_zh="满100减10", name_en="10 off 100", min_fen=10_000, off_fen=1_000,
                     group_code="coupon")
    promotions.claim(container.uow(), chain.customer, big, lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1])
    promotions.claim(container.uow(), chain.customer, small)
    wallet = {c.template_id: c.id for c in promotions.wallet(container.db, chain.customer, container.clock.now()).usable}
    client.o2o = {"chain": chain, "big": wallet[big], "small": wallet[small]}  # type: ignore[attr-defined]
    return client


def _total(html: str) -> int:
    return int(re.search(r'data-total="(\d+)"', html).group(1))


def test_checkout_shows_the_best_coupon_as_a_bill_line_and_places_it(shopper, container):
    r = shopper.get("/shop/checkout")
    assert r.status_code == 200
    page = text(r.text)
    assert "满200减30 -¥30.00" in page and _total(r.text) == 23_220 - 3_000
    assert f'value="{shopper.o2o["big"]}" checked' not in r.text  # "the best" is the choice, not a coupon
    assert "自动选择最优惠的" in page and "不使用优惠券" in page and "满100减10" in page
    fields = checkout_form(shopper)
    applied = re.search(r'name="applied" value="([^"]*)"', shopper.get("/shop/checkout").text).group(1)
    assert applied == str(shopper.o2o["big"])
    r = form(shopper, "/shop/checkout", action="place", applied=applied, **fields)
    assert r.status_code == 303, text(r.text)[:400]
    number = re.search(r"(SO\d+)", r.headers["location"]).group(1)
    order = orders.get(container.db, number)
    assert order.total_fen == 20_220 and [d.label_zh for d in order.discounts] == ["满200减30"]
    used = promotions.wallet(container.db, shopper.o2o["chain"].customer, container.clock.now()).used
    assert [c.id for c in used] == [shopper.o2o["big"]]


def test_picking_another_coupon_or_none_says_how_the_total_changed(shopper, container):
    fields = checkout_form(shopper)
    shown = shopper.get("/shop/checkout").text
    keep = {k: re.search(rf'name="{k}" value="([^"]*)"', shown).group(1) for k in ("applied", "shown_coupon",
                                                                                   "shown_total")}
    r = form(shopper, "/shop/checkout", action="quote", coupon=str(shopper.o2o["small"]), **{**fields, **keep})
    assert r.status_code == 200
    page = text(r.text)
    assert "满100减10 -¥10.00" in page and "满200减30 -¥30.00" not in page and "满200减30未使用：您选择了其他优惠" in page
    assert "已更换优惠券：应付金额由 ¥202.20 变为 ¥222.20。" in page
    assert _total(r.text) == 22_220
    # none
    keep = {k: re.search(rf'name="{k}" value="([^"]*)"', r.text).group(1) for k in ("applied", "shown_coupon",
                                                                                    "shown_total")}
    r = form(shopper, "/shop/checkout", action="quote", coupon="none", **{**fields, **keep}, headers=EN)
    assert "Coupon changed: the total went from ¥222.20 to ¥232.20." in text(r.text) and _total(r.text) == 23_220
    # placing with "none" places no coupon
    keep = {k: re.search(rf'name="{k}" value="([^"]*)"', r.text).group(1) for k in ("applied", "shown_coupon",
                                                                                    "shown_total")}
    r = form(shopper, "/shop/checkout", action="place", coupon="none", **{**fields, **keep})
    assert r.status_code == 303
    order = orders.get(container.db, re.search(r"(SO\d+)", r.headers["location"]).group(1))
    assert order.total_fen == 23_220 and order.discounts == []


def test_a_coupon_used_meanwhile_is_refused_at_its_field_and_nothing_is_placed(shopper, container):
    fields = checkout_form(shopper)
    shown = shopper.get("/shop/checkout").text
    applied = re.search(r'name="applied" value="([^"]*)"', shown).group(1)
    # the same coupon redeemed at a till meanwhile
    code = next(c.code for c in promotions.wallet(container.db, shopper.o2o["chain"].customer,
                                                 container.clock.now()).usable if c.id == shopper.o2o["big"])
    from o2o.promotions.schemas import RedeemIn
    promotions.redeem_at_till(container.uow(), shopper.o2o["chain"].stores["xujiahui"],
                              RedeemIn(code=code, bill_fen=30_000), "staff:test")
    r = form(shopper, "/shop/checkout", action="place", applied=applied, **fields)
    assert r.status_code in (409, 422)
    assert "这张优惠券不能用于本订单" in text(r.text)
    assert orders.recent(container.db, shopper.o2o["chain"].customer, __import__(
        "o2o.kernel.pagination", fromlist=["PageParams"]).PageParams(page=1, size=5)) == []


def test_an_automatic_promotion_shows_as_its_own_line(client, container):
    chain = shop_chain(container)
    store = chain.stores["xujiahui"]
    promotion(container, kind="nth_discount", nth=2, pct_off=50, min_fen=0, off_fen=0, name_zh="第二件半价",
              name_en="Second half price", sku_ids=[chain.skus["milk"]])
    choose_store(client, store, XUJIAHUI_NEAR)
    sign_in(client, container, chain.customer)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)
    r = client.get("/shop/checkout")
    page = text(r.text)
    assert "第二件半价 -¥6.45" in page and _total(r.text) == 2_580 - 645
    assert "data-coupon-choice" not in r.text  # no coupon in the wallet: nothing to pick
