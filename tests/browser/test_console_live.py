"""The console's live board, pick list and short pick in Chromium, on a phone and on a desktop.

- a new order rings: after "开启提醒" (one click: browsers play sound only after a gesture) an order
  placed by the customer's phone plays the chime (HTMLMediaElement.play observed by an init script),
  raises a notification (permission granted to the context; the constructor observed) and puts
  "(1) " in the title, and the board shows the order without a reload;
- the pick list: ticks saved, print preview (print media emulated) on A4 and as an 80 mm receipt, whose
  PDF pages are A4 and 80 mm wide;
- a short pick: a clerk marks a line short, the board shows it first as needing action, a store manager
  accepts the partial order and the customer is refunded the difference.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import expect

from o2o.fulfillment import service as fulfillment
from tests.browser.conftest import API_TIMEOUT_S, sign_in_staff
from tests.factories.auth import PASSWORD
from tests.factories.chain import Chain, build_chain, receive
from tests.factories.http import order_of, pay, pickup_order

SIZES = ["phone", "desktop"]
OBSERVE = """
window.__plays = [];
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.__plays.push({ muted: this.muted, src: this.currentSrc || this.src });
  return realPlay.apply(this, arguments);
};
window.__notes = [];
if (window.Notification) {
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) { window.__notes.push(title); super(title, options); }
  };
}
"""


def _wait_for(check: Callable[[], object], seconds: float = 10.0) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def _stocked(live) -> Chain:  # type: ignore[no-untyped-def]
    chain = build_chain(live.container)
    for sku in chain.skus.values():
        receive(live.container, chain.stores["xujiahui"], sku, 10)
    return chain


def _order(live, auth, chain: Chain, quantity: int) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """The customer's phone, through the JSON API of the running app: a paid pickup at Xujiahui."""
    customer = auth.customer(chain.customer)
    with httpx.Client(base_url=live.base, timeout=API_TIMEOUT_S) as api:
        number = pickup_order(api, chain.stores["xujiahui"], chain.skus["milk"], quantity, customer)
        pay(api, number, customer)
        return number, order_of(api, number, customer)["fulfillment_ids"][0]


@pytest.mark.parametrize("size", SIZES)
def test_a_new_order_rings_notifies_and_badges_the_title_without_a_reload(live, open_page, shot, auth, size):
    chain = _stocked(live)
    store = chain.stores["xujiahui"]
    auth.staff_user("clerk", store_id=store, login=f"clerk-live-{size}")
    page = open_page(size)
    page.context.grant_permissions(["notifications"], origin=live.base)
    page.context.add_init_script(OBSERVE)
    sign_in_staff(page, f"clerk-live-{size}", PASSWORD)
    expect(page.locator("h1")).to_have_text("今日订单")
    assert not page.title().startswith("(")
    expect(page.locator("[data-live-state]")).to_have_text("实时")  # the event stream is open
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="开启提醒").click()
    expect(page.locator("[data-alerts-status]")).to_contain_text("提醒已开启")
    _wait_for(lambda: page.evaluate("window.__plays.length") >= 1)  # the silent unlock inside the click
    assert page.evaluate("window.__plays[0].muted") is True
    shot(page, "console-alerts-on")

    number, _ = _order(live, auth, chain, 2)
    expect(page.locator("#lane-new")).to_contain_text(number, timeout=8000)
    assert page.evaluate("window.__sameDocument") is True  # no reload
    plays = page.evaluate("window.__plays")
    assert any(not p["muted"] and p["src"].endswith("/static/console/chime.wav") for p in plays[1:]), plays
    assert re.match(r"^\(1\) 今日订单", page.title()), page.title()
    assert page.evaluate("window.__notes") == ["新订单 "]
    shot(page, "console-new-order")

    _order(live, auth, chain, 1)
    expect(page).to_have_title(re.compile(r"^\(2\) "), timeout=8000)
    assert page.locator("#lane-new article.order-card").count() == 2


