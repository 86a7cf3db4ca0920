"""Never move an order silently: the storefront shows availability at the chosen store (one stock query per
page), says which lines the chosen store or mode cannot serve and why, offers the real alternatives, and
places only the plan the shopper confirmed (orders.place exact=True: 409 plan-unavailable naming the lines,
nothing placed). The API's `auto` keeps re-routing for integrations. SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.customers import service as customers
from o2o.customers.schemas import AddressIn
from o2o.inventory import service as inventory
from o2o.orders import service as orders
from o2o.orders.exceptions import PlanUnavailable
from o2o.orders.models import Order
from o2o.orders.schemas import LineIn, OrderIn, ShipTo
from tests.e2e.test_shop_checkout import checkout_form, shown_plan
from tests.e2e.test_shop_pages import EN, ZH, choose_store, form, shop_chain, sign_in, text
from tests.factories.chain import SONGJIANG, XUJIAHUI_NEAR, receive

STOCK_QUERY = re.compile(r"^\s*SELECT\s+stock\.location_id,\s*stock\.sku_id\b", re.I)  # availability, any SKUs


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    """Xujiahui: milk 10, yogurt 2, no cheese; Jing'an (3.2 km): cheese 5; the Jiading DC ships parcels."""
    return shop_chain(container)


@pytest.fixture
def shopper(client, container, chain):  # type: ignore[no-untyped-def]
    choose_store(client, chain.stores["xujiahui"])
    sign_in(client, container, chain.customer)
    return client


def _count(container) -> int:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return s.scalar(select(func.count()).select_from(Order)) or 0


def _available(container, loc: int, sku: int) -> int:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return inventory.available(s, [loc], [sku]).get((loc, sku), 0)


def _stock_queries(container, fn) -> int:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if STOCK_QUERY.search(statement):
            seen.append(statement)

    event.listen(container.db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(container.db.engine, "before_cursor_execute", record)
    return len(seen)


def _pickup(chain, store: str, **lines: int) -> OrderIn:  # type: ignore[no-untyped-def]
    return OrderIn(customer_id=chain.customer, mode="pickup", location_id=chain.stores[store], channel="h5",
                   lines=[LineIn(sku_id=chain.skus[k], quantity=q) for k, q in lines.items()])


# -- availability on the product list, the product page and the cart -------------------------------------------

def test_the_list_the_product_and_the_cart_show_sold_out_and_few_left_with_one_stock_query_each(shopper, container,
                                                                                                  chain):
    r = {}
    assert _stock_queries(container, lambda: r.update(page=shopper.get("/shop/products", headers=ZH))) == 1
    page = text(r["page"].text)
    assert "XJH店已售罄" in page and "仅剩 2 件" in page  # cheese; yogurt (2 <= the low-stock threshold)
    assert re.search(r'<li class="card product sold-out">\s*(<img[^>]*>\s*)?<h3><a href="/shop/products/\d+">测试cheese',
                     r["page"].text)
    cheese = re.search(r'href="/shop/products/(\d+)">测试cheese', r["page"].text).group(1)
    assert _stock_queries(container, lambda: r.update(page=shopper.get(f"/shop/products/{cheese}", headers=EN))) == 1
    html = r["page"].text
    assert re.search(r'class="sku-option sold-out">\s*<input type="radio" name="sku_id" value="\d+" disabled>', html)
    assert re.search(r'<button type="submit" disabled aria-disabled="true" data-add>Sold out</button>', html)
    assert "Sold out at XJH Store" in text(html)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["yogurt"], 1)
    # everything there: the cart's one stock query, no alternatives looked for
    assert _stock_queries(container, lambda: r.update(page=shopper.get("/shop/cart", headers=EN))) == 1
    assert "data-plan-problem" not in r["page"].text and "only 2 left" in text(r["page"].text)


