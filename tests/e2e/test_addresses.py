"""Addresses as people give them, through the app on both databases: a street searched and picked from
the geocoder's suggestions, the pin's spot reverse-geocoded, the door number, recipient and phone
added, everything personal sealed at rest; someone else's address is nobody else's; huge or garbage
input is a 422 at its field; checkout shows the chosen address's delivery fee and ETA before payment."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.customers import service as customers
from o2o.customers.schemas import AddressIn, CustomerIn
from o2o.orders import service as orders
from o2o.orders.models import Order
from o2o.orders.schemas import LineIn, OrderIn
from tests.e2e.test_shop_pages import EN, ZH, choose_store, form, shop_chain, sign_in, text

SECRETS = ("王小明", "13912345678", "漕溪北路", "3号楼2单元1201室")


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    return shop_chain(container)


@pytest.fixture
def shopper(client, container, chain):  # type: ignore[no-untyped-def]
    choose_store(client, chain.stores["xujiahui"])
    sign_in(client, container, chain.customer)
    return client


def _pick(client, typed: str) -> dict:  # type: ignore[no-untyped-def]
    """What the page's script does: ask for suggestions, take the first, drop the pin a little north of
    it and ask what stands there."""
    r = client.get("/api/v1/geo/suggest", params={"q": typed, "near_lat": 31.1955, "near_lng": 121.4374})
    assert r.status_code == 200, r.text
    first = r.json()[0]
    pin = (first["lat"] + 0.0004, first["lng"])
    r = client.get("/api/v1/geo/reverse", params={"lat": pin[0], "lng": pin[1]})
    assert r.status_code == 200, r.text
    at = r.json()
    assert (at["lat"], at["lng"]) == pin
    return {"place": first["name"], "line": f"{at['address']} {at['name']}", "district": at["district"],
            "lat": str(pin[0]), "lng": str(pin[1])}


def test_an_address_is_searched_picked_pinned_and_saved_with_its_door_sealed(shopper, container, chain):
    r = shopper.get("/api/v1/geo/suggest", params={"q": "caoxibeilu"})
    assert [p["name"] for p in r.json()][:1] == ["漕溪北路"] and r.json()[0]["district"] == "徐汇区"
    page = shopper.get("/shop/addresses/new", headers=ZH)
    assert page.status_code == 200 and 'data-suggest-url="/api/v1/geo/suggest"' in page.text
    assert 'name="lat"' in page.text and 'type="hidden" name="lat"' in page.text  # never a field to type in
    picked = _pick(shopper, "漕溪北路")
    r = form(shopper, "/shop/addresses", ZH, **picked, door=SECRETS[3], recipient=SECRETS[0], phone=SECRETS[1],
             label="home", next="/shop/addresses")
    assert r.status_code == 303 and r.headers["location"] == "/shop/addresses?added=1"
    book = text(shopper.get("/shop/addresses?added=1", headers=ZH).text)
    assert "地址已保存" in book and "家" in book and SECRETS[3] in book and picked["line"] in book
    (saved,) = customers.addresses(container.db, chain.customer)
    assert (saved.label, saved.door, saved.recipient, saved.phone, saved.district) == \
        ("家", SECRETS[3], SECRETS[0], SECRETS[1], "徐汇区")
    assert (saved.lat, saved.lng) == (float(picked["lat"]), float(picked["lng"]))
    with container.db.read() as s:
        row = s.execute(sql("SELECT recipient, phone, line, door, lat, lng FROM address WHERE id = :i"),
                        {"i": saved.id}).one()
    stored = " ".join(str(v) for v in row)
    for secret in (*SECRETS, picked["lat"], picked["lng"]):
        assert secret not in stored, secret  # ciphertext at rest, the door number too
    assert all(str(v).startswith(("v1.", "k", "gAAAA")) or len(str(v)) > 40 for v in row)


def test_the_suggestions_are_for_signed_in_shoppers_only(client, chain):
    assert client.get("/api/v1/geo/suggest", params={"q": "漕溪北路"}).status_code == 401
    assert client.get("/api/v1/geo/reverse", params={"lat": 31.2, "lng": 121.4}).status_code == 401
    r = client.get("/shop/addresses/new", follow_redirects=False)
    assert r.status_code in (303, 401) and "signin" in r.headers.get("location", "/shop/signin")


def test_someone_elses_address_ids_are_not_found_anywhere(shopper, client, container, chain, auth):
    other = customers.create(container.uow(), CustomerIn(name="李四", phone="13700137000")).id
    theirs = customers.add_address(container.uow(), other, AddressIn(line="徐汇区虹桥路 1 号", door="8楼",
                                                                    lat=31.1953, lng=121.4365))
    mine = auth.customer(chain.customer)
    assert client.get(f"/api/v1/customers/{other}/addresses", headers=mine).status_code == 404
    r = client.post(f"/api/v1/customers/{other}/addresses", headers=mine,
                    json={"line": "x", "lat": 31.2, "lng": 121.4, "door": "1"})
    assert r.status_code == 404
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 1)
    html = shopper.get("/shop/checkout?mode=store_delivery", headers=EN).text
    idem = re.search(r'name="idem" value="([^"]+)"', html).group(1)
    r = form(shopper, "/shop/checkout", EN, mode="store_delivery", address=str(theirs.id), idem=idem, action="quote")
    assert r.status_code == 422 and 'id="e-address"' in r.text and "8楼" not in r.text
    r = client.post("/api/v1/orders", headers=mine, json={"customer_id": chain.customer, "mode": "store_delivery",
                                                          "address_id": theirs.id,
                                                          "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}]})
    assert r.status_code in (404, 422)


@pytest.mark.parametrize("body, field", [
    ({"door": "楼" * 61}, "door"), ({"line": "路" * 301}, "line"), ({"lat": 91}, "lat"), ({"lng": "east"}, "lng"),
    ({"phone": "1234"}, "phone"), ({"recipient": "名" * 81}, "recipient"), ({"lat": 1e308 * 10}, "lat"),
])
def test_huge_or_garbage_address_input_is_a_422_at_its_field(client, chain, auth, body, field):
    good = {"line": "徐汇区漕溪北路", "lat": 31.1955, "lng": 121.4374, "door": "1201"}
    raw = json.dumps({**good, **body}).replace("Infinity", "1e999")  # a number too big for a float
    r = client.post(f"/api/v1/customers/{chain.customer}/addresses", content=raw,
                    headers={**auth.customer(chain.customer), "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert field in [e["field"].split(".")[-1] for e in r.json()["errors"]], r.json()


@pytest.mark.parametrize("params", [{"q": "路" * 81}, {"q": ""}, {"q": "漕溪", "near_lat": "north"},
                                    {"q": "漕溪", "limit": 10_000}])
def test_huge_or_garbage_searches_are_a_422(shopper, params):
    r = shopper.get("/api/v1/geo/suggest", params=params)
    assert r.status_code == 422


@pytest.mark.parametrize("params", [{"lat": 999, "lng": 121.4}, {"lat": "x", "lng": 1}, {"lat": 31.2}])
def test_garbage_points_are_a_422_and_the_sea_is_not_found(shopper, params):
    assert shopper.get("/api/v1/geo/reverse", params=params).status_code == 422
    assert shopper.get("/api/v1/geo/reverse", params={"lat": 30.0, "lng": 123.5}).status_code == 404


def test_the_address_page_shows_each_problem_at_its_field(shopper):
    r = form(shopper, "/shop/addresses", EN, place="漕溪北路", line="", lat="", lng="", recipient="",
             phone="123", label="castle", door="x")
    assert r.status_code == 422
    for field in ("place", "recipient", "label"):
        assert f'href="#f-{field}"' in r.text, field
    assert 'id="e-place" class="error-text">Search and pick a street' in r.text
    picked = _pick(shopper, "港汇")
    r = form(shopper, "/shop/addresses", EN, **picked, recipient="王小明", phone="123", label="work", door="楼" * 60)
    assert r.status_code == 422 and 'id="e-phone" class="error-text">Enter an 11-digit' in r.text
    assert f'value="{picked["lat"]}"' in r.text  # the pin stays where it was
    r = form(shopper, "/shop/addresses", EN, **picked, recipient="王小明", phone="", label="work", door="楼" * 101)
    assert r.status_code == 422  # over the form's own limit
    r = form(shopper, "/shop/addresses", EN, **picked, recipient="王", label="work", next="https://evil.example/")
    assert r.status_code == 303 and r.headers["location"] == "/shop/addresses?added=1"  # no open redirect


def test_checkout_shows_the_chosen_addresses_fee_and_eta_from_the_orders_routing(shopper, container, chain):
    picked = _pick(shopper, "港汇恒隆广场")
    form(shopper, "/shop/addresses", ZH, **picked, recipient="王小明", label="home", door="2号楼",
         next="/shop/checkout?mode=store_delivery")
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 1)
    (saved,) = customers.addresses(container.db, chain.customer)
    html = shopper.get("/shop/checkout?mode=store_delivery", headers=ZH).text
    assert f'name="address" value="{saved.id}"' in html and "data-eta" in html
    q = orders.quote(container.db, OrderIn(customer_id=chain.customer, mode="store_delivery", channel="h5",
                                           address_id=saved.id, location_id=chain.stores["xujiahui"],
                                           lines=[LineIn(sku_id=chain.skus["milk"], quantity=1)]),
                     orders.OrderPolicy.from_settings(container.settings))
    a, b = orders.eta_minutes(q.mode, q.distance_m)
    page = text(html)
    assert f"预计送达 约 {a}–{b} 分钟" in page and a >= 15 and b == a + 15
    assert f"配送费 ¥{q.delivery_fee_fen / 100:.2f}" in page and q.delivery_fee_fen == 600
    en = text(shopper.get("/shop/checkout?mode=store_delivery", headers=EN).text)
    assert f"Arrives in about {a}–{b} min" in en
    assert "data-eta" not in shopper.get("/shop/checkout?mode=pickup", headers=ZH).text  # the slot is the time


def test_an_order_to_a_saved_address_carries_its_door_number_to_the_courier(client, container, chain, auth):
    me = auth.customer(chain.customer)
    r = client.post(f"/api/v1/customers/{chain.customer}/addresses", headers=me,
                    json={"line": "徐汇区虹桥路 1 号 港汇恒隆广场", "door": "2号楼1201室", "lat": 31.1953, "lng": 121.4365})
    assert r.status_code == 201 and r.json()["door"] == "2号楼1201室"
    r = client.post("/api/v1/orders", headers=me, json={
        "customer_id": chain.customer, "mode": "store_delivery", "address_id": r.json()["id"],
        "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}]})
    assert r.status_code == 201, r.text
    with container.db.read() as s:
        order = s.scalars(select(Order).where(Order.number == r.json()["number"])).one()
        assert order.ship_address == "徐汇区虹桥路 1 号 港汇恒隆广场 2号楼1201室"
        raw = s.execute(sql("SELECT ship_address FROM sales_order WHERE id = :i"), {"i": order.id}).scalar()
    assert "1201" not in raw  # sealed in the order too


def test_without_a_script_the_search_lists_links_and_a_pick_fills_the_place(shopper, container, chain):
    r = shopper.get("/shop/addresses/new", params={"q": "cxbl"}, headers=ZH)
    assert r.status_code == 200 and "漕溪北路" in text(r.text)
    link = re.search(r'href="(/shop/addresses/new\?q=cxbl&amp;pick=0&amp;next=[^"]+)"', r.text).group(1)
    page = shopper.get(link.replace("&amp;", "&"), headers=ZH).text
    lat = re.search(r'name="lat" value="([^"]+)"', page).group(1)
    line = re.search(r'name="line" value="([^"]+)"', page).group(1)
    assert float(lat) > 31 and line == "徐汇区漕溪北路"
    r = form(shopper, "/shop/addresses", ZH, place="漕溪北路", line=line, district="徐汇区", lat=lat,
             lng=re.search(r'name="lng" value="([^"]+)"', page).group(1), recipient="王小明", label="home")
    assert r.status_code == 303
    assert customers.addresses(container.db, chain.customer)[0].line == "徐汇区漕溪北路"
    nothing = shopper.get("/shop/addresses/new", params={"q": "zzzqqq", "pick": "99999999999"}, headers=ZH)
    assert nothing.status_code == 200 and "没有找到" in nothing.text
    huge = shopper.get("/shop/addresses/new", params={"q": "漕溪北路" + "x" * 500, "pick": "-1"}, headers=ZH)
    assert huge.status_code == 200 and "没有找到" in huge.text  # cut to 80 characters, no such word
