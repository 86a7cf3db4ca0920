"""The audit log in Chromium inside the back-office layout, on a phone and a desktop: the menu and the
sign-out are there; at 1440 px ids, times, actions and IPs stay on one line."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_staff
from tests.factories.auth import PASSWORD
from tests.integration.audit.conftest import entry, record

ONE_LINE = """el => { const r = document.createRange(); r.selectNodeContents(el);
  const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top))); return tops.size; }"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_audit_log_sits_in_the_back_office_and_its_values_do_not_wrap(live, open_page, shot, auth, size):
    record(live.container.db, *[entry(i, ip="2001:db8:85a3:0:0:8a2e:370:7334", target=f"customer:{10_000 + i}",
                                      action="POST /api/v1/stock/transfer-requests/{request_id}/receive",
                                      detail={"fields": ["phone", "address"], "reason": "a customer called"})
                                for i in range(5)])
    auth.staff_user("platform_admin", login="root-a")
    page = open_page(size)
    sign_in_staff(page, "root-a", PASSWORD)
    page.goto("/admin/audit")
    expect(page.locator("h1")).to_have_text("审计日志")
    nav = page.locator("nav.bo-nav")
    expect(nav.get_by_role("link", name="审计日志")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="订单")).to_have_count(1)
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    expect(page.locator("a.brand")).to_have_text("O2O 运营后台")
    shot(page, "admin-audit-in-backoffice")
    if size == "desktop":
        for cell in page.locator("table.audit-table td.nowrap").all():
            assert cell.evaluate(ONE_LINE) == 1, cell.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login*")
