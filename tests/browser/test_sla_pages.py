"""SLA pages in Chromium at phone and desktop size (issue 13): head office opens the at-risk list from the
admin navigation and sees a late order (filtered by store, with the on-time rate); the store's clerk sees
it above the lanes of the console board, and it leaves the board by itself once the order is ready."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from o2o.fulfillment import service as fulfillment
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.browser.conftest import sign_in_staff
from tests.browser.test_backoffice import watch
from tests.factories.auth import PASSWORD
from tests.factories.chain import build_chain, receive


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_late_order_shows_in_the_admin_at_risk_list_and_on_the_console_board(live, open_page, shot, auth,
                                                                              container, size):
    c = container
    chain = build_chain(c)
    milk, xjh = chain.skus["milk"], chain.stores["xujiahui"]
    receive(c, xjh, milk, 5)
    number = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=xjh,
                                           lines=[{"sku_id": milk, "quantity": 1}]), orders.OrderPolicy()).number
    orders.sandbox_complete(c.uow(), c.payments, orders.start_payment(c.uow(), c.payments, number).out_trade_no)
    fid = orders.get(c.db, number).fulfillment_ids[0]
    c.clock.advance(minutes=42)  # promised ready by 10:30: 12 minutes late
    fulfillment.watch_sla(c.uow())
    auth.staff_user("operator", login="ops")
    auth.staff_user("clerk", store_id=xjh, login="clerk-xjh")

    page = open_page(size, locale="en")
    problems = watch(page)
    sign_in_staff(page, "ops", PASSWORD)
    page.goto("/admin")
    page.locator(".bo-nav").get_by_role("link", name="At risk").click()
    assert page.locator("h1").inner_text() == "Orders at risk"
    page.locator("#f-store").select_option(str(xjh))
    page.locator("#f-days").select_option("30")
    page.locator(".bo-head form button[type=submit]").click()
    row = page.locator(f'#at-risk-list tr[data-fulfilment="{fid}"]')
    expect(row).to_contain_text("12 min late")
    assert number in row.inner_text() and "Pickup" in row.inner_text() and "XJH Store" in row.inner_text()
    assert "0 of 1 promises kept in the last 30 days" in page.locator("#chart-on-time").inner_text()
    shot(page, "admin-at-risk")
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert problems == []

    clerk = open_page(size, locale="en")
    clerk_problems = watch(clerk)
    sign_in_staff(clerk, "clerk-xjh", PASSWORD)
    clerk.goto(f"/console/{xjh}")
    section = clerk.locator("#at-risk")
    expect(section).to_contain_text(number)
    expect(section).to_contain_text("12 min late")
    expect(section.locator(f'[data-fulfilment="{fid}"] a')).to_have_attribute("href",
                                                                             f"/console/{xjh}/fulfillments/{fid}")
    shot(clerk, "console-at-risk")
    if size == "phone":
        assert clerk.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # ready at last: the live board drops it without a reload
    fulfillment.mark_ready(c.uow(), fid, "staff:clerk-xjh")
    expect(clerk.locator("#at-risk")).to_have_count(0)
    expect(clerk.locator(f"#lane-ready h3#card-{fid}")).to_have_count(1)
    assert clerk_problems == []
