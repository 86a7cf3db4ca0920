"""The storefront's customer pages through the app: signing in by phone code (the cart merged),
checkout with a quoted price breakdown, placing once, paying in the sandbox, following the order;
nobody reaches another customer's order."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from o2o import bootstrap
from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.customers import service as customers
from o2o.customers.schemas import AddressIn, CustomerIn
from o2o.inventory import service as inventory
from o2o.kernel.pagination import PageParams
from o2o.orders import service as orders
from o2o.orders.models import Order
from o2o.orders.schemas import LineIn, OrderIn, ShipTo
from tests.e2e.test_shop_pages import EN, ZH, choose_store, form, shop_chain, sign_in, text
from tests.factories.auth import bearer
from tests.factories.chain import XUJIAHUI_NEAR, receive

PHONE = "13800138000"  # the chain's customer
FIRST_SLOT = "2026-11-24 11:00-12:00"  # the clock says 10:00 in Shanghai; stores open 08:00-22:00


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    return shop_chain(container)


@pytest.fixture
def shopper(client, container, chain):  # type: ignore[no-untyped-def]
    """The chain's customer, signed in, at the Xujiahui store, with 2 milks in the cart."""
    choose_store(client, chain.stores["xujiahui"])
    sign_in(client, container, chain.customer)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)
    return client


def sms_code(container, phone: str = PHONE) -> str:  # type: ignore[no-untyped-def]
    bootstrap.relay(container).run_once()
    for sms in container.sms.inbox:
        if sms.to == phone:
            return re.search(r"(\d{6})", sms.text).group(1)
    raise AssertionError("no code sent")


