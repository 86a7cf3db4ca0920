"""Coupons in Chromium at phone and desktop sizes: a shopper near a store claims its 3 km coupon in the
coupon centre, shows it from the wallet and sees it applied at checkout as the line "满200减30 -¥30.00" (and
what changes without it); a clerk redeems another shopper's coupon by scanning its QR
(Chromium's fake camera films the QR the storefront drew) and by typing its code; an operator creates a
coupon in the campaign editor (a bad field told at the field first) and opens its results."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.orders import service as orders
from o2o.promotions import service as promotions
from o2o.promotions.schemas import TemplateIn
from tests.browser.conftest import sign_in_staff
from tests.browser.test_console_scan import film, with_camera
from tests.browser.test_shop import PHONE, code_from_inbox, fits_the_screen
from tests.e2e.test_shop_pages import shop_chain
from tests.factories.auth import PASSWORD
from tests.factories.chain import XUJIAHUI_NEAR, receive
from tests.integration.promotions.flow import customer

CAMERA = Path(tempfile.gettempdir()) / f"o2o-fake-camera-coupons-{os.getpid()}.y4m"


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """This module's Chromium has a fake camera that plays CAMERA (written by a test before it scans)."""
    yield from with_camera(CAMERA)


def _template(c, **kw):  # type: ignore[no-untyped-def]
    now = c.clock.now()
    values = dict(kind="threshold", name_zh="徐汇店周边专享", name_en="Near XJH", min_fen=20_000, off_fen=3_000,
                  claim_from=now - timedelta(days=1), claim_until=now + timedelta(days=7), valid_days=7)
    values.update(kw)
    return promotions.create_template(c.uow(), TemplateIn(**values)).id