def test_the_cart_names_the_sold_out_line_and_offers_the_nearest_complete_store_but_switches_nothing(
        shopper, container, chain):
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["cheese"], 1)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["yogurt"], 3)
    receive(container, chain.stores["jingan"], chain.skus["yogurt"], 5)
    r = shopper.get("/shop/cart", headers=EN)
    page = text(r.text)
    assert "XJH Store cannot fill your order" in page
    assert "cheese sold out at XJH Store" in page and "yogurt only 2 left at XJH Store (you want 3)" in page
    assert re.search(r'name="quantity" value="2">\s*<input type="hidden" name="next" value="/shop/cart">\s*'
                     r'<button type="submit" class="secondary" data-reduce>Take 2</button>', r.text)
    # Jing'an has both: offered with its distance from the shopper's position (550 m north of Xujiahui)
    assert f'data-alt-store="{chain.stores["jingan"]}"' in r.text
    assert re.search(r"JA Store has everything in your cart · 2\.\d km from you", page)
    assert "Pick up at JA Store instead" in page
    assert "Parcel from" not in page  # the warehouse has none of it: no parcel offered
    # looking changes nothing: the store is still Xujiahui, and checkout quotes nothing there
    assert client_store(shopper) == str(chain.stores["xujiahui"])
    co = shopper.get("/shop/checkout", headers=EN)
    assert co.status_code == 200 and 'name="plan"' not in co.text and "Pickup · " not in text(co.text)
    assert "XJH Store cannot fill your order" in text(co.text)
    # the shopper chooses Jing'an: the cart is fine there, and checkout quotes it before placing
    r = form(shopper, "/shop/store", store_id=str(chain.stores["jingan"]), lat=f"{XUJIAHUI_NEAR[0]:.5f}",
             lng=f"{XUJIAHUI_NEAR[1]:.5f}", next="/shop/cart")
    assert r.status_code == 303 and r.headers["location"] == "/shop/cart"
    assert "data-plan-problem" not in shopper.get("/shop/cart").text
    values = checkout_form(shopper)
    assert values["plan"] == f"pickup:{chain.stores['jingan']}"
    r = form(shopper, "/shop/checkout", **values, action="place")
    assert r.status_code == 303
    number = r.headers["location"].split("/")[3]
    order = orders.get(container.db, number)
    assert (order.mode, order.fulfil_location_id, order.chosen_location_id) == (
        "pickup", chain.stores["jingan"], chain.stores["jingan"])


def client_store(client) -> str:  # type: ignore[no-untyped-def]
    return client.cookies.get("o2o_store", "").split(":")[0]


def test_reducing_a_line_to_what_the_store_has_makes_the_cart_placeable_there(shopper, container, chain):
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["yogurt"], 3)
    r = form(shopper, "/shop/cart/update", sku_id=str(chain.skus["yogurt"]), quantity="2", next="/shop/checkout")
    assert r.status_code == 303 and r.headers["location"] == "/shop/checkout"
    assert cart.lines(container.db, Owner(customer_id=chain.customer))[0].quantity == 2
    assert checkout_form(shopper)["plan"] == f"pickup:{chain.stores['xujiahui']}"
    evil = form(shopper, "/shop/cart/update", sku_id=str(chain.skus["yogurt"]), quantity="1",
                next="https://evil.example/")
    assert evil.headers["location"] == "/shop/cart"  # no open redirect


# -- placing only the confirmed plan -------------------------------------------------------------------------