@pytest.mark.parametrize("size", ["desktop"])
def test_the_board_falls_back_to_polling_when_the_stream_fails(live, open_page, auth, size):
    chain = _stocked(live)
    store = chain.stores["xujiahui"]
    auth.staff_user("clerk", store_id=store, login="clerk-poll")
    page = open_page(size)
    page.context.route("**/events", lambda route: route.abort())  # a proxy that breaks streams
    page.clock.install()
    sign_in_staff(page, "clerk-poll", PASSWORD)
    expect(page.locator("[data-live-state]")).to_have_text("每 20 秒刷新")
    number, _ = _order(live, auth, chain, 1)
    page.clock.run_for(21_000)
    expect(page.locator("#lane-new")).to_contain_text(number)
    expect(page).to_have_title(re.compile(r"^\(1\) "))


@pytest.mark.parametrize("size", SIZES)
def test_the_pick_list_ticks_and_prints_on_a4_and_an_80mm_receipt(live, open_page, shot, auth, size):
    chain = _stocked(live)
    store = chain.stores["xujiahui"]
    number, fid = _order(live, auth, chain, 3)
    auth.staff_user("clerk", store_id=store, login=f"clerk-print-{size}")
    page = open_page(size)
    sign_in_staff(page, f"clerk-print-{size}", PASSWORD)
    page.locator("article.order-card", has_text=number).get_by_role("link", name="拣货单").click()
    expect(page.locator("h1")).to_have_text(f"拣货单 {number}")
    page.get_by_role("button", name="已拣").click()
    expect(page.locator(".notice.success")).to_have_text("已保存。")
    expect(page.locator(".sheet .progress")).to_have_text("已拣 3/3")
    assert fulfillment.get(live.container.db, fid).lines[0].picked == 3
    shot(page, "console-pick-list")

    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator(".print-bar").is_hidden()
    expect(page.locator(".pick-table")).to_contain_text("测试milk")
    shot(page, "console-pick-list-print-a4")
    a4 = page.pdf(prefer_css_page_size=True)
    page.emulate_media(media="screen")
    page.get_by_role("link", name="80 mm 小票").click()
    page.emulate_media(media="print")
    expect(page.locator(".pick-table tfoot")).to_contain_text("¥38.70")
    shot(page, "console-receipt-print")
    receipt = page.pdf(prefer_css_page_size=True)
    a4_width = float(re.search(rb"/MediaBox \[0 0 ([0-9.]+)", a4).group(1))
    receipt_width = float(re.search(rb"/MediaBox \[0 0 ([0-9.]+)", receipt).group(1))
    assert abs(a4_width - 595.3) < 2, a4_width  # 210 mm
    assert abs(receipt_width - 226.8) < 2, receipt_width  # 80 mm


@pytest.mark.parametrize("size", SIZES)
def test_a_short_pick_goes_to_the_manager_who_accepts_the_partial_order(live, open_page, shot, auth, size):
    chain = _stocked(live)
    store = chain.stores["xujiahui"]
    number, fid = _order(live, auth, chain, 3)
    auth.staff_user("clerk", store_id=store, login=f"clerk-short-{size}")
    auth.staff_user("store_manager", store_id=store, login=f"manager-short-{size}")
    page = open_page(size)
    sign_in_staff(page, f"clerk-short-{size}", PASSWORD)
    page.goto(f"/console/{store}/fulfillments/{fid}")
    page.locator("summary", has_text="缺货").click()
    page.get_by_label("实际找到").fill("1")
    page.get_by_role("button", name="标记缺货").click()
    expect(page.locator(".notice.success")).to_contain_text("已标记缺货")
    expect(page.locator(".short-panel")).to_contain_text("由店长登记顾客的选择")
    expect(page.locator(".short-panel")).to_contain_text("顾客选定本店自提的订单")
    expect(page.get_by_role("button", name="备货完成")).to_have_count(0)
    page.goto(f"/console/{store}")
    expect(page.locator("#lane-short")).to_contain_text(number)
    shot(page, "console-short-board")

    manager = open_page(size)
    sign_in_staff(manager, f"manager-short-{size}", PASSWORD)
    manager.goto(f"/console/{store}/fulfillments/{fid}")
    shot(manager, "console-short-manager")
    manager.once("dialog", lambda dialog: dialog.accept())
    manager.get_by_role("button", name=re.compile("顾客接受部分商品")).click()
    expect(manager.locator(".notice.success")).to_contain_text("顾客接受部分商品")
    _wait_for(lambda: [r["amount_fen"] for r in live.container.payments.refunds] == [2 * 1290])
    assert fulfillment.get(live.container.db, fid).status == "picking"
    expect(manager.locator(".pick-table .qty")).to_have_text("1")
