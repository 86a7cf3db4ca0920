"""The sourcing rules editor and "why these locations" in Chromium at phone and desktop size (issue 13):
an operator adds a rule, gets a mistake told, adds another, moves it up, turns one off; then opens the
order's sourcing page and sees each location ranked with its costs or why it was ruled out."""

from __future__ import annotations

import pytest

from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.sourcing import STORE_DELIVERY, Request
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.browser.conftest import sign_in_staff
from tests.browser.test_backoffice import watch
from tests.factories.auth import PASSWORD
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_operator_edits_sourcing_rules_and_reads_why_these_locations(live, open_page, shot, auth, container, size):
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 5)
    receive(c, ja, milk, 5)
    number = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=xjh,
                                           lines=[{"sku_id": milk, "quantity": 1}]), orders.OrderPolicy(),
                          exact=True).number  # the confirmed plan: no decision recorded; the test records one
    auth.staff_user("operator", login="ops")
    page = open_page(size, locale="en")
    problems = watch(page)
    sign_in_staff(page, "ops", PASSWORD)
    page.goto("/admin/sourcing/rules")
    assert page.locator("h1").inner_text() == "Sourcing rules"
    page.locator("#r-name").fill("no flagship")
    page.locator("#r-kind").select_option("exclude_locations")
    page.locator("#r-locations").fill(str(xjh))
    page.locator("form.rule-form button[type=submit]").click()
    assert page.get_by_role("status").inner_text() == "Rule added."
    page.locator("#r-name").fill("one place")
    page.locator("#r-kind").select_option("max_split")  # no value: told, nothing added
    page.locator("form.rule-form button[type=submit]").click()
    assert page.get_by_role("alert").inner_text().startswith("The rule was not added: spec")
    page.locator("#r-name").fill("one place")
    page.locator("#r-kind").select_option("max_split")
    page.locator("#r-value").fill("1")
    page.locator("#r-channels").fill("tmall")
    page.locator("form.rule-form button[type=submit]").click()
    rows = page.locator("table.sourcing-rules tbody tr")
    assert rows.count() == 2 and "XJH Store" in rows.nth(0).inner_text()
    rows.nth(1).get_by_role("button", name="Move up: one place").click()
    assert page.locator("table.sourcing-rules tbody tr").nth(0).get_attribute("data-rule") == str(
        [r.id for r in fulfillment.rules(c.db) if r.name == "one place"][0])
    page.locator("table.sourcing-rules tbody tr").nth(0).get_by_role("button", name="Turn off").click()
    assert page.get_by_role("status").inner_text() == "Rule changed."
    assert [(r.name, r.enabled) for r in fulfillment.rules(c.db)] == [("one place", False), ("no flagship", True)]
    shot(page, f"admin-sourcing-rules-{size}")
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    req = Request(lines={milk: 1}, mode=STORE_DELIVERY, now=c.clock.now(), has_address=True,
                  lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1])
    with c.db.read() as s:
        decision = fulfillment.source(s, req)
    with c.uow() as uow:
        fulfillment.record_decision(uow, number, decision)
        uow.commit()
    page.goto(f"/admin/orders/{number}/sourcing")
    assert page.locator("h1").inner_text() == f"Why these locations: {number}"
    last = page.locator("section.sourcing-decision").last  # placing the order recorded its own decision first
    chosen = last.locator("table.why-candidates tr.chosen")
    assert chosen.count() == 1 and chosen.get_attribute("data-location") == str(ja)
    assert "rule: no flagship" in last.locator(f'table.why-candidates tr[data-location="{xjh}"]').inner_text()
    assert "has none of the lines" in last.locator(
        f'table.why-candidates tr[data-location="{chain.warehouse}"]').inner_text()
    assert "found by exact search" in last.inner_text()  # the engine's reason in the page's words
    shot(page, f"admin-sourcing-why-{size}")
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert problems == []
