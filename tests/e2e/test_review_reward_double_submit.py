"""Review: the member centre's redeem form is sent once per page (its hidden `idem` key): a double tap,
or the browser re-sending the POST, used to redeem the reward twice (two vouchers, the points taken
twice, two units of stock)."""

from __future__ import annotations

import re

from o2o.loyalty import service as loyalty
from o2o.loyalty.schemas import RewardIn
from tests.e2e.test_shop_pages import choose_store, form, shop_chain, sign_in


def test_a_redeem_form_sent_twice_redeems_once(client, container):
    chain = shop_chain(container)
    choose_store(client, chain.stores["xujiahui"])
    sign_in(client, container, chain.customer)
    loyalty.adjust(container.uow(), chain.customer, 3_500, "welcome")
    bag = loyalty.add_reward(container.uow(), RewardIn(kind="goods", name_zh="帆布袋", name_en="Tote bag",
                                                       points_cost=1_000, stock=5))
    sent = "k1-abcdefghijklmnop"  # the key of one rendering of the page, posted twice
    first = form(client, f"/shop/member/rewards/{bag.id}/redeem", idem=sent)
    again = form(client, f"/shop/member/rewards/{bag.id}/redeem", idem=sent)
    assert first.status_code == again.status_code == 303
    assert loyalty.balance_of(container.db, chain.customer) == 2_500
    assert len(loyalty.redemptions(container.db, chain.customer)) == 1
    assert first.headers["location"] == again.headers["location"]  # the same voucher shown
    page = client.get("/shop/member").text
    idem = re.search(r'name="idem" value="([A-Za-z0-9_-]{16,64})"', page)
    assert idem is not None, "the redeem form carries its one-time key"
    assert form(client, f"/shop/member/rewards/{bag.id}/redeem", idem=idem.group(1)).status_code == 303
    assert form(client, f"/shop/member/rewards/{bag.id}/redeem", idem=idem.group(1)).status_code == 303
    assert loyalty.balance_of(container.db, chain.customer) == 1_500
    # the next page's form is a new redemption
    fresh = re.search(r'name="idem" value="([A-Za-z0-9_-]{16,64})"', client.get("/shop/member").text).group(1)
    assert fresh != idem.group(1)
    assert form(client, f"/shop/member/rewards/{bag.id}/redeem", idem=fresh).status_code == 303
    assert loyalty.balance_of(container.db, chain.customer) == 500
    # one page's forms share the key: another reward from it is its own redemption, not the first one's
    cup = loyalty.add_reward(container.uow(), RewardIn(kind="goods", name_zh="杯子", name_en="Cup",
                                                       points_cost=500, stock=5))
    r = form(client, f"/shop/member/rewards/{cup.id}/redeem", idem=fresh)
    assert r.status_code == 303 and r.headers["location"] != again.headers["location"]
    assert loyalty.balance_of(container.db, chain.customer) == 0
    assert sorted(v.reward_id for v in loyalty.redemptions(container.db, chain.customer)) == [bag.id] * 3 + [cup.id]
