"""/admin/loyalty in Chromium at phone and desktop sizes: an operator adds a points-mall reward and
adjusts a member's points with a reason through the page's forms; a debit past the balance is told at
the field; the page fits the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from o2o.loyalty import service as loyalty
from tests.browser.conftest import sign_in_staff
from tests.browser.test_shop import fits_the_screen
from tests.factories.auth import PASSWORD
from tests.integration.loyalty.flow import member


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_operator_adds_a_reward_and_adjusts_points_on_the_page(live, open_page, shot, auth, size):
    c = live.container
    customer = member(c, 7)
    auth.staff_user("operator", login=f"ops-loy-{size}")
    page = open_page(size)
    sign_in_staff(page, f"ops-loy-{size}", PASSWORD)
    page.goto("/admin/loyalty")
    expect(page.locator("h1")).to_have_text("会员与积分")
    assert fits_the_screen(page)

    form = page.locator("form.reward-form")
    form.get_by_label("类型").select_option("service")
    form.get_by_label("名称（中文）").fill("上门清洗空调")
    form.get_by_label("名称（英文）").fill("Air-con cleaning at home")
    form.get_by_label("所需积分").fill("3000")
    form.get_by_label("库存").fill("12")
    form.get_by_role("button", name="添加礼品").click()
    expect(page.locator("#done")).to_have_text("已添加礼品 上门清洗空调。")
    row = page.locator("#rewards tbody tr").first
    expect(row).to_contain_text("上门清洗空调")
    expect(row).to_contain_text("3000")
    [reward] = loyalty.rewards(c.db, active_only=False)
    assert (reward.kind, reward.points_cost, reward.stock) == ("service", 3000, 12)
    assert fits_the_screen(page)
    shot(page, "admin-loyalty-reward-added")

    adjust = page.locator("form.adjust-form")
    adjust.get_by_label("会员编号").fill(str(customer))
    adjust.get_by_label("积分（+ 或 -）").fill("-10")
    adjust.get_by_label("原因").fill("测试扣减")
    adjust.get_by_role("button", name="调整积分").click()
    expect(page.locator("#e-adj-points")).to_have_text("该会员的积分不足。")
    expect(page.locator("#adj-points")).to_have_attribute("aria-invalid", "true")
    assert fits_the_screen(page)
    shot(page, "admin-loyalty-adjust-refused")
    page.locator("form.adjust-form").get_by_label("积分（+ 或 -）").fill("800")
    page.locator("form.adjust-form").get_by_role("button", name="调整积分").click()
    expect(page.locator("#done")).to_have_text(f"会员 {customer}：积分调整 800，当前余额 800。")
    assert loyalty.balance_of(c.db, customer) == 800
    shot(page, "admin-loyalty-adjusted")