def test_a_confirmed_plan_that_no_longer_works_is_a_409_naming_the_lines_and_nothing_is_placed(container, chain):
    policy = orders.OrderPolicy()
    data = _pickup(chain, "xujiahui", milk=12, cheese=1, yogurt=1)
    milk_before = _available(container, chain.stores["xujiahui"], chain.skus["milk"])
    with pytest.raises(PlanUnavailable) as caught:
        orders.place(container.uow(), data, policy, "k-1", scope="customer:1", exact=True)
    body = caught.value.body("en")
    assert body["status"] == 409 and body["type"].endswith("/plan-unavailable")
    assert body["title"] == "The confirmed store and mode cannot serve this order"
    assert (body["why"], body["location_id"], body["mode"]) == ("short", chain.stores["xujiahui"], "pickup")
    assert body["lines"] == [
        {"field": "lines[0]", "sku_id": chain.skus["milk"], "requested": 12, "available": 10},
        {"field": "lines[1]", "sku_id": chain.skus["cheese"], "requested": 1, "available": 0}]
    assert _count(container) == 0 and _available(container, chain.stores["xujiahui"], chain.skus["milk"]) == milk_before
    with pytest.raises(PlanUnavailable):  # the quote says the same, and writes nothing either
        orders.quote(container.db, data, policy, exact=True)
    # without `exact` (the API's routing) an order goes where the stock is: unchanged behaviour
    cheese = OrderIn(customer_id=chain.customer, mode="auto", location_id=chain.stores["xujiahui"],
                     address=ShipTo(line="x", lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1]),
                     lines=[LineIn(sku_id=chain.skus["cheese"], quantity=1)])
    placed = orders.place(container.uow(), cheese, policy)
    assert (placed.mode, placed.fulfil_location_id, placed.chosen_location_id) == (
        "store_delivery", chain.stores["jingan"], chain.stores["xujiahui"])


