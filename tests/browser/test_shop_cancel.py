"""A shopper cancels an order from the storefront's order page in Chromium, on a phone and a desktop:
the confirm dialog with the reasons, the refund of a paid order, the refusal once picking started; the
timeline in the page's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from o2o.fulfillment import service as fulfillment
from o2o.iam import service as iam
from o2o.orders import service as orders
from o2o.orders.schemas import LineIn, OrderIn
from tests.factories.chain import build_chain, receive
from tests.factories.relay import settle

SIZES = ["phone", "desktop"]


def _signed_in_order(live, open_page, size: str, locale: str, paid: bool = True):  # type: ignore[no-untyped-def]
    c = live.container
    chain = build_chain(c)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(c, store, milk, 10)
    placed = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=store,
                                           lines=[LineIn(sku_id=milk, quantity=2)]), orders.OrderPolicy())
    if paid:
        started = orders.start_payment(c.uow(), c.payments, placed.number)
        orders.sandbox_complete(c.uow(), c.payments, started.out_trade_no)
    session = iam.sign_in_session(c.uow(), "customer", chain.customer, True, iam.Client("test"), c.settings)
    page = open_page(size, locale=locale)
    page.context.add_cookies([{"name": "o2o_session", "value": session.access_token, "domain": "127.0.0.1",
                               "path": "/"}])
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/shop/orders/{placed.number}")
    return page, placed.number, errors


@pytest.mark.parametrize("size", SIZES)
def test_a_shopper_cancels_a_paid_order_in_the_confirm_dialog_and_is_refunded(live, open_page, shot, size):
    page, number, errors = _signed_in_order(live, open_page, size, "zh-CN")
    dialog = page.locator("#cancel-dialog")
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="取消订单").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("您已支付 ¥25.80，将原路退回。")
    page.get_by_role("button", name="确认取消订单").click()  # no reason chosen yet: the server names it
    expect(page.locator("#e-reason_code")).to_have_text("请选择取消原因。")
    shot(page, "shop-cancel-missing-reason")
    page.get_by_label("等待时间太长").check()
    page.get_by_label("补充说明（选填）").fill("要等太久")
    page.get_by_role("button", name="确认取消订单").click()
    expect(page.locator(".notice.ok")).to_have_text("订单已取消，已支付的 ¥25.80 正在原路退回。")
    expect(page.locator(".status-line .status")).to_have_text("已取消")
    expect(page.locator(".cancel-why")).to_contain_text("等待时间太长 · 要等太久")
    expect(page.locator("ol.timeline .step-name")).to_have_text(["待支付", "已支付", "已取消"])
    shot(page, "shop-order-cancelled")
    settle(live.container, lambda: len(live.container.payments.refunds) >= 1, what="the refund sent")
    assert [r["amount_fen"] for r in live.container.payments.refunds] == [2580]
    assert orders.get(live.container.db, number).status == "cancelled"
    assert errors == []


@pytest.mark.parametrize("size", SIZES)
def test_the_dialog_can_be_closed_and_the_order_kept(live, open_page, shot, size):
    page, number, errors = _signed_in_order(live, open_page, size, "en", paid=False)
    page.get_by_role("button", name="Cancel order").click()
    dialog = page.locator("#cancel-dialog")
    expect(dialog).to_contain_text("Nothing has been paid yet; the items go back on the shelf.")
    page.get_by_label("I changed my mind").check()
    shot(page, "shop-cancel-dialog")
    page.get_by_role("button", name="Keep the order").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("ol.timeline .step-name").first).to_have_text("Awaiting payment")
    assert orders.get(live.container.db, number).status == "pending_payment"
    assert errors == []


@pytest.mark.parametrize("size", SIZES)
def test_once_the_store_started_picking_the_shopper_is_told_it_is_too_late(live, open_page, shot, size):
    page, number, errors = _signed_in_order(live, open_page, size, "zh-CN")
    fo = orders.get(live.container.db, number).fulfillment_ids[0]
    fulfillment.start_picking(live.container.uow(), fo, "staff:clerk")  # while the page is open
    page.get_by_role("button", name="取消订单").click()
    page.get_by_label("不想要了").check()
    page.get_by_role("button", name="确认取消订单").click()
    expect(page.locator("#cancel-refused")).to_have_text("门店已开始拣货，订单无法再取消。如需帮助，请联系门店。")
    shot(page, "shop-cancel-too-late")
    settle(live.container, lambda: True)
    page.goto(f"/shop/orders/{number}")
    expect(page.locator(".cancel-closed")).to_be_visible()
    expect(page.get_by_role("button", name="取消订单")).to_have_count(0)
    assert orders.get(live.container.db, number).status == "picking"
    assert errors == []
