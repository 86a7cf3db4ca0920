"""The store console in Chromium, on a phone and on a desktop: a clerk signs in, picks a paid pickup order,
marks it ready and hands it over with the customer's code; stock adjustments and transfers; store scope;
every page well under 300 KB on first load."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import expect

from o2o.inventory import service as inventory
from o2o.kernel.pagination import PageParams
from o2o.orders import service as orders
from tests.browser.conftest import API_TIMEOUT_S, sign_in_staff
from tests.factories.auth import PASSWORD
from tests.factories.chain import Chain, build_chain, receive
from tests.factories.http import order_of, pay, pickup_order

SIZES = ["phone", "desktop"]
MAX_FIRST_LOAD = 300 * 1024
# what the page and everything it loaded weighed on the wire (gzip included), from the browser's own timings
WEIGHT_JS = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0)"""


def _wait_for(check: Callable[[], object], seconds: float = 10.0) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def _stocked(live, quantity: int = 10) -> Chain:  # type: ignore[no-untyped-def]
    chain = build_chain(live.container)
    for store in (chain.stores["xujiahui"], chain.stores["jingan"]):
        for sku in chain.skus.values():
            receive(live.container, store, sku, quantity)
    return chain


def _paid_pickup(live, auth, chain: Chain, quantity: int) -> str:  # type: ignore[no-untyped-def]
    """As the customer, through the JSON API of the running app: order for pickup at Xujiahui and pay."""
    customer = auth.customer(chain.customer)
    with httpx.Client(base_url=live.base, timeout=API_TIMEOUT_S) as api:
        number = pickup_order(api, chain.stores["xujiahui"], chain.skus["milk"], quantity, customer)
        pay(api, number, customer)
        assert order_of(api, number, customer)["status"] == "paid"
    return number


def _on_hand(live, location_id: int, sku_id: int) -> int:  # type: ignore[no-untyped-def]
    return inventory.stock(live.container.db, location_id, sku_id, PageParams()).items[0].on_hand


def _card(page, number: str):  # type: ignore[no-untyped-def]
    return page.locator("article.order-card", has=page.locator("h3", has_text=number))


def _light(page) -> int:  # type: ignore[no-untyped-def]
    weight = page.evaluate(WEIGHT_JS)
    assert 0 < weight < MAX_FIRST_LOAD, f"{page.url} weighed {weight} bytes"
    return weight


@pytest.mark.parametrize("size", SIZES)
def test_a_clerk_of_store_a_cannot_open_store_b_console_pages(live, open_page, auth, size):
    chain = _stocked(live)
    a, b = chain.stores["xujiahui"], chain.stores["jingan"]
    auth.staff_user("clerk", store_id=a, login="clerk-a")
    page = open_page(size)
    sign_in_staff(page, "clerk-a", PASSWORD)
    assert page.url.endswith(f"/console/{a}")  # landed in their own store
    for suffix in ("", "/handover", "/stock", "/transfers"):
        mine = page.goto(f"/console/{a}{suffix}")
        assert mine is not None and mine.status == 200
        theirs = page.goto(f"/console/{b}{suffix}")
        assert theirs is not None and theirs.status == 404, suffix
        # the browser's error page: as if there were no such store, in the page language, with the way back
        assert page.locator("h1").inner_text() == "页面不存在"
        assert page.get_by_role("link", name="返回门店工作台").get_attribute("href") == "/console"


@pytest.mark.parametrize("size", SIZES)
def test_a_clerk_picks_marks_ready_and_hands_over_a_pickup_by_the_customers_code(live, open_page, shot, auth, size):
    chain = _stocked(live, quantity=10)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    number = _paid_pickup(live, auth, chain, quantity=3)
    auth.staff_user("clerk", store_id=store, login="clerk-x")

    page = open_page(size)
    sign_in_staff(page, "clerk-x", PASSWORD)
    expect(page.locator("h1")).to_have_text("今日订单")
    card = _card(page, number)
    expect(card).to_be_visible()
    expect(card.locator(".picklist")).to_contain_text("测试milk")
    _light(page)
    shot(page, "console-queue")

    card.get_by_role("button", name="开始拣货").click()
    expect(page.locator(".notice.success")).to_contain_text(number)
    expect(page.locator("#lane-picking")).to_contain_text(number)
    _card(page, number).get_by_role("button", name="备货完成").click()
    expect(page.locator(".notice.success")).to_contain_text("取件码已通过短信发送给顾客")

    code = orders.get(live.container.db, number).pickup_code  # the customer's view, never a staff page
    assert code
    _wait_for(lambda: any(code in sms.text for sms in live.container.sms.inbox))  # the SMS reached the customer
    assert code not in page.content()
    shot(page, "console-queue-ready")

    _card(page, number).get_by_role("link", name="核销提货").click()
    expect(page.locator("h1")).to_have_text("核销提货")
    _light(page)
    assert code not in page.content()
    shot(page, "console-handover")
    page.locator("#f-code").fill(code)
    page.get_by_role("button", name="核销交付").click()
    expect(page.locator(".notice.success")).to_contain_text(f"{number} 已交付")
    expect(page.locator(".handed")).to_contain_text("测试milk")
    assert code not in page.content()
    shot(page, "console-handover-done")

    _wait_for(lambda: orders.get(live.container.db, number).status == "completed")
    assert _on_hand(live, store, milk) == 10 - 3
    assert inventory.check(live.container.db).ok