def test_the_api_keeps_auto_routing_for_integrations(client, container, auth, chain):
    r = client.post("/api/v1/orders", headers=auth.customer(chain.customer),
                    json={"customer_id": chain.customer, "mode": "auto", "location_id": chain.stores["xujiahui"],
                          "address": {"line": "漕溪北路", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]},
                          "lines": [{"sku_id": chain.skus["cheese"], "quantity": 1}]})
    assert r.status_code == 201, r.text
    assert (r.json()["mode"], r.json()["fulfil_location_id"]) == ("store_delivery", chain.stores["jingan"])
    receive(container, chain.warehouse, chain.skus["milk"], 5)
    far = client.post("/api/v1/orders", headers=auth.customer(chain.customer),
                      json={"customer_id": chain.customer, "mode": "store_delivery",
                            "location_id": chain.stores["xujiahui"],
                            "address": {"line": "松江", "lat": SONGJIANG[0], "lng": SONGJIANG[1]},
                            "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}]})
    assert far.status_code == 201 and (far.json()["mode"], far.json()["fulfil_location_id"]) == (
        "parcel", chain.warehouse)


def test_store_delivery_out_of_the_stores_range_is_refused_with_its_distance_and_radius(container, chain):
    data = OrderIn(customer_id=chain.customer, mode="store_delivery", location_id=chain.stores["xujiahui"],
                   address=ShipTo(line="松江区某路", lat=SONGJIANG[0], lng=SONGJIANG[1]),
                   lines=[LineIn(sku_id=chain.skus["milk"], quantity=1)])
    with pytest.raises(PlanUnavailable) as caught:
        orders.place(container.uow(), data, orders.OrderPolicy(), exact=True)
    body = caught.value.body("zh-CN")
    assert body["why"] == "out-of-range" and body["lines"] == [] and body["title"] == "所选门店和收货方式无法完成此订单"
    assert 25_000 < body["distance_m"] < 29_000 and body["radius_m"] == 3000
    assert _count(container) == 0


def test_a_confirmed_plan_is_placed_where_it_was_confirmed(container, chain):
    receive(container, chain.warehouse, chain.skus["milk"], 5)
    out = orders.place(container.uow(), _pickup(chain, "xujiahui", milk=2), orders.OrderPolicy(), exact=True)
    assert (out.mode, out.fulfil_location_id, out.route_reason) == (
        "pickup", chain.stores["xujiahui"], "chosen store has every line")
    parcel = OrderIn(customer_id=chain.customer, mode="parcel", location_id=chain.warehouse,
                     address=ShipTo(line="松江区某路", lat=SONGJIANG[0], lng=SONGJIANG[1]),
                     lines=[LineIn(sku_id=chain.skus["milk"], quantity=5)])
    out = orders.place(container.uow(), parcel, orders.OrderPolicy(), exact=True)
    assert (out.mode, out.fulfil_location_id, out.delivery_fee_fen) == ("parcel", chain.warehouse, 1000)
    # a store that does not ship parcels, or a location that does not exist, is not a confirmed plan
    with pytest.raises(PlanUnavailable) as caught:
        orders.place(container.uow(), parcel.model_copy(update={"location_id": chain.stores["jingan"]}),
                     orders.OrderPolicy(), exact=True)
    assert caught.value.extra["why"] == "mode"


def test_two_shoppers_confirming_the_last_unit_at_a_store_one_gets_it_the_other_is_not_moved(container, chain):
    receive(container, chain.stores["jingan"], chain.skus["yogurt"], 5)
    inventory_before = _available(container, chain.stores["jingan"], chain.skus["yogurt"])
    data = _pickup(chain, "xujiahui", yogurt=2)  # Xujiahui has exactly 2
    barrier = threading.Barrier(2)

    def go(_: int) -> str:
        barrier.wait()
        try:
            return orders.place(container.uow(), data, orders.OrderPolicy(), exact=True).number
        except PlanUnavailable as exc:
            return f"refused:{exc.extra['why']}"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(go, range(2)))
    assert results[1] == "refused:short" and results[0].startswith("SO"), results
    assert _count(container) == 1
    assert _available(container, chain.stores["jingan"], chain.skus["yogurt"]) == inventory_before  # untouched


# -- the storefront's checkout -----------------------------------------------------------------------------

def test_stock_gone_between_the_page_and_placing_brings_the_shopper_back_to_the_cart(shopper, container, chain):
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["yogurt"], 2)
    receive(container, chain.stores["jingan"], chain.skus["yogurt"], 5)
    values = checkout_form(shopper)
    assert values["plan"] == f"pickup:{chain.stores['xujiahui']}"
    orders.place(container.uow(), _pickup(chain, "xujiahui", yogurt=1), orders.OrderPolicy())  # someone else
    r = form(shopper, "/shop/checkout", **values, action="place")
    assert r.status_code == 303 and r.headers["location"] == "/shop/cart?not_placed=short"
    assert _count(container) == 1  # only the other shopper's order: nothing placed at Jing'an for this one
    page = shopper.get(r.headers["location"], headers=EN)
    words = text(page.text)
    assert "Your order was not placed" in words and "yogurt only 1 left at XJH Store (you want 2)" in words
    assert "Pick up at JA Store instead" in words
    assert cart.lines(container.db, Owner(customer_id=chain.customer))[0].quantity == 2  # the cart is kept


def test_an_address_out_of_the_stores_range_offers_parcel_with_its_fee_and_never_quotes_store_delivery(
        shopper, container, chain):
    receive(container, chain.warehouse, chain.skus["milk"], 50)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)
    far = customers.add_address(container.uow(), chain.customer,
                                AddressIn(label="家", line="松江区某路 9 号", lat=SONGJIANG[0], lng=SONGJIANG[1]))
    values = {**checkout_form(shopper), "mode": "store_delivery", "address": str(far.id)}
    r = form(shopper, "/shop/checkout", EN, **values, action="quote")
    assert r.status_code == 409
    page = text(r.text)
    assert "XJH Store cannot deliver to this address" in page
    assert re.search(r"The address is 2\d\.\d km from XJH Store; it delivers within 3\.0 km\.", page)
    assert "Parcel from Jiading DC · delivery ¥10.00, free from ¥99.00 · arrives in 1–2 days" in page
    assert "Store delivery · " not in page and 'name="plan"' not in r.text  # no quote claims store delivery
    assert re.search(r'value="store_delivery" checked data-mode>.*?data-mode-unavailable>not possible', r.text, re.S)
    assert form(shopper, "/shop/checkout", **values, action="place").status_code == 409  # no plan: not placed
    assert _count(container) == 0
    # the shopper picks the parcel: quoted (the page's plan) and only then placed
    r = form(shopper, "/shop/checkout", EN, **values, action="to_parcel")
    assert r.status_code == 200 and 'value="parcel" checked' in r.text
    assert "Parcel · Jiading DC" in text(r.text) and shown_plan(r.text) == f"parcel:{chain.warehouse}"
    r = form(shopper, "/shop/checkout", **{**values, "mode": "parcel", "plan": shown_plan(r.text)}, action="place")
    assert r.status_code == 303
    order = orders.get(container.db, r.headers["location"].split("/")[3])
    assert (order.mode, order.fulfil_location_id, order.delivery_fee_fen) == ("parcel", chain.warehouse, 1000)


