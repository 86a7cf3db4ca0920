"""A split order in the back office, in Chromium at phone and desktop size (issue 13): the order page shows
both parts (store, mode, status, lines) and its "why this store" link opens the ranked candidates, both
chosen locations marked."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in_staff
from tests.browser.test_backoffice import watch
from tests.factories.auth import PASSWORD
from tests.factories.chain import build_chain
from tests.factories.split import paid_split_order


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_order_page_of_a_split_order_shows_both_parts_and_why_this_store(live, open_page, shot, auth, container,
                                                                             size):
    c = container
    chain = build_chain(c)
    xjh, ja = chain.stores["xujiahui"], chain.stores["jingan"]
    number = paid_split_order(c, chain)
    auth.staff_user("operator", login="ops")
    page = open_page(size, locale="en")
    problems = watch(page)
    sign_in_staff(page, "ops", PASSWORD)

    page.goto(f"/admin/orders/{number}")
    assert page.locator(".split-parts").inner_text().startswith("From 2 locations")
    parts = page.locator(".part")
    assert parts.count() == 2
    by_store = {parts.nth(i).get_attribute("data-location"): parts.nth(i).inner_text() for i in range(2)}
    assert set(by_store) == {str(xjh), str(ja)}
    assert "milk × 1" in by_store[str(xjh)] and "yogurt × 2" in by_store[str(ja)]
    assert all("New" in text and "Store delivery" in text for text in by_store.values())
    assert "2 location(s)" in page.locator("#sum-h + dl + dl").inner_text()  # the engine's reason, in words
    shot(page, f"admin-split-order-{size}")
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.locator("a.why-store").click()
    assert page.locator("h1").inner_text() == f"Why these locations: {number}"
    chosen = page.locator("table.why-candidates tr.chosen")
    assert sorted(chosen.nth(i).get_attribute("data-location") for i in range(chosen.count())) == sorted(
        [str(xjh), str(ja)])
    shot(page, f"admin-split-why-{size}")
    assert problems == []