@pytest.mark.parametrize("size", ["phone"])  # one size: the flow above runs this form at both
def test_a_wrong_code_is_shown_next_to_the_field(live, open_page, auth, size):
    chain = _stocked(live)
    number = _paid_pickup(live, auth, chain, quantity=1)
    auth.staff_user("clerk", store_id=chain.stores["xujiahui"], login="clerk-w")
    page = open_page(size, locale="en-US")
    sign_in_staff(page, "clerk-w", PASSWORD)
    _card(page, number).get_by_role("button", name="Start picking").click()
    _card(page, number).get_by_role("button", name="Mark ready").click()
    code = orders.get(live.container.db, number).pickup_code
    _card(page, number).get_by_role("link", name="Hand over").click()
    page.locator("#f-code").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Hand over", exact=True).click()
    expect(page.locator("#e-code")).to_have_text("Wrong code. 4 attempts left before the handover locks.")
    expect(page.locator("#f-code")).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("size", SIZES)
def test_a_clerk_records_a_stock_adjustment_with_a_reason(live, open_page, shot, auth, size):
    chain = _stocked(live, quantity=10)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    auth.staff_user("clerk", store_id=store, login="clerk-s")
    page = open_page(size)
    sign_in_staff(page, "clerk-s", PASSWORD)
    page.get_by_role("link", name="库存", exact=True).click()
    page.locator("#f-q").fill("T-milk")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("table.stock-table tbody tr")).to_have_count(1)
    _light(page)
    shot(page, "console-stock")
    page.get_by_role("link", name="调整 测试milk").click()
    expect(page.locator("#adjust")).to_contain_text("在库 10")

    page.get_by_label("调整（可加可减，如盘点、损坏）").check()
    page.locator("#f-quantity").fill("-3")
    page.locator("#f-reason").fill("盘点：货架破损 3 件")
    shot(page, "console-stock-adjust")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".notice.success")).to_have_text("库存已更新。")
    expect(page.locator("#adjust")).to_contain_text("在库 7")
    assert _on_hand(live, store, milk) == 7

    page.locator("#f-kind-receipt").check()  # a receipt with a minus sign: refused next to the field
    page.locator("#f-quantity").fill("-1")
    page.locator("#f-reason").fill("到货")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator("#e-quantity")).to_have_text("入库和退货会增加库存，请输入正数。")
    assert _on_hand(live, store, milk) == 7
    assert inventory.check(live.container.db).ok


@pytest.mark.parametrize("size", SIZES)
def test_a_store_asks_another_for_stock_and_its_manager_sends_it(live, open_page, shot, auth, size):
    chain = _stocked(live, quantity=10)
    a, b, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    auth.staff_user("clerk", store_id=a, login="clerk-t")
    auth.staff_user("store_manager", store_id=b, login="manager-b")

    page = open_page(size)
    sign_in_staff(page, "clerk-t", PASSWORD)
    page.goto(f"/console/{a}/transfers?sku={milk}")
    page.locator("#f-from_location_id").select_option(str(b))
    page.locator("#f-quantity").fill("4")
    page.locator("#f-note").fill("周末促销")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".notice.success")).to_contain_text("已发给对方")
    _light(page)
    shot(page, "console-transfers")

    other = open_page(size)
    other.on("dialog", lambda dialog: dialog.accept())  # "send the goods now?"
    sign_in_staff(other, "manager-b", PASSWORD)
    other.get_by_role("link", name="调拨").click()
    expect(other.locator("section", has_text="向本店申请的调拨")).to_contain_text("周末促销")
    shot(other, "console-transfers-incoming")
    other.get_by_role("button", name="发货").first.click()
    expect(other.locator(".notice.success")).to_contain_text("已发货")
    assert _on_hand(live, b, milk) == 6

    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.get_by_role("button", name="确认收货").first.click()
    expect(page.locator(".notice.success")).to_contain_text("已收货")
    assert _on_hand(live, a, milk) == 14
    assert inventory.check(live.container.db).ok


@pytest.mark.parametrize("size", SIZES)
def test_hq_picks_a_location_from_the_list(live, open_page, shot, auth, size):
    chain = _stocked(live)
    auth.staff_user("operator", login="ops-c")
    page = open_page(size)
    sign_in_staff(page, "ops-c", PASSWORD)
    page.goto("/console")
    expect(page.locator("h1")).to_have_text("选择门店或仓库")
    _light(page)
    shot(page, "console-locations")
    page.get_by_role("link", name="打开工作台 嘉定仓").click()
    assert page.url.endswith(f"/console/{chain.warehouse}")
    expect(page.locator(".brand-store")).to_have_text("嘉定仓")



@pytest.mark.parametrize("size", ["phone"])
def test_the_queue_refreshes_itself_when_an_order_comes_in(live, open_page, auth, size):
    chain = _stocked(live)
    auth.staff_user("clerk", store_id=chain.stores["xujiahui"], login="clerk-r")
    page = open_page(size)
    page.clock.install()  # the page's own timers, moved on by the test
    sign_in_staff(page, "clerk-r", PASSWORD)
    expect(page.locator("#lane-new")).to_contain_text("没有新订单")
    number = _paid_pickup(live, auth, chain, quantity=1)
    page.clock.run_for(21_000)  # the board asks for itself every 20 s
    expect(_card(page, number)).to_be_visible()
    expect(page.locator("#lane-new .count")).to_have_text("1")