def checkout_form(client, headers: dict | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The checkout form's values as the page offers them."""
    html = client.get("/shop/checkout", headers=headers or {}).text
    idem = re.search(r'name="idem" value="([^"]+)"', html).group(1)
    slot = re.search(r'<option value="([^"]+)" selected>', html)
    plan = re.search(r'name="plan" value="([^"]+)"', html)
    return {"idem": idem, "slot": slot.group(1) if slot else "", "mode": "pickup", "plan": plan.group(1) if plan else ""}


def shown_plan(html: str) -> str:
    """The plan ("<mode>:<location>") a quoted checkout page confirms on placing."""
    return re.search(r'name="plan" value="([^"]+)"', html).group(1)


def place(client, **values) -> str:  # type: ignore[no-untyped-def]
    r = form(client, "/shop/checkout", **{**checkout_form(client), "action": "place", **values})
    assert r.status_code == 303, text(r.text)[:600]
    number = re.fullmatch(r"/shop/orders/(SO\d+)/pay", r.headers["location"]).group(1)
    return number


def test_signing_in_by_phone_code_merges_the_anonymous_cart_and_goes_back_to_checkout(client, container, chain):
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 1)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["yogurt"], 1)
    form(client, "/shop/cart/add", sku_id=str(chain.skus["milk"]), quantity="2")  # anonymous
    assert "o2o_cart" in client.cookies
    r = client.get("/shop/checkout", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/shop/signin?next=%2Fshop%2Fcheckout"
    page = client.get(r.headers["location"], headers=EN)
    assert page.status_code == 200 and 'name="phone"' in page.text and 'value="/shop/checkout"' in page.text
    r = form(client, "/shop/signin", phone=PHONE, next="/shop/checkout")
    assert r.status_code == 303 and r.headers["location"] == "/shop/signin/code?next=%2Fshop%2Fcheckout"
    code_page = client.get(r.headers["location"], headers=EN)
    assert "We sent a code to 138****8000." in code_page.text and 'href="/dev/inbox"' in code_page.text
    assert PHONE not in code_page.text
    r = form(client, "/shop/signin/code", code=sms_code(container), next="/shop/checkout")
    assert r.status_code == 303 and r.headers["location"] == "/shop/checkout"
    assert "o2o_session" in client.cookies and "o2o_cart" not in client.cookies
    basket = client.get("/shop/cart", headers=EN).text
    assert re.search(rf'name="sku_id" value="{chain.skus["milk"]}">\s*<div class="field">.*?value="3"', basket, re.S)
    assert '<span class="count" aria-hidden="true">4</span><span class="visually-hidden">(4 items)</span>' in basket
    assert client.get("/shop/checkout").status_code == 200


def test_sign_in_problems_are_shown_next_to_the_field_in_the_shoppers_language(client, container, chain):
    r = form(client, "/shop/signin", EN, phone="12345")
    assert r.status_code == 422 and 'id="e-phone" class="error-text" role="alert">Enter an 11-digit' in r.text
    assert form(client, "/shop/signin", phone=PHONE).status_code == 303
    again = form(client, "/shop/signin", ZH, phone=PHONE)
    assert again.status_code == 429 and "验证码刚刚已发送，60 秒后可重新获取。" in again.text
    assert 'href="/shop/signin/code?next=/shop"' in again.text  # "I already have a code"
    fmt = form(client, "/shop/signin/code", EN, code="12ab")
    assert fmt.status_code == 422 and 'id="e-code"' in fmt.text and "Enter the 6 digits of the code." in fmt.text
    code = sms_code(container)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(container.settings.max_failures):
        r = form(client, "/shop/signin/code", EN, code=wrong)
        assert r.status_code == 422 and "That code is wrong or has expired." in r.text
    locked = form(client, "/shop/signin/code", EN, code=code)
    assert locked.status_code == 429 and "this number is locked. Try again in 15 minutes." in locked.text
    assert "o2o_session" not in client.cookies


def test_code_form_without_a_pending_code_asks_for_the_phone_again(client, chain):
    assert 'name="phone"' in client.get("/shop/signin/code").text
    r = form(client, "/shop/signin/code", EN, code="123456")
    assert r.status_code == 422 and "Your code request has expired" in r.text


def test_sign_out_ends_the_session(shopper, container):
    r = form(shopper, "/shop/signout")
    assert r.status_code == 303 and r.headers["location"] == "/shop"
    assert "o2o_session" not in shopper.cookies
    assert shopper.get("/shop/orders", follow_redirects=False).headers["location"].startswith("/shop/signin")


def test_checkout_quotes_pickup_at_the_chosen_store_with_its_slots_and_a_breakdown(shopper):
    r = shopper.get("/shop/checkout", headers=EN)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    html = r.text
    assert f'<option value="{FIRST_SLOT}" selected>Today 11:00-12:00</option>' in html
    assert 'label="Tomorrow"' in html and "Tomorrow 08:00-09:00" in html
    page = text(html)
    assert "Order summary Pick up in store · XJH Store your store has every item" in page
    assert "Subtotal ¥25.80 Delivery fee Free Discount ¥0.00 Total ¥25.80" in page


def test_placing_for_pickup_reserves_empties_the_cart_and_a_second_submit_finds_the_same_order(shopper, container,
                                                                                              chain):
    values = checkout_form(shopper)
    first = form(shopper, "/shop/checkout", **values, action="place")
    assert first.status_code == 303 and first.headers["location"].endswith("/pay")
    again = form(shopper, "/shop/checkout", **values, action="place")  # a double tap, or back and resend
    assert again.headers["location"] == first.headers["location"]
    mine = orders.recent(container.db, chain.customer, PageParams())
    assert len(mine) == 1 and mine[0].mode == "pickup"
    with container.db.read() as s:
        assert s.scalar(select(Order.pickup_slot).where(Order.number == mine[0].number)) == FIRST_SLOT
    assert cart.lines(container.db, Owner(customer_id=chain.customer)) == []
    with container.db.read() as s:
        assert inventory.available(s, [chain.stores["xujiahui"]], [chain.skus["milk"]]) == {
            (chain.stores["xujiahui"], chain.skus["milk"]): 8}


def test_store_delivery_to_a_new_address_is_quoted_with_the_fee_and_the_address_can_be_saved(shopper, container,
                                                                                              chain):
    values = {**checkout_form(shopper), "mode": "store_delivery", "address": "new", "line": "漕溪北路 88 号"}
    missing = form(shopper, "/shop/checkout", EN, **values, lat="", lng="121.439", action="quote")
    assert missing.status_code == 422
    assert 'id="e-line" class="error-text">Search and pick a street' in missing.text  # no coordinates typed
    assert 'value="漕溪北路 88 号"' in missing.text  # what was typed stays
    point = {"lat": str(XUJIAHUI_NEAR[0]), "lng": str(XUJIAHUI_NEAR[1])}
    quoted = form(shopper, "/shop/checkout", EN, **values, **point, action="quote")
    assert quoted.status_code == 200
    page = text(quoted.text)
    assert "Store delivery · XJH Store · 555 m your store has every item" in page
    assert "Subtotal ¥25.80 Delivery fee ¥6.00 Discount ¥0.00 Total ¥31.80" in page
    number = place(shopper, **{**values, "plan": shown_plan(quoted.text)}, **point, save="1")
    order = orders.get(container.db, number)
    assert (order.mode, order.delivery_fee_fen, order.total_fen) == ("store_delivery", 600, 3180)
    saved = customers.addresses(container.db, chain.customer)
    assert [a.line for a in saved] == ["漕溪北路 88 号"]
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["yogurt"], 1)
    assert f'name="address" value="{saved[0].id}" checked' in shopper.get("/shop/checkout").text


