"""The rider on the pages (issue 13), in Chromium on a phone and a desktop, one flow: a store delivery is
placed with a simulated courier, signed callbacks (as the platform sends them) bring a rider and the
goods on their way; the console's card shows the courier's state and rider, the storefront's order page
the rider's progress and ETA, the admin order page the courier with its history."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from o2o.couriers import service as couriers
from o2o.couriers.models import CourierDelivery
from o2o.fulfillment import service as fulfillment
from o2o.iam import service as iam
from o2o.orders import service as orders
from o2o.orders.schemas import LineIn, OrderIn, ShipTo
from tests.factories.auth import Auth
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive
from tests.factories.couriers import callback, courier_container
from tests.factories.relay import settle


@pytest.fixture
def container(fresh_db, clock):  # type: ignore[no-untyped-def]
    """Two simulated platforms at their usual pace: on the tests' fixed clock they never move by themselves,
    the test drives the delivery with signed callbacks."""
    return courier_container(fresh_db, clock, {"sim-a": {"rider_s": [60, 300]}, "sim-b": {"rider_s": [60, 300]}})


def _delivery(c, fulfillment_id: int) -> CourierDelivery | None:  # type: ignore[no-untyped-def]
    with c.db.read() as s:
        return s.query(CourierDelivery).filter_by(fulfillment_id=fulfillment_id).one_or_none()


def _cookie(page, token: str) -> None:  # type: ignore[no-untyped-def]
    page.context.add_cookies([{"name": "o2o_session", "value": token, "domain": "127.0.0.1", "path": "/"}])


def test_the_console_card_and_the_order_page_show_the_rider_while_delivering(live, open_page, shot):
    c = live.container
    chain = build_chain(c)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(c, store, milk, 10)
    placed = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="store_delivery",
                                           address=ShipTo(line="徐家汇路 1 号 2 室", lat=XUJIAHUI_NEAR[0],
                                                          lng=XUJIAHUI_NEAR[1]),
                                           lines=[LineIn(sku_id=milk, quantity=2)]), orders.OrderPolicy())
    started = orders.start_payment(c.uow(), c.payments, placed.number)
    orders.sandbox_complete(c.uow(), c.payments, started.out_trade_no)
    fid = orders.get(c.db, placed.number).fulfillment_ids[0]
    fulfillment.mark_ready(c.uow(), fid, "test")
    settle(c, lambda: (d := _delivery(c, fid)) is not None and d.status == "waiting", what="the courier placed")
    d = _delivery(c, fid)
    assert d is not None and d.provider == "sim-a"

    t = int(c.clock.now().timestamp())
    for status, at in (("assigned", t + 1), ("at_store", t + 2), ("delivering", t + 3)):
        r = httpx.post(live.url("/api/v1/couriers/sim-a/callback"), timeout=30,
                       content=callback(d.origin_id, status, at, ("88", "赵师傅", "13912345678")))
        assert r.status_code == 200, r.text
    settle(c, lambda: orders.get(c.db, placed.number).status == "shipped", what="the order shipped")

    customer = iam.sign_in_session(c.uow(), "customer", chain.customer, True, iam.Client("test"), c.settings)
    clerk = Auth(c).staff_user("clerk", store_id=store)
    staff = iam.sign_in_session(c.uow(), "staff", clerk, True, iam.Client("test"), c.settings)
    operator = iam.sign_in_session(c.uow(), "staff", Auth(c).staff_user("operator"), True, iam.Client("test"),
                                   c.settings)
    for size, locale in (("phone", "zh-CN"), ("desktop", "en")):
        shop = open_page(size, locale=locale)
        _cookie(shop, customer.access_token)
        shop.goto(f"/shop/orders/{placed.number}")
        panel = shop.locator(".courier-progress")
        expect(panel).to_have_attribute("data-courier-status", "delivering")
        current = panel.locator("li[aria-current=step] .step-name")
        expect(current).to_have_text("骑手正在送货" if locale == "zh-CN" else "On the way to you")
        expect(panel.locator(".courier-rider")).to_contain_text("赵师傅 · 139****5678")
        expect(panel.locator(".courier-eta")).to_contain_text("预计" if locale == "zh-CN" else "Expected by")
        assert "13912345678" not in shop.content()
        shot(shop, "courier-shop-order")

        console = open_page(size, locale=locale)
        _cookie(console, staff.access_token)
        console.goto(f"/console/{store}?lane=done")
        line = console.locator(f".order-card .courier-line[data-courier='{d.id}']")
        expect(line.locator(".courier-badge")).to_have_text("配送中" if locale == "zh-CN" else "On the way")
        expect(line.locator(".courier-rider")).to_contain_text("赵师傅 · 139****5678 · sim-a")
        shot(console, "courier-console-card")

        admin = open_page(size, locale=locale)
        _cookie(admin, operator.access_token)
        admin.goto(f"/admin/orders/{placed.number}")
        history = admin.locator(f".courier-panel[data-courier='{d.id}'] .courier-history li")
        expect(history).to_have_count(5)  # dispatching, placed, assigned, at store, delivering
        expect(admin.locator(".courier-panel .courier-rider")).to_have_text("赵师傅 · 139****5678")
        placed_note = "已向 sim-a 下单，配送费 ¥5.50（2 家报价）" if locale == "zh-CN" else "placed with sim-a for ¥5.50"
        expect(history.nth(1)).to_contain_text(placed_note)
        shot(admin, "courier-admin-order")
    assert couriers.get(c.db, d.id).status == "delivering"


def test_a_returns_courier_pickup_on_the_order_page_the_desk_and_the_queue(live, open_page, shot):
    """Issue 11's courier pickup of a return: approved, the courier goes to the customer; the storefront's
    return card shows the steps and the rider, the store's desk the pickup card, head office's queue a badge;
    nothing overflows a phone's screen."""
    from o2o.customers import service as customers
    from o2o.customers.schemas import AddressIn
    from o2o.returns import service as returns
    from o2o.returns.schemas import ReturnIn
    from tests.factories.returns import completed_online

    c = live.container
    chain = build_chain(c)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(c, store, milk, 10)
    customers.add_address(c.uow(), chain.customer, AddressIn(line="徐家汇路 1 号", lat=XUJIAHUI_NEAR[0],
                                                               lng=XUJIAHUI_NEAR[1]))
    number = completed_online(c, chain.customer, store, {milk: 1})
    line = returns.returnable(c.db, number)[0].order_line_id
    made = returns.request(c.uow(), ReturnIn(order_number=number, reason_code="quality", method="courier",
                                             lines=[{"order_line_id": line, "quantity": 1}]),
                           f"customer:{chain.customer}", customer_id=chain.customer)
    returns.approve(c.uow(), made.id, "staff:test")

    def pickup() -> CourierDelivery | None:
        with c.db.read() as s:  # a new read each time (a snapshot held open would not see the relay's commits)
            found = s.query(CourierDelivery).filter_by(return_id=made.id).one_or_none()
            if found is not None:
                s.expunge(found)
            return found
    settle(c, lambda: (d := pickup()) is not None and d.status == "waiting", what="the pickup placed")
    d = pickup()
    assert d is not None
    r = httpx.post(live.url("/api/v1/couriers/sim-a/callback"), timeout=30,
                   content=callback(d.origin_id, "assigned", int(c.clock.now().timestamp()) + 1,
                                    ("77", "钱师傅", "13987654321")))
    assert r.status_code == 200, r.text
    settle(c, lambda: returns.get_by_id(c.db, made.id).pickup_status == "scheduled", what="the return told")

    customer = iam.sign_in_session(c.uow(), "customer", chain.customer, True, iam.Client("test"), c.settings)
    staff = iam.sign_in_session(c.uow(), "staff", Auth(c).staff_user("clerk", store_id=store), True,
                                iam.Client("test"), c.settings)
    operator = iam.sign_in_session(c.uow(), "staff", Auth(c).staff_user("operator"), True, iam.Client("test"),
                                   c.settings)
    fits = "document.documentElement.scrollWidth <= window.innerWidth + 1"
    for size, locale in (("phone", "zh-CN"), ("desktop", "en")):
        zh = locale == "zh-CN"
        shop = open_page(size, locale=locale)
        _cookie(shop, customer.access_token)
        shop.goto(f"/shop/orders/{number}")
        panel = shop.locator(f"[data-return='{made.number}'] .pickup-progress")
        expect(panel).to_have_attribute("data-pickup-status", "assigned")
        expect(panel.locator("li[aria-current=step] .step-name")).to_have_text(
            "骑手正赶来取件" if zh else "Rider on the way to you")
        expect(panel.locator(".courier-rider")).to_have_text(("骑手" if zh else "Rider") + " 钱师傅 · 139****4321")
        steps = shop.locator(f"[data-return='{made.number}'] .return-steps li")
        expect(steps.last).to_contain_text("已安排取件" if zh else "Pickup scheduled")  # the return's own history
        assert "13987654321" not in shop.content() and shop.evaluate(fits)
        shot(shop, "return-pickup-shop")

        desk = open_page(size, locale=locale)
        _cookie(desk, staff.access_token)
        desk.goto(f"/console/{store}/returns/{made.id}")
        card = desk.locator(".pickup-card")
        expect(card.locator(".courier-badge")).to_have_text("骑手正赶往取件地址" if zh else "Rider on the way to the customer")
        expect(card.locator(".courier-rider")).to_contain_text("钱师傅 · 139****4321 · sim-a")
        expect(desk.locator("#f-pickup")).to_have_count(0)  # the courier reports it: no hand-set form
        assert desk.evaluate(fits)
        shot(desk, "return-pickup-desk")

        admin = open_page(size, locale=locale)
        _cookie(admin, operator.access_token)
        admin.goto("/admin/returns?show=approved")
        badge = admin.locator(f"[data-return='{made.number}'] [data-pickup-status]")
        expect(badge).to_contain_text("上门取件" if zh else "Courier pickup")
        assert admin.evaluate(fits)
        shot(admin, "return-pickup-queue")
