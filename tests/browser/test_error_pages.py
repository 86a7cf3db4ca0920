"""Error pages in Chromium on a phone and a desktop: a missing page and a forbidden one are HTML in the
page's language with a way back that works; the favicon is served locally."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_staff
from tests.factories.auth import PASSWORD

SIZES = ["phone", "desktop"]


@pytest.mark.parametrize("size", SIZES)
def test_a_missing_page_says_so_in_the_page_language_and_leads_home(live, open_page, shot, size):
    page = open_page(size)
    page.goto("/shop/products")
    response = page.goto("/shop/no-such-page", referer=page.url)  # as when a link of ours led here
    assert response.status == 404 and response.headers["content-type"].startswith("text/html")
    expect(page.locator("h1")).to_have_text("页面不存在")
    expect(page).to_have_title("页面不存在 · O2O 全渠道零售")
    back = page.get_by_role("link", name="返回上一页")
    expect(back).to_have_attribute("href", "/shop/products")
    shot(page, "error-404")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Page not found")
    shot(page, "error-404-en")
    page.get_by_role("link", name="Back to the shop").click()
    page.wait_for_url("**/shop")
    page.wait_for_load_state("load")
    icon = page.request.get("/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon" and len(icon.body()) > 100
    assert page.locator('link[rel="icon"]').get_attribute("href") == "/static/favicon.svg"


@pytest.mark.parametrize("size", SIZES)
def test_a_forbidden_page_is_explained_with_a_way_back(live, open_page, shot, auth, size):
    auth.staff_user("analyst", login="analyst-e")
    page = open_page(size)
    sign_in_staff(page, "analyst-e", PASSWORD)
    response = page.goto("/admin/users")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("您无权打开此页面")
    expect(page.locator(".error-box .lead")).to_contain_text("请换一个账号登录")
    shot(page, "error-403")
    page.get_by_role("link", name="返回运营后台").click()
    page.wait_for_url("**/admin")