def test_short_stock_is_shown_in_the_page_with_what_is_available(shopper, container, chain):
    cart.update(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 20)
    r = form(shopper, "/shop/checkout", EN, **checkout_form(shopper), action="quote")
    assert r.status_code == 409
    page = text(r.text)
    assert "XJH Store cannot fill your order" in page and "milk only 10 left at XJH Store (you want 20)" in page
    assert 'name="plan"' not in r.text and re.search(r'value="place" class="primary" data-once disabled', r.text)
    # a place without the plan the page showed is not placed (the page shows the plan again) ...
    assert form(shopper, "/shop/checkout", **checkout_form(shopper), action="place").status_code == 409
    # ... and a plan forged to the store that lacks the stock goes back to the cart with the reason
    forged = form(shopper, "/shop/checkout", **{**checkout_form(shopper), "plan": f"pickup:{chain.stores['xujiahui']}"},
                  action="place")
    assert forged.status_code == 303 and forged.headers["location"] == "/shop/cart?not_placed=short"
    assert orders.recent(container.db, chain.customer, PageParams()) == []


def test_pickup_needs_a_store_and_one_of_its_slots(client, container, chain):
    sign_in(client, container, chain.customer)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 1)
    r = client.get("/shop/checkout", headers=EN)
    assert "Choose the store to pick up at." in r.text
    choose_store(client, chain.stores["xujiahui"])
    bad = form(client, "/shop/checkout", EN, **{**checkout_form(client), "slot": "2026-11-24 03:00-04:00"},
               action="place")
    assert bad.status_code == 422 and 'id="e-slot" class="error-text">Choose one of the pickup times.' in bad.text


def test_quote_prices_and_routes_like_place_but_reserves_nothing(container, chain):
    data = OrderIn(customer_id=chain.customer, mode="auto", lines=[LineIn(sku_id=chain.skus["milk"], quantity=3)],
                   address=ShipTo(line="x", lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1]))
    policy = orders.OrderPolicy()
    q = orders.quote(container.db, data, policy)
    with container.db.read() as s:
        before = inventory.available(s, [q.location_id], [chain.skus["milk"]])
    assert before == {(chain.stores["xujiahui"], chain.skus["milk"]): 10}
    placed = orders.place(container.uow(), data, policy)
    assert (q.location_id, q.mode, q.distance_m, q.reason) == (
        placed.fulfil_location_id, placed.mode, placed.distance_m, placed.route_reason)
    assert (q.subtotal_fen, q.delivery_fee_fen, q.discount_fen, q.total_fen) == (
        placed.subtotal_fen, placed.delivery_fee_fen, placed.discount_fen, placed.total_fen)
    assert [ln.model_dump() for ln in q.lines] == [ln.model_dump() for ln in placed.lines]