def test_a_forged_plan_cannot_place_elsewhere_or_at_a_place_that_does_not_exist(shopper, container, chain):
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 1)
    values = checkout_form(shopper)
    for plan in (f"pickup:{chain.stores['jingan']}", "pickup:999999999", "pickup:" + "9" * 30, "auto:1", "x"):
        r = form(shopper, "/shop/checkout", **{**values, "plan": plan}, action="place")
        assert r.status_code == 409, plan  # not the page's plan: shown again, not placed
    assert form(shopper, "/shop/checkout", **{**values, "plan": "9" * 41}, action="place").status_code == 422
    parcel = {**values, "mode": "parcel", "address": "new", "line": "x", "lat": str(SONGJIANG[0]),
              "lng": str(SONGJIANG[1])}
    r = form(shopper, "/shop/checkout", **{**parcel, "plan": f"parcel:{chain.stores['jingan']}"}, action="place")
    assert r.status_code == 303 and r.headers["location"] == "/shop/cart?not_placed=mode"  # not a shipper
    r = form(shopper, "/shop/checkout", **{**parcel, "plan": "parcel:999999999"}, action="place")
    assert r.status_code == 422  # no such location
    assert _count(container) == 0


def test_a_line_the_store_lacks_can_be_replaced_by_a_similar_product_it_has(shopper, container, chain):
    owner = Owner(customer_id=chain.customer)
    cart.add(container.uow(), owner, chain.skus["cheese"], 2)
    cart.add(container.uow(), owner, chain.skus["milk"], 1)
    page = shopper.get("/shop/cart", headers=EN)
    # same category (dairy), in stock at Xujiahui, nearest in price to the cheese (¥35.90): milk (¥12.90)
    assert f'data-replace="{chain.skus["milk"]}">Replace with milk (¥12.90)</button>' in page.text
    r = form(shopper, "/shop/cart/replace", sku_id=str(chain.skus["cheese"]), with_sku=str(chain.skus["milk"]),
             next="/shop/cart")
    assert r.status_code == 303 and r.headers["location"] == "/shop/cart"
    assert [(ln.sku_id, ln.quantity) for ln in cart.lines(container.db, owner)] == [(chain.skus["milk"], 3)]
    assert "data-plan-problem" not in shopper.get("/shop/cart").text
    # a line not in the cart, an unknown SKU, a huge id: nothing changes
    assert form(shopper, "/shop/cart/replace", sku_id=str(chain.skus["yogurt"]),
                with_sku=str(chain.skus["cheese"])).status_code == 303
    assert form(shopper, "/shop/cart/replace", sku_id=str(chain.skus["milk"]), with_sku="999999999").status_code == 422
    assert form(shopper, "/shop/cart/replace", sku_id=str(chain.skus["milk"]), with_sku="9" * 19).status_code == 422
    assert [(ln.sku_id, ln.quantity) for ln in cart.lines(container.db, owner)] == [(chain.skus["milk"], 3)]
