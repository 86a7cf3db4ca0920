"""Store credit at POS-lite in Chromium, phone and desktop sizes: the clerk scans an item, types the member's
QR into the member field (a scanner gun types it), sees the member's store credit in the member panel and
the store-credit field in the tenders, pays part with store credit and the rest in cash and finishes; the
balance falls by that part; the page fits the screen and passes axe-core's serious/critical checks. The member
then signs in on their phone and the member centre shows the store credit left."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from o2o.customers import service as customers
from o2o.pos import service as pos
from o2o.returns import service as returns
from tests.browser.conftest import sign_in_staff
from tests.browser.test_accessibility import audit, verdict, with_axe
from tests.browser.test_shop import PHONE, code_from_inbox, fits_the_screen
from tests.factories import tills
from tests.factories.auth import PASSWORD, Auth
from tests.factories.chain import build_chain, receive
from tests.integration.pos.test_store_credit import give_credit

MILK = "6900000000000"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_clerk_takes_part_of_a_sale_from_the_members_store_credit(live, open_page, shot, size):
    c = live.container
    chain = build_chain(c)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(c, store, milk, 5)
    give_credit(c, chain.customer, 2_000)
    tills.open_session(c, pos.console_till(c.uow(), store, tills.OPENER).terminal_id)
    Auth(c).staff_user("clerk", store_id=store, login=f"clerk-credit-{size}")
    page = with_axe(open_page(size))
    sign_in_staff(page, f"clerk-credit-{size}", PASSWORD)
    page.goto(f"/console/{store}/pos")
    page.get_by_label("商品条码", exact=True).fill(MILK)
    page.get_by_label("商品条码", exact=True).press("Enter")
    page.wait_for_load_state("load")
    expect(page.locator(f"[data-line='{milk}']")).to_be_visible()
    page.get_by_label("手机号或会员卡号", exact=True).fill("O2O-MEMBER:" + customers.member_code(chain.customer,
                                                                                           c.clock.now()))
    page.get_by_label("手机号或会员卡号", exact=True).press("Enter")
    page.wait_for_load_state("load")
    expect(page.locator("[data-present]")).to_be_visible()
    expect(page.locator("[data-store-credit]")).to_contain_text("储值余额 ¥20.00")
    due = int(page.locator("[data-due]").get_attribute("data-due") or 0)
    assert due > 500
    page.get_by_label("储值余额支付（元）").fill("5")
    page.get_by_label("实收现金（元）").fill(f"{(due - 500) / 100:.2f}")
    assert fits_the_screen(page)
    found: list[str] = []
    audit(page, None, found)
    verdict(found)
    shot(page, "console-pos-store-credit")
    page.get_by_role("button", name="完成收款").click()
    expect(page.locator("[data-sale]")).to_be_visible()
    assert returns.store_credit(c.db, chain.customer) == 1_500

    shopper = open_page(size)  # the member, on their own phone
    shopper.goto("/shop/member")
    shopper.wait_for_url("**/shop/signin?next=*")
    shopper.get_by_label("手机号").fill(PHONE)
    shopper.get_by_role("button", name="获取验证码").click()
    shopper.wait_for_url("**/shop/signin/code?*")
    shopper.get_by_label("验证码", exact=True).fill(code_from_inbox(c))
    shopper.get_by_role("button", name="登录", exact=True).click()
    shopper.wait_for_url("**/shop/member")
    expect(shopper.locator("[data-store-credit]")).to_contain_text("储值余额：¥15.00")
    assert fits_the_screen(shopper)
    shot(shopper, "shop-member-store-credit")