def test_paying_in_the_sandbox_shows_the_timeline_and_the_pickup_code_with_its_qr(shopper, container, chain):
    number = place(shopper)
    pay_page = shopper.get(f"/shop/orders/{number}/pay", headers=EN)
    assert pay_page.status_code == 200 and "¥25.80" in pay_page.text and "Pay (sandbox)" in pay_page.text
    r = form(shopper, f"/shop/orders/{number}/pay")
    assert r.status_code == 303 and r.headers["location"] == f"/shop/orders/{number}?paid=1"
    order = shopper.get(r.headers["location"], headers=EN)
    assert order.status_code == 200
    code = orders.get(container.db, number).pickup_code
    assert code and f'<span class="visually-hidden">Pickup code: </span>{code}</p>' in order.text
    assert 'role="img" aria-label="QR code of pickup code ' + code in order.text and "<svg" in order.text
    fid = re.search(r'data-fulfillment="(\d+)"', order.text).group(1)
    qr = shopper.get(f"/api/v1/fulfillments/{fid}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    page = text(order.text)
    assert "Thank you: your payment went through." in page
    assert re.search(r"Awaiting payment 11-24 10:00 Paid 11-24 10:00 Being picked to come Ready for pickup "
                     r"to come Completed to come", page), page
    assert 'class="step current" aria-current="step"' in order.text
    assert "Why this store your store has every item" in page and f"Pickup time {FIRST_SLOT}" in page
    # paying again is not possible: the page goes to the order
    assert shopper.get(f"/shop/orders/{number}/pay", follow_redirects=False).status_code == 303
    assert form(shopper, f"/shop/orders/{number}/pay").headers["location"] == f"/shop/orders/{number}"
    zh = text(shopper.get(f"/shop/orders/{number}", headers=ZH).text)
    assert "待支付" in zh and "已支付" in zh and "您的取货码" in zh


def test_outside_dev_the_pay_page_says_payments_are_not_configured(shopper, container):
    number = place(shopper)
    container.settings.env = "production"
    page = shopper.get(f"/shop/orders/{number}/pay", headers=EN)
    assert "Online payment is not configured on this site yet." in page.text and "Pay (sandbox)" not in page.text
    r = form(shopper, f"/shop/orders/{number}/pay", EN)
    assert r.status_code == 409 and "not configured" in r.text
    assert orders.get(container.db, number).status == "pending_payment"


def test_order_history_lists_the_customers_orders_newest_first_ten_a_page(shopper, container, chain):
    assert "No orders yet" in shopper.get("/shop/orders", headers=EN).text
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 10)
    data = OrderIn(customer_id=chain.customer, mode="pickup", location_id=chain.stores["xujiahui"],
                   lines=[LineIn(sku_id=chain.skus["milk"], quantity=1)])
    numbers = [orders.place(container.uow(), data, orders.OrderPolicy()).number for _ in range(11)]
    first = shopper.get("/shop/orders", headers=EN)
    listed = re.findall(r"<code>(SO\d+)</code>", first.text)
    assert listed == numbers[::-1][:10] and 'rel="next"' in first.text and "Awaiting payment" in first.text
    second = shopper.get("/shop/orders", params={"page": 2}, headers=EN)
    assert re.findall(r"<code>(SO\d+)</code>", second.text) == [numbers[0]] and 'rel="next"' not in second.text


