"""The reconciliation page in Chromium at phone and desktop size: an operator uploads a WeChat Pay
trade bill from the back-office and reads the differences, in Chinese; nothing overflows the screen."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in_staff
from tests.browser.test_backoffice import watch
from tests.browser.test_shop import fits_the_screen
from tests.factories.auth import PASSWORD
from tests.factories.statements import Line, wechat_bill


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_operator_uploads_a_statement_and_reads_the_differences(live, open_page, shot, auth, tmp_path, size):
    auth.staff_user("operator", login="ops")
    bill = tmp_path / "wechat-20261124.csv"
    bill.write_bytes(wechat_bill([Line("payment", "SO20261124000077P101010101", 2580),
                                  Line("refund", "SO20261124000077P101010101", 2580, "RF12345")]))
    page = open_page(size)
    problems = watch(page)
    sign_in_staff(page, "ops", PASSWORD)
    page.goto("/admin/payments/reconcile")
    assert page.locator("h1").inner_text() == "支付对账"
    page.get_by_label("支付平台").select_option("wechatpay")
    page.get_by_label("账单文件").set_input_files(str(bill))
    page.get_by_role("button", name="导入并核对").click()
    page.wait_for_load_state("networkidle")
    result = page.locator(".reconcile-result")
    assert "账单 2 行，差异 2 条" in result.locator("h2").inner_text()
    rows = result.locator("table.differences tbody tr")
    assert rows.count() == 2 and rows.nth(0).locator("th").inner_text() == "我方缺少"
    assert "¥25.80" in rows.nth(0).inner_text() or "25.80" in rows.nth(0).inner_text()
    assert page.locator("table.data").count() == 2  # the differences and the earlier imports
    assert fits_the_screen(page)
    shot(page, "admin-reconcile")
    assert problems == []
