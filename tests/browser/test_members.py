"""Members in Chromium at phone and desktop sizes: a clerk finds a customer by phone and by scanning the
member QR from the customer's phone (Chromium's fake camera films the QR the storefront drew) and sees
the masked 360 profile; a shopper follows (关注) a product and finds it listed."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from o2o.customers import service as customers
from tests.browser.conftest import sign_in_staff
from tests.browser.test_console import _paid_pickup, _stocked
from tests.browser.test_console_scan import film, with_camera
from tests.browser.test_shop import code_from_inbox, fits_the_screen
from tests.factories.auth import PASSWORD

CAMERA = Path(tempfile.gettempdir()) / f"o2o-fake-camera-members-{os.getpid()}.y4m"
PHONE = "13800138000"  # the chain's customer


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """This module's Chromium has a fake camera that plays CAMERA (written by a test before it scans)."""
    yield from with_camera(CAMERA)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_clerk_finds_a_member_by_phone_and_by_scanning_their_member_qr(live, open_page, shot, auth, size):
    chain = _stocked(live)
    number = _paid_pickup(live, auth, chain, quantity=1)
    store = chain.stores["xujiahui"]
    auth.staff_user("clerk", store_id=store, login=f"clerk-m-{size}")
    page = open_page(size)
    sign_in_staff(page, f"clerk-m-{size}", PASSWORD)
    page.goto(f"/console/{store}")
    page.get_by_role("link", name="会员").first.click()
    page.get_by_label("手机号、会员卡号或会员码").fill(PHONE)
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(f"**/console/{store}/members/{chain.customer}")
    expect(page.locator("[data-member-phone]")).to_have_text("138****8000")
    expect(page.get_by_text(number)).to_be_visible()
    html = page.content()
    assert PHONE not in html and "张三" not in html and "已脱敏" in html
    assert fits_the_screen(page)
    shot(page, "console-member-profile")

    # the customer shows the member QR from the storefront; the clerk scans it
    code = customers.member_code(chain.customer, live.container.clock.now())
    film(f"O2O-MEMBER:{code}", CAMERA)
    page.goto(f"/console/{store}/members")
    page.get_by_role("button", name="打开摄像头").click()
    page.wait_for_url(f"**/console/{store}/members/{chain.customer}", timeout=20_000)
    expect(page.locator("[data-member-phone]")).to_have_text("138****8000")
    assert code not in page.content()
    shot(page, "console-member-scanned")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_shopper_follows_a_product_and_sees_it_listed(live, open_page, shot, size):
    chain = _stocked(live)
    pid = next(p.id for p in customers_products(live))
    page = open_page(size)
    page.goto(f"/shop/signin?next=/shop/products/{pid}")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/shop/signin/code?*")
    page.get_by_label("验证码", exact=True).fill(code_from_inbox(live.container))
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"**/shop/products/{pid}")
    follow = page.get_by_role("button", name=re.compile("关注"))
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    page.wait_for_url(f"**/shop/products/{pid}")
    expect(page.get_by_role("button", name=re.compile("取消关注"))).to_have_attribute("aria-pressed", "true")
    assert fits_the_screen(page)
    shot(page, "shop-product-followed")
    page.goto("/shop/favorites")
    expect(page.locator("[data-followed-products]")).to_contain_text("测试milk")
    expect(page.locator("[data-viewed]")).to_contain_text("测试milk")
    assert fits_the_screen(page)
    shot(page, "shop-favorites")
    page.goto("/shop/member/code")
    expect(page.locator("[data-member-qr] svg")).to_be_visible()
    shown = page.locator("[data-member-code]").inner_text()
    assert customers.resolve_member_code(shown, live.container.clock.now()) == chain.customer
    assert fits_the_screen(page)
    shot(page, "shop-member-code")


def customers_products(live):  # type: ignore[no-untyped-def]
    from o2o.catalog import service as catalog
    from o2o.kernel.pagination import PageParams

    return [p for p in catalog.search(live.container.db, "milk", None, PageParams(page=1, size=5)).items]
