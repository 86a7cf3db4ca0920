"""The back-office's store form and order actions in Chromium at phone and desktop size (issue 12,
points 10 and 11): an operator fixes a store's hours and radius (a mistake first, told at its field),
pauses its online orders and sees the map over Shanghai's districts; then opens a paid order, moves it
to another store, and cancels another one with a reason (refunded). Screenshots of each page."""

from __future__ import annotations

import re

import pytest

from o2o.inventory import service as inventory
from o2o.locations import service as locations
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.browser.conftest import sign_in_staff
from tests.browser.test_backoffice import watch
from tests.factories.auth import PASSWORD
from tests.factories.chain import build_chain, receive
from tests.factories.relay import settle

SIZES = ["phone", "desktop"]


def _paid(container, chain, store: int, qty: int) -> str:  # type: ignore[no-untyped-def]
    data = OrderIn(customer_id=chain.customer, mode="pickup", location_id=store,
                   lines=[{"sku_id": chain.skus["milk"], "quantity": qty}])
    number = orders.place(container.uow(), data, orders.OrderPolicy()).number
    started = orders.start_payment(container.uow(), container.payments, number)
    orders.sandbox_complete(container.uow(), container.payments, started.out_trade_no)
    return number


@pytest.mark.parametrize("size", SIZES)
def test_operator_edits_a_store_and_pauses_its_online_orders(live, open_page, shot, auth, container, size):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    auth.staff_user("operator", login="ops")
    page = open_page(size)
    problems = watch(page)
    sign_in_staff(page, "ops", PASSWORD)
    page.goto("/admin/stores")
    assert page.locator("svg.map-svg .districts path").count() == 16
    shot(page, "admin-stores-map")
    page.locator(f'a[href="/admin/stores/{store}"]').first.click()
    assert page.locator("h1").inner_text() == "编辑 XJH店"
    page.locator("#f-delivery_radius_m").fill("8000")  # a mistake first
    page.locator("#f-sat_close").fill("25:00")
    page.locator("#f-sun_closed").check()
    page.locator("form.store-form button[type=submit]").click()
    assert page.locator("#e-f-delivery_radius_m").inner_text() == "请输入 0 到 5000 之间的米数。"
    assert page.locator("#f-delivery_radius_m").get_attribute("aria-invalid") == "true"
    assert page.locator("#e-f-sat_open").inner_text().startswith("请按 HH:MM")
    assert page.locator("#f-sun_closed").is_checked()  # what was typed stays
    shot(page, "admin-store-edit-errors")
    page.locator("#f-delivery_radius_m").fill("2000")
    page.locator("#f-sat_close").fill("23:30")
    page.locator("#f-online_paused").check()
    page.locator("form.store-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/stores/{store}\?done=saved"))
    assert page.get_by_role("status").first.inner_text() == "已保存。"
    assert page.locator(".bo-head .badge.warn").inner_text() == "线上订单已暂停"
    shot(page, "admin-store-edit")
    loc = locations.get(container.db, store)
    assert (loc.delivery_radius_m, loc.online_paused, loc.opening_hours["sun"], loc.opening_hours["sat"]) == (
        2000, True, [], [["08:00", "23:30"]])
    if size == "phone":  # nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert problems == []


@pytest.mark.parametrize("size", SIZES)
def test_operator_moves_an_order_and_cancels_another(live, open_page, shot, auth, container, size):
    chain = build_chain(container)
    xjh, ja, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(container, xjh, milk, 6)
    receive(container, ja, milk, 2)
    moved, cancelled = _paid(container, chain, xjh, 2), _paid(container, chain, xjh, 1)
    auth.staff_user("operator", login="ops")
    page = open_page(size, locale="en")
    problems = watch(page)
    sign_in_staff(page, "ops", PASSWORD)
    page.goto(f"/admin/orders/{moved}")
    assert "138****8000" in page.locator("dl.facts").first.inner_text()
    shot(page, "admin-order-actions")
    page.locator("#f-location_id").select_option(str(ja))
    page.locator("#f-reassign_reason").fill("Xujiahui fridge broken")
    page.locator(f'form[action="/admin/orders/{moved}/reassign"] button[type=submit]').click()
    page.wait_for_url(re.compile(rf"/admin/orders/{moved}\?done=reassigned"))
    assert page.get_by_role("status").first.inner_text() == "The order now goes to JA Store; the customer is told."
    shot(page, "admin-order-reassigned")
    assert inventory.stock_of(container.db, ja, [milk])[milk].reserved == 2

    page.goto(f"/admin/orders/{cancelled}")
    page.locator(f'form[action="/admin/orders/{cancelled}/cancel"] button[type=submit]').click()  # no reason
    assert page.locator("#e-f-cancel_reason").inner_text() == "Required."
    page.locator("#f-cancel_reason").fill("customer called")
    page.locator(f'form[action="/admin/orders/{cancelled}/cancel"] button[type=submit]').click()
    page.wait_for_url(re.compile(rf"/admin/orders/{cancelled}\?done=refund"))
    assert page.locator(".bo-head .badge").inner_text() == "Cancelled"
    shot(page, "admin-order-cancelled")
    settle(container, lambda: len(container.payments.refunds) == 1, what="the cancelled order refunded")
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert problems == []