def _sign_in_from(page, c) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_url("**/shop/signin?next=*")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/shop/signin/code?*")
    page.get_by_label("验证码", exact=True).fill(code_from_inbox(c))
    page.get_by_role("button", name="登录", exact=True).click()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_shopper_near_the_store_claims_its_3km_coupon_and_shows_it_from_the_wallet(live, open_page, shot, size):
    c = live.container
    chain = shop_chain(c)
    store = chain.stores["xujiahui"]
    tid = _template(c, store_id=store, radius_m=3000)
    _template(c, store_id=chain.stores["PD1"], radius_m=3000, name_zh="浦东店周边专享")  # 9 km away: not offered
    page = open_page(size)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": XUJIAHUI_NEAR[0], "longitude": XUJIAHUI_NEAR[1]})
    page.goto("/shop")
    page.get_by_role("button", name="使用我的位置").click()
    page.wait_for_url("**/shop/stores?lat=*")
    page.locator(".store-list li").first.get_by_role("button", name="选择XJH店").click()
    page.wait_for_url("**/shop/products")

    page.get_by_role("link", name="领券", exact=True).first.click()
    _sign_in_from(page, c)
    page.wait_for_url("**/shop/coupons")
    assert page.locator("h1").inner_text() == "领券中心"
    card = page.locator(f"[data-template='{tid}']")
    assert "满200减30" in card.inner_text() and "仅限XJH店使用" in card.inner_text()
    assert re.search(r"距您 5\d\d m", card.inner_text())
    assert "浦东店周边专享" not in page.content()
    assert fits_the_screen(page)
    shot(page, "shop-coupon-centre")
    card.get_by_role("button", name="领取满200减30").click()
    page.wait_for_url(f"**/shop/coupons?claimed={tid}")
    expect(page.get_by_role("status")).to_contain_text("已领取满200减30")
    # one per customer: the card says it is claimed instead of offering the button again
    claimed = page.locator(f"[data-template='{tid}']")
    expect(claimed.locator("[data-cannot-claim]")).to_have_text("已领取，在我的优惠券中")
    assert claimed.get_by_role("button").count() == 0
    shot(page, "shop-coupon-claimed")

    page.get_by_role("link", name="我的优惠券").first.click()
    page.wait_for_url("**/shop/coupons/mine")
    coupon = promotions.wallet(c.db, chain.customer, c.clock.now()).usable[0]
    item = page.locator(f"[data-coupon='{coupon.id}']")
    assert "满200减30" in item.inner_text() and coupon.code_display in item.inner_text()
    assert fits_the_screen(page)
    shot(page, "shop-coupon-wallet")
    item.get_by_role("link", name="出示券码（满200减30）").click()
    page.wait_for_url(f"**/shop/coupons/mine/{coupon.id}")
    qr = page.get_by_role("img", name="优惠券二维码")
    assert qr.is_visible() and qr.locator("svg").count() == 1
    assert page.locator("[data-coupon-code]").inner_text() == coupon.code_display
    assert fits_the_screen(page)
    shot(page, "shop-coupon-qr")
    # the member centre leads to the wallet too
    page.goto("/shop/member")
    assert page.locator("[data-wallet-link]").get_attribute("href") == "/shop/coupons/mine"

    # at checkout: 18 milks (¥232.20) at the store, the coupon applied as its own line of the bill
    receive(c, store, chain.skus["milk"], 20)
    cart.add(c.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 18)
    page.goto("/shop/checkout")
    line = page.locator(".discount-line")
    expect(line).to_have_count(1)
    assert re.sub(r"\s+", " ", line.inner_text()).strip() == "满200减30 -¥30.00"
    assert page.locator("[data-total]").inner_text() == "¥202.20"
    assert fits_the_screen(page)
    shot(page, "shop-checkout-coupon")
    # no coupon: the page says what changes before anything is placed
    page.get_by_label("不使用优惠券").check()
    expect(page.locator("[data-coupon-changed]")).to_have_text("已更换优惠券：应付金额由 ¥202.20 变为 ¥232.20。")
    expect(page.locator(".discount-line")).to_have_count(0)
    shot(page, "shop-checkout-no-coupon")
    page.get_by_label("自动选择最优惠的").check()
    expect(page.locator("[data-coupon-changed]")).to_contain_text("变为 ¥202.20")
    page.get_by_role("button", name="提交订单").click()
    page.wait_for_url(re.compile(r".*/shop/orders/SO\d+/pay$"))
    number = re.search(r"(SO\d+)", page.url).group(1)
    order = orders.get(c.db, number)
    assert order.total_fen == 20_220 and [d.label_zh for d in order.discounts] == ["满200减30"]
    assert promotions.wallet(c.db, chain.customer, c.clock.now()).used[0].id == coupon.id


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_clerk_redeems_another_shoppers_coupon_by_scanning_its_qr_and_by_typing_its_code(live, open_page, shot,
                                                                                          auth, size):
    c = live.container
    chain = shop_chain(c)
    store = chain.stores["xujiahui"]
    tid = _template(c, name_zh="满200减30", name_en="30 off 200")
    gift = _template(c, kind="gift", gift_sku_id=chain.skus["milk"], min_fen=0, off_fen=0, name_zh="到店领牛奶",
                     name_en="Free milk", channel="till")
    shopper = customer(c, 40 if size == "phone" else 41, home=XUJIAHUI_NEAR)
    promotions.claim(c.uow(), shopper, tid)
    promotions.claim(c.uow(), shopper, gift)
    wallet = {x.template_id: x for x in promotions.wallet(c.db, shopper, c.clock.now()).usable}
    auth.staff_user("clerk", store_id=store, login=f"clerk-cp-{size}")
    page = open_page(size)
    sign_in_staff(page, f"clerk-cp-{size}", PASSWORD)
    page.goto(f"/console/{store}")
    page.get_by_role("link", name="核销优惠券").first.click()
    page.wait_for_url(f"**/console/{store}/coupons")

    # the QR the shopper's phone shows, filmed by the fake camera
    film(f"O2O-COUPON:{wallet[tid].code}", CAMERA)
    page.get_by_role("button", name="打开摄像头").click()
    found = page.locator("[data-coupon-status]")
    expect(found).to_be_visible(timeout=20_000)
    assert "满200减30" in found.inner_text() and "136****0040"[:7] in found.inner_text()
    assert wallet[tid].code not in page.locator("[data-owner]").inner_text()
    page.get_by_label("使用优惠券前的账单金额（元）").fill("236.50")
    assert fits_the_screen(page)
    shot(page, "console-coupon-found")
    page.get_by_role("button", name="核销此券").click()
    page.wait_for_url(f"**/console/{store}/coupons?redeemed=*")
    expect(page.locator("[data-redeemed]")).to_contain_text("已核销")
    expect(page.locator("[data-redeemed]")).to_contain_text("请从账单中减去 ¥30.00")
    shot(page, "console-coupon-redeemed")

    # the gift coupon, typed (lower case, no dashes), then the same code again: used
    page.get_by_label("券码", exact=True).fill(wallet[gift].code.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.locator("[data-coupon-status]")).to_contain_text("到店领牛奶")
    page.get_by_role("button", name="核销此券").click()
    expect(page.locator("[data-redeemed]")).to_contain_text(f"{wallet[gift].code_display}（赠品）已核销")
    page.get_by_label("券码", exact=True).fill(wallet[gift].code_display)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_contain_text("此券已使用")
    assert page.get_by_role("button", name="核销此券").count() == 0
    assert fits_the_screen(page)
    shot(page, "console-coupon-used")
    page.get_by_label("券码", exact=True).fill("ABCD-EFGH-JKMN-PQ")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_contain_text("没有这张优惠券")
    assert {x.state for x in promotions.wallet(c.db, shopper, c.clock.now()).used} == {"used"}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_operator_creates_a_coupon_in_the_campaign_editor_and_opens_its_results(live, open_page, shot, auth,
                                                                                   size):
    c = live.container
    chain = shop_chain(c)
    auth.staff_user("operator", login=f"op-cp-{size}")
    page = open_page(size)
    sign_in_staff(page, f"op-cp-{size}", PASSWORD)
    page.goto("/admin/campaigns")
    assert page.locator("h1").inner_text() == "营销活动"
    page.get_by_role("link", name="新建优惠券").click()
    page.get_by_label("名称（中文）").fill("满200减30")
    page.get_by_label("名称（英文）").fill("30 off 200")
    page.get_by_label("门槛（元）").fill("200")
    page.get_by_label("减免金额（元）").fill("三十")
    page.get_by_label("或领取后有效天数").fill("7")
    page.get_by_label("发放总量").fill("100")
    page.get_by_label("专享门店").select_option(str(chain.stores["xujiahui"]))
    page.get_by_role("button", name="创建").click()
    expect(page.locator("#e-f-off_fen")).to_have_text("请输入金额（元），如 30 或 12.50。")
    assert page.get_by_label("减免金额（元）").get_attribute("aria-invalid") == "true"
    assert fits_the_screen(page)
    shot(page, "admin-campaign-error")
    page.get_by_label("减免金额（元）").fill("30")
    page.get_by_role("button", name="创建").click()
    page.wait_for_url(re.compile(r".*/admin/campaigns/coupon/\d+\?done=created"))
    tid = int(re.search(r"/coupon/(\d+)", page.url).group(1))
    t = promotions.template(c.db, tid)
    assert (t.min_fen, t.off_fen, t.total_qty, t.store_id, t.radius_m) == (20_000, 3_000, 100, chain.stores["xujiahui"],
                                                                         3000)
    page.get_by_label("顾客编号").fill(str(chain.customer))
    page.get_by_role("button", name="发放").click()
    expect(page.locator("[data-issued]")).to_contain_text("已发放 1 张")
    shot(page, "admin-campaign-edit")
    page.get_by_role("link", name="效果").first.click()
    expect(page.locator("[data-kpi='issued']")).to_have_text("1")
    assert fits_the_screen(page)
    shot(page, "admin-campaign-results")
