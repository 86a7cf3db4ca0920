"""Console fixes of issue 12 (point 9), in Chromium on a phone and a desktop: the handover page shows one
camera button at a time; the stock page logs no console error (its quantity pattern compiles under the
v flag Chromium uses) and explains a refusal below the reserved units; a stocktake by counted quantity."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from o2o.inventory import service as inventory
from tests.browser.conftest import sign_in_staff
from tests.browser.test_console import SIZES, _on_hand, _paid_pickup, _stocked
from tests.factories.auth import PASSWORD


def _errors(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every console error and uncaught page error from now on (appended as they come)."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(f"pageerror: {e}"))
    return seen


@pytest.mark.parametrize("size", SIZES)
def test_the_handover_page_shows_only_the_open_camera_button(live, open_page, shot, auth, size):
    chain = _stocked(live)
    store = chain.stores["xujiahui"]
    auth.staff_user("clerk", store_id=store, login="clerk-h")
    page = open_page(size)
    errors = _errors(page)
    sign_in_staff(page, "clerk-h", PASSWORD)
    page.goto(f"/console/{store}/handover")
    start = page.get_by_role("button", name="打开摄像头")
    stop = page.locator("[data-scan-stop]")
    expect(start).to_be_visible()
    expect(stop).to_be_hidden()
    assert stop.evaluate("e => e.hidden && getComputedStyle(e).display") == "none"
    assert page.get_by_text("关闭摄像头").is_visible() is False
    shot(page, "console-handover-one-camera-button")
    assert errors == []


@pytest.mark.parametrize("size", SIZES)
def test_the_stock_page_logs_no_error_and_its_quantity_pattern_works(live, open_page, shot, auth, size):
    chain = _stocked(live, quantity=10)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    auth.staff_user("clerk", store_id=store, login="clerk-p")
    _paid_pickup(live, auth, chain, quantity=4)  # 4 of the 10 milk reserved
    page = open_page(size)
    errors = _errors(page)
    sign_in_staff(page, "clerk-p", PASSWORD)
    page.goto(f"/console/{store}/stock?sku={milk}")
    quantity = page.locator("#f-quantity")
    for typed, valid in (("-3", True), ("+12", True), ("7", True), ("abc", False), ("--1", False), ("1234567", False)):
        quantity.fill(typed)
        assert quantity.evaluate("e => e.validity.valid") is valid, typed
    assert errors == []  # an invalid pattern logs "Pattern attribute value ... is not a valid regular expression"

    page.get_by_label("调整（可加可减，如盘点、损坏）").check()
    quantity.fill("-8")
    page.locator("#f-reason").fill("破损")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator("#e-quantity")).to_have_text(
        "订单已占用 4 件（在库 10 件），在库不能低于 4 件：最多可减少 6 件。")
    shot(page, "console-stock-below-reserved")
    assert _on_hand(live, store, milk) == 10
    assert [e for e in errors if "status of 422" not in e] == []  # the refused form answers 422


@pytest.mark.parametrize("size", SIZES)
def test_a_clerk_records_a_stocktake_by_the_counted_quantity(live, open_page, shot, auth, size):
    chain = _stocked(live, quantity=10)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    auth.staff_user("clerk", store_id=store, login="clerk-c")
    _paid_pickup(live, auth, chain, quantity=2)
    page = open_page(size, locale="en")
    errors = _errors(page)
    sign_in_staff(page, "clerk-c", PASSWORD)
    page.goto(f"/console/{store}/stock?sku={milk}")
    count = page.locator("#count")
    expect(count).to_contain_text("Stocktake")
    expect(count).to_contain_text("Now on hand: 10, reserved by orders: 2.")
    page.locator("#f-counted").fill("1")
    page.get_by_role("button", name="Record count").click()
    expect(page.locator("#e-counted")).to_contain_text("Orders have reserved 2: a count cannot be lower than 2.")
    assert _on_hand(live, store, milk) == 10

    page.locator("#f-counted").fill("7")
    shot(page, "console-stocktake")
    page.get_by_role("button", name="Record count").click()
    expect(page.locator(".notice.success")).to_contain_text("Count recorded: difference -3")
    expect(page.locator("#adjust-now")).to_contain_text("On hand 7, reserved 2, available 5.")
    shot(page, "console-stocktake-done")
    assert _on_hand(live, store, milk) == 7
    assert inventory.check(live.container.db).ok
    assert [e for e in errors if "status of 422" not in e] == []  # the refused count answered 422
