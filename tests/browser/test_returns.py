"""After-sales in Chromium, on a phone and a desktop: a shopper asks to return part of an online order from
its order page (item and how many, reason, a photo, the store they will take it to), and a clerk of ANOTHER
store finds the return at the desk by its number, receives it and refunds it; the shopper sees it refunded.
Head office's refund queue approves and refuses (with a reason) and shows the hours to refund per store.
Nothing overflows the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from o2o.iam import service as iam
from o2o.inventory import service as inventory
from o2o.returns import service as returns
from o2o.returns.schemas import InspectLineIn, ReturnIn
from tests.browser.conftest import sign_in_staff
from tests.factories.auth import PASSWORD, Auth
from tests.factories.chain import build_chain, receive
from tests.factories.relay import settle
from tests.factories.returns import completed_online

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_shopper_returns_an_online_order_and_another_stores_clerk_accepts_it(live, open_page, shot, size):
    c = live.container
    chain = build_chain(c)
    xjh, ja, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(c, xjh, milk, 10)
    number = completed_online(c, chain.customer, xjh, {milk: 2})
    login = f"clerk-ja-{size}"
    Auth(c).staff_user("clerk", store_id=ja, login=login)
    before = inventory.stock_of(c.db, ja, [milk]).get(milk)

    # the shopper, in Chinese
    shopper = open_page(size, locale="zh-CN")
    session = iam.sign_in_session(c.uow(), "customer", chain.customer, True, iam.Client("test"), c.settings)
    shopper.context.add_cookies([{"name": "o2o_session", "value": session.access_token, "domain": "127.0.0.1",
                                  "path": "/"}])
    errors: list[str] = []
    shopper.on("pageerror", lambda e: errors.append(str(e)))
    shopper.goto(f"/shop/orders/{number}")
    shopper.get_by_role("link", name="申请退款/退货").click()
    expect(shopper.get_by_role("heading", level=1)).to_have_text(f"订单 {number} 退货")
    shopper.locator("input[data-return-qty]").fill("1")
    shopper.get_by_label("质量问题").check()
    shopper.get_by_label("补充说明（选填）").fill("有异味")
    shopper.locator("#f-photos").set_input_files([{"name": "milk.png", "mimeType": "image/png", "buffer": PNG}])
    shopper.get_by_label("哪家门店（任一门店均可退货）").select_option(str(ja))
    assert shopper.evaluate(FITS)
    shot(shopper, "shop-return-form")
    shopper.get_by_role("button", name="提交申请").click()
    notice = shopper.locator(".notice.ok")
    expect(notice).to_contain_text("退货申请 RT")
    return_number = notice.inner_text().split()[1]
    card = shopper.locator(f"[data-return='{return_number}']")
    expect(card.locator(".status")).to_have_text("已申请")
    expect(card.get_by_role("img", name=f"退货单 {return_number} 的二维码")).to_be_visible()  # the desk scans it
    assert shopper.evaluate(FITS)
    shot(shopper, "shop-return-requested")

    # a clerk of another store (静安), in English
    clerk = open_page(size, locale="en")
    clerk.on("pageerror", lambda e: errors.append(str(e)))
    sign_in_staff(clerk, login, PASSWORD)
    clerk.goto(f"/console/{ja}/returns")
    clerk.get_by_label("Return number, order number or scan").fill(return_number)
    clerk.get_by_role("button", name="Find").click()
    expect(clerk.locator("[data-return-status]")).to_have_text("Requested")
    expect(clerk.get_by_role("img", name="Photo 1 of the return")).to_be_visible()
    assert clerk.evaluate(FITS)
    shot(clerk, "console-return-requested")
    clerk.get_by_role("button", name="Receive").click()
    expect(clerk.locator("[data-return-status]")).to_have_text("Received")
    clerk.get_by_role("button", name="Refund now").click()
    expect(clerk.locator("[data-return-status]")).to_have_text("Refunded")
    expect(clerk.locator("[data-refund-kind='payment']")).to_contain_text("¥12.90")
    assert clerk.evaluate(FITS)
    shot(clerk, "console-return-refunded")

    settle(c, lambda: len(c.payments.refunds) >= 1, what="the refund sent")
    assert [r["amount_fen"] for r in c.payments.refunds] == [1290]
    after = inventory.stock_of(c.db, ja, [milk])[milk].on_hand
    assert after == (before.on_hand if before else 0) + 1  # back into the store that took it
    shopper.reload()
    expect(shopper.locator(f"[data-return='{return_number}'] .status")).to_have_text("已退款")
    expect(shopper.locator(f"[data-return='{return_number}']")).to_contain_text("已退款 ¥12.90")
    assert errors == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_head_office_approves_refuses_and_reads_the_time_to_refund(live, open_page, shot, size):
    c = live.container
    chain = build_chain(c)
    xjh, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(c, xjh, milk, 10)
    number = completed_online(c, chain.customer, xjh, {milk: 3})
    line = returns.returnable(c.db, number)[0].order_line_id
    asked = [returns.request(c.uow(), ReturnIn(order_number=number, reason_code=code, lines=[
        {"order_line_id": line, "quantity": 1}]), f"customer:{chain.customer}", customer_id=chain.customer)
        for code in ("quality", "changed_mind", "damaged")]
    done = asked[2]
    done = returns.receive(c.uow(), done.id, xjh, [InspectLineIn(line_id=done.lines[0].id, damaged=1)], "staff:1")
    c.clock.advance(hours=30)
    returns.refund(c.uow(), done.id, "staff:1", location_id=xjh)
    login = f"ops-{size}"
    Auth(c).staff_user("operator", login=login)
    page = open_page(size, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in_staff(page, login, PASSWORD)
    page.goto("/admin/returns")
    expect(page.get_by_role("heading", level=1)).to_have_text("退款队列")
    row = page.locator(f"[data-return='{asked[0].number}']")
    row.get_by_role("button", name="同意").click()
    expect(page.locator(".notice.ok")).to_have_text(f"退货单 {asked[0].number} 已同意。")
    row = page.locator(f"[data-return='{asked[1].number}']")
    row.get_by_role("button", name="拒绝").click()  # no reason: the browser asks for one
    assert returns.get_by_id(c.db, asked[1].id).status == "requested"
    row.get_by_label("拒绝原因（必填）").fill("已超过7天无理由退货期")
    row.get_by_role("button", name="拒绝").click()
    expect(page.locator(".notice.ok")).to_have_text(f"退货单 {asked[1].number} 已拒绝。")
    assert returns.get_by_id(c.db, asked[1].id).decision_note == "已超过7天无理由退货期"
    times = page.locator(f".refund-times [data-store='{xjh}']")
    expect(times).to_contain_text("30.0")  # hours from request to refund at that store
    assert page.evaluate(FITS)
    shot(page, "backoffice-refund-queue")
    assert errors == []
