"""The till in Chromium, phone (Chinese) and desktop (English) sizes: a clerk opens a till with a 500 yuan
float, records a 100 yuan bank drop, closes with 390 yuan counted (10 yuan short) and sees the difference
on the printable Z-report."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sign_in_staff
from tests.browser.test_shop import fits_the_screen
from tests.factories import tills as f
from tests.factories.auth import PASSWORD
from tests.factories.chain import XUJIAHUI, store

WORDS = {
    "zh-CN": {"nav": "钱箱", "float": "备用金（元）", "open": "开班", "amount": "金额（元）", "reason": "原因",
              "record": "记录", "cash": "清点现金（元）", "close": "结账", "short": "短款"},
    "en": {"nav": "Till", "float": "Opening float (yuan)", "open": "Open the till", "amount": "Amount (yuan)",
           "reason": "Reason", "record": "Record", "cash": "Cash counted (yuan)", "close": "Close the till",
           "short": "short"},
}


def test_a_clerk_opens_the_till_drops_cash_and_closes_10_yuan_short_at_both_sizes(live, open_page, shot, auth):
    c = live.container
    shop = store(c, "XJH", XUJIAHUI)
    tills = {"phone": f.terminal(c, shop, "T01"), "desktop": f.terminal(c, shop, "T02")}
    for size, locale in (("phone", "zh-CN"), ("desktop", "en")):
        w = WORDS[locale]
        auth.staff_user("clerk", store_id=shop, login=f"clerk-till-{size}")
        page = open_page(size, locale=locale)
        page.on("dialog", lambda d: d.accept())  # "close the till now?"
        sign_in_staff(page, f"clerk-till-{size}", PASSWORD)
        page.goto(f"/console/{shop}")
        page.get_by_role("link", name=w["nav"], exact=True).first.click()
        page.wait_for_url(f"**/console/{shop}/till")
        if size == "desktop":
            page.locator(f"a[href='/console/{shop}/till?terminal={tills[size]}']").click()
        code = "T01" if size == "phone" else "T02"
        expect(page.locator(f"[data-till='{code}']")).to_have_attribute("data-till-state", "closed")
        page.get_by_label(w["float"]).fill("500")
        page.get_by_role("button", name=w["open"], exact=True).click()
        expect(page.locator("[data-till-done=opened]")).to_be_visible()
        expect(page.locator("[data-cash-now]")).to_have_attribute("data-cash-now", "50000")
        page.get_by_label(w["amount"]).fill("100")
        page.get_by_label(w["reason"]).fill("bank drop")
        page.get_by_role("button", name=w["record"], exact=True).click()
        expect(page.locator("[data-till-done=moved]")).to_be_visible()
        expect(page.locator("[data-cash-now]")).to_have_attribute("data-cash-now", "40000")
        assert fits_the_screen(page)
        shot(page, "console-till-open")
        page.get_by_label(w["cash"]).fill("390.00")
        page.get_by_role("button", name=w["close"], exact=True).click()
        page.wait_for_url("**/till/sessions/*?did=closed")
        line = page.locator("[data-line=cash]")
        expect(line).to_have_attribute("data-difference", "-1000")
        expect(line).to_contain_text("-¥10.00")
        expect(line).to_contain_text(w["short"])
        expect(page.locator("[data-move=out]")).to_contain_text("bank drop")
        expect(page.locator("[data-z-status]")).to_have_attribute("data-z-status", "closed")
        expect(page.locator("[data-print]")).to_be_visible()  # the print button (the browser's own dialog)
        assert fits_the_screen(page)
        shot(page, "console-till-z-report")
    # head office sees both shifts' shortfall in the daily cash difference per store
    auth.staff_user("operator", login="hq-tills")
    for size in ("phone", "desktop"):
        page = open_page(size, locale="en")
        sign_in_staff(page, "hq-tills", PASSWORD)
        page.goto("/admin/tills")
        expect(page.locator("[data-sessions]")).to_have_attribute("data-sessions", "2")
        expect(page.locator(f"[data-store='{shop}']")).to_contain_text("-¥20.00")
        expect(page.locator(f"svg.chart-svg.{'narrow' if size == 'phone' else 'wide'} polyline")).to_be_visible()
        assert fits_the_screen(page)
        shot(page, "admin-tills")
