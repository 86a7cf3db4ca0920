"""POS-lite in Chromium at phone and desktop sizes: the console's till is not open yet, so the page sends the
clerk to the till page to open it (a float of 100 yuan); then the clerk scans two items' barcodes (the scanner types
into the field), steps a quantity up and down, scans the member's QR (Chromium's fake camera films it),
applies the member's coupon, sees the engine's bill with "满20减3", takes cash with change, finishes and
prints the receipt; the page passes axe-core's serious/critical checks."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from o2o.customers import service as customers
from o2o.inventory import service as inventory
from o2o.orders.models import Order
from tests.browser.conftest import sign_in_staff
from tests.browser.test_accessibility import audit, verdict, with_axe
from tests.browser.test_console_scan import film, with_camera
from tests.browser.test_shop import fits_the_screen
from tests.factories.auth import PASSWORD, Auth
from tests.factories.chain import build_chain, receive
from tests.factories.pos import coupon_of

CAMERA = Path(tempfile.gettempdir()) / f"o2o-fake-camera-pos-{os.getpid()}.y4m"
MILK, YOGURT = "6900000000000", "6900000000010"


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """This module's Chromium has a fake camera that plays CAMERA (written by the test before it scans)."""
    yield from with_camera(CAMERA)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_clerk_rings_up_a_sale_with_the_member_qr_and_a_coupon_and_prints_the_receipt(live, open_page, shot, size):
    c = live.container
    chain = build_chain(c)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    for sku in chain.skus.values():
        receive(c, store, sku, 10)
    code = coupon_of(c, chain.customer)
    Auth(c).staff_user("clerk", store_id=store, login=f"clerk-pos-{size}")
    page = with_axe(open_page(size))
    sign_in_staff(page, f"clerk-pos-{size}", PASSWORD)
    page.goto(f"/console/{store}")
    page.get_by_role("link", name="收银", exact=True).first.click()
    page.wait_for_url(f"**/console/{store}/pos")
    # the console's till (WEB) is not open yet: the page says so and sends the clerk to open it
    expect(page.locator("[data-till-closed]")).to_contain_text("收银机未开班")
    expect(page.get_by_label("商品条码", exact=True)).to_have_count(0)
    assert fits_the_screen(page)
    closed: list[str] = []
    audit(page, None, closed)
    verdict(closed)
    shot(page, "console-pos-till-closed")
    page.locator("[data-open-till]").click()
    page.wait_for_url(f"**/console/{store}/till?terminal=*")
    expect(page.locator("[data-till='WEB']")).to_have_attribute("data-till-state", "closed")
    page.get_by_label("备用金（元）").fill("100")
    page.get_by_role("button", name="开班", exact=True).click()
    expect(page.locator("[data-till-done=opened]")).to_be_visible()
    page.get_by_role("link", name="收银", exact=True).first.click()
    page.wait_for_url(f"**/console/{store}/pos")
    expect(page.locator("[data-till-closed]")).to_have_count(0)

    for barcode in (MILK, MILK, YOGURT):  # a barcode scanner types the digits and Enter
        page.get_by_label("商品条码", exact=True).fill(barcode)
        page.get_by_label("商品条码", exact=True).press("Enter")
        page.wait_for_load_state("load")
    expect(page.locator(f"[data-line='{milk}'] [data-qty]")).to_have_text("2")
    page.locator(f"[data-line='{milk}']").get_by_role("button", name="加一件").click()
    expect(page.locator(f"[data-line='{milk}'] [data-qty]")).to_have_text("3")
    page.locator(f"[data-line='{milk}']").get_by_role("button", name="减一件").click()
    expect(page.locator(f"[data-line='{milk}'] [data-qty]")).to_have_text("2")

    # the member QR on the customer's phone, filmed by the fake camera
    film("O2O-MEMBER:" + customers.member_code(chain.customer, c.clock.now()), CAMERA)
    page.get_by_role("button", name="打开摄像头").click()
    expect(page.locator("[data-present]")).to_be_visible(timeout=20_000)
    assert "13800138000" not in page.locator("[data-member]").inner_text()  # masked

    page.get_by_label("优惠券券码", exact=True).fill(code)
    page.get_by_label("优惠券券码", exact=True).press("Enter")
    page.wait_for_load_state("load")
    expect(page.locator("[data-discount]")).to_contain_text("满20减3")
    due = int(page.locator("[data-due]").get_attribute("data-due") or 0)
    assert due == 2 * 1290 + 890 - 300
    assert fits_the_screen(page)
    found: list[str] = []
    audit(page, None, found)
    verdict(found)
    shot(page, "console-pos-bill")

    page.get_by_label("实收现金（元）").fill("50")
    page.get_by_role("button", name="完成收款").click()
    expect(page.locator("[data-sale]")).to_be_visible()
    expect(page.locator("[data-change]")).to_contain_text(f"¥{(5000 - due) / 100:.2f}")
    with page.expect_popup() as popup:
        page.locator("[data-print-receipt]").click()
    receipt = popup.value
    receipt.wait_for_load_state("load")
    expect(receipt.locator("[data-receipt]")).to_contain_text("满20减3")
    expect(receipt.locator("[data-tender='cash']")).to_contain_text("¥50.00")
    expect(receipt.locator("[data-change]")).to_contain_text(f"¥{(5000 - due) / 100:.2f}")
    shot(receipt, "console-pos-receipt")

    with c.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Order).where(Order.channel == "pos")) == 1
    assert inventory.stock_of(c.db, store, [milk])[milk].on_hand == 8
