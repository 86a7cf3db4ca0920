"""The storefront's member centre and points at checkout, through the app."""

from __future__ import annotations

import re

import pytest

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.loyalty import service as loyalty
from o2o.loyalty.schemas import RewardIn
from o2o.orders import service as orders
from tests.e2e.test_shop_checkout import checkout_form, place
from tests.e2e.test_shop_pages import choose_store, form, shop_chain, sign_in, text


@pytest.fixture
def shopper(client, container):  # type: ignore[no-untyped-def]
    chain = shop_chain(container)
    choose_store(client, chain.stores["xujiahui"])
    sign_in(client, container, chain.customer)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)
    client.chain = chain
    return client


def test_member_centre_shows_tier_points_and_redeems_from_the_mall(shopper, container):
    c = shopper.chain.customer
    loyalty.adjust(container.uow(), c, 1_200, "welcome")
    bag = loyalty.add_reward(container.uow(), RewardIn(kind="goods", name_zh="帆布袋", name_en="Tote bag",
                                                       points_cost=1_000, stock=3))
    loyalty.add_reward(container.uow(), RewardIn(kind="service", name_zh="上门清洗", name_en="Home cleaning",
                                                 points_cost=5_000, stock=3))
    r = shopper.get("/shop/member?lang=en")
    assert r.status_code == 200
    body = text(r.text)
    assert "Member" in body and "1200" in body and "Tote bag" in body and "/shop/member/code" in r.text
    assert 'data-tier="normal"' in r.text and "<progress" in r.text
    assert r.text.count('/redeem"') == 1  # the 5000-point reward is out of reach
    r = form(shopper, f"/shop/member/rewards/{bag.id}/redeem")
    assert r.status_code == 303
    r = shopper.get(r.headers["location"])
    code = re.search(r'data-voucher="([0-9A-F]+)"', r.text).group(1)
    assert code in r.text and loyalty.balance_of(container.db, c) == 200
    r = form(shopper, f"/shop/member/rewards/{bag.id}/redeem")
    assert r.status_code == 409  # 200 points left
    assert form(shopper, "/shop/member/rewards/999999/redeem").status_code == 404


def test_checkout_offers_points_and_placing_with_them_lowers_the_total(shopper, container):
    c = shopper.chain.customer
    loyalty.adjust(container.uow(), c, 5_000, "welcome")
    r = shopper.get("/shop/checkout?lang=en")
    assert "Use 1290 points" in text(r.text)  # half of 2 x 12.90
    number = place(shopper, use_points="1", points="1290")
    order = orders.get(container.db, number)
    assert order.discount_fen == 1290 and order.total_fen == 1290
    assert loyalty.balance_of(container.db, c) == 5_000 - 1290


def test_checkout_with_points_that_are_gone_meanwhile_says_so(shopper, container):
    c = shopper.chain.customer
    loyalty.adjust(container.uow(), c, 500, "welcome")
    values = checkout_form(shopper)
    loyalty.adjust(container.uow(), c, -400, "spent elsewhere")
    r = form(shopper, "/shop/checkout", **{**values, "action": "place", "use_points": "1", "points": "500"})
    assert r.status_code == 409 and "积分余额已变化" in text(r.text)
    assert loyalty.balance_of(container.db, c) == 100
