"""The console's stock page lists the lines an offline till sold beyond the count; a clerk counts one and
the flag is gone (both sizes)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from o2o.inventory import service as inventory
from o2o.pos import sync
from tests.browser.conftest import SIZES, sign_in_staff
from tests.factories.auth import PASSWORD
from tests.integration.pos.offline import batch, sale, shop


@pytest.mark.parametrize("size", SIZES)
def test_a_clerk_sees_a_line_sold_offline_beyond_the_count_and_counts_it(live, open_page, shot, auth, size):
    c = live.container
    sh = shop(c, [1, 5])
    short, fine = sh.skus
    out = sync.ingest(c.uow(), sh.till, batch([sale(1, c.clock.now(), [(short, 3, 100), (fine, 1, 100)])]))
    assert out.results[0].oversold == {short: 2}
    auth.staff_user("clerk", store_id=sh.location_id, login="clerk-offline")
    page = open_page(size)
    sign_in_staff(page, "clerk-offline", PASSWORD)
    page.goto(f"/console/{sh.location_id}/stock")
    flagged = page.locator("#flagged")
    expect(flagged.get_by_role("heading")).to_have_text("待盘点：离线销售超出库存")
    expect(flagged.locator("li")).to_have_count(1)
    expect(flagged.locator("li")).to_contain_text("超出库存售出 2 件")
    shot(page, "console-stock-flagged")
    flagged.get_by_role("link", name="盘点").click()
    expect(page.locator("#count")).to_be_visible()
    page.locator("#f-counted").fill("0")
    page.get_by_role("button", name="登记盘点").click()
    expect(page.locator("#flagged")).to_have_count(0)
    assert sync.flagged_lines(c.db, sh.location_id) == []
    assert inventory.check(c.db).ok