def test_another_customers_order_is_not_found_on_every_order_page(shopper, client, container, chain):
    other = customers.create(container.uow(), CustomerIn(name="李四", phone="13900139000")).id
    theirs = orders.place(container.uow(), OrderIn(
        customer_id=other, mode="pickup", location_id=chain.stores["xujiahui"],
        lines=[LineIn(sku_id=chain.skus["milk"], quantity=1)]), orders.OrderPolicy()).number
    for path in (f"/shop/orders/{theirs}", f"/shop/orders/{theirs}/pay"):
        r = shopper.get(path, headers=EN, follow_redirects=False)
        assert r.status_code == 404 and "Order not found" in r.text
    assert form(shopper, f"/shop/orders/{theirs}/pay").status_code == 404
    assert theirs not in shopper.get("/shop/orders").text
    assert orders.get(container.db, theirs).status == "pending_payment"
    assert shopper.get("/shop/orders/SO99999999999999", headers=EN).status_code == 404


def test_staff_are_not_customers_on_the_storefront(client, container, auth, chain):
    headers = auth.staff("clerk", store_id=chain.stores["xujiahui"])
    assert client.get("/shop/checkout", headers=headers).status_code == 403
    assert client.get("/shop/products", headers=headers).status_code == 200
    assert client.get("/shop/orders", headers=bearer("nonsense")).status_code == 401


def test_unpaid_orders_past_their_time_show_as_expired(shopper, container, chain):
    number = place(shopper)
    container.clock.advance(minutes=container.settings.unpaid_order_ttl_minutes + 1)
    orders.expire_unpaid(container.db, container.uow)
    page = text(shopper.get(f"/shop/orders/{number}", headers=EN).text)
    assert "Expired (not paid)" in page and "Your pickup code" not in page
    assert shopper.get(f"/shop/orders/{number}/pay", follow_redirects=False).status_code == 303


def test_parcel_is_sent_from_the_warehouse_with_its_fee_and_a_saved_address_can_be_chosen(shopper, container, chain):
    receive(container, chain.warehouse, chain.skus["milk"], 50)
    saved = customers.add_address(container.uow(), chain.customer,
                                  AddressIn(label="家", line="松江区某路 9 号", lat=31.0322, lng=121.2277))
    values = {**checkout_form(shopper), "mode": "parcel", "address": str(saved.id)}
    quoted = form(shopper, "/shop/checkout", EN, **values, action="quote")
    assert quoted.status_code == 200
    page = text(quoted.text)
    # the shipper is the sourcing engine's choice (issue 13); the shopper is told where from, not its costs
    assert "Parcel · Jiading DC" in page and "Jiading DC sends it by parcel" in page and "cost ¥" not in page
    assert "Subtotal ¥25.80 Delivery fee ¥10.00 Discount ¥0.00 Total ¥35.80" in page
    foreign = form(shopper, "/shop/checkout", EN, **{**values, "address": "999999"}, action="quote")
    assert foreign.status_code == 422 and "Choose one of your addresses or enter a new one." in foreign.text
    number = place(shopper, **{**values, "plan": shown_plan(quoted.text)})
    order = orders.get(container.db, number)
    assert (order.mode, order.fulfil_location_id, order.total_fen) == ("parcel", chain.warehouse, 3580)


def test_two_submits_of_one_checkout_form_at_the_same_moment_place_one_order(shopper, container, chain):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    values = {**checkout_form(shopper), "action": "place", "csrf_token": shopper.cookies["o2o_csrf"]}
    start = threading.Barrier(2)

    def submit(_: int) -> tuple[int, str]:
        start.wait()
        r = shopper.post("/shop/checkout", data=values, follow_redirects=False)
        return r.status_code, r.headers.get("location", "")

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(submit, [0, 1]))
    assert results[0] == results[1] and results[0][0] == 303, results
    assert len(orders.recent(container.db, chain.customer, PageParams())) == 1
    with container.db.read() as s:
        assert inventory.available(s, [chain.stores["xujiahui"]], [chain.skus["milk"]]) == {
            (chain.stores["xujiahui"], chain.skus["milk"]): 8}
