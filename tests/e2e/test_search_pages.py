"""Search and store finding through HTTP: the catalog API (pinyin, sort, in stock at a store), the suggest
API, the storefront's product search page, and the store search by street with the cards' hours and phone
(SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import pytest

from o2o.catalog import service as catalog
from o2o.catalog.models import Category
from o2o.catalog.schemas import ProductIn, SkuIn
from o2o.locations import service as locations
from o2o.locations.schemas import LocationIn
from tests.e2e.test_shop_pages import EN, ZH, choose_store, text
from tests.factories.chain import XUJIAHUI, receive

NAMES = [("光明纯牛奶", "Bright Pure Milk", 650), ("蒙牛特仑苏牛奶", "Mengniu Deluxe Milk", 1290),
         ("伊利安慕希酸奶", "Yili Ambrosial Yogurt", 890), ("牛肉干", "Beef jerky", 2590)]


@pytest.fixture
def world(container):  # type: ignore[no-untyped-def]
    return search_world(container)


def search_world(container):  # type: ignore[no-untyped-def]
    """Four products, a store on 漕溪北路 with a phone holding stock of one milk, another store."""
    with container.uow() as uow:
        uow.session.add(Category(code="food", name_zh="食品", name_en="Food"))
        uow.commit()
        cat = uow.session.query(Category.id).filter_by(code="food").scalar()
    ids, skus = {}, {}
    for i, (zh, en, price) in enumerate(NAMES):
        p = catalog.create_product(container.uow(), ProductIn(category_id=cat, name_zh=zh, name_en=en, skus=[
            SkuIn(code=f"E-{i}", barcode=f"6900000002{i:03d}", base_price_fen=price)]))
        ids[zh], skus[zh] = p.id, p.skus[0].id
    xjh = locations.create(container.uow(), LocationIn(
        code="XJH", kind="store", name_zh="徐家汇店", name_en="Xujiahui Store", district="徐汇区",
        address="徐汇区漕溪北路 88 号", lat=XUJIAHUI[0], lng=XUJIAHUI[1], phone="021-64381234")).id
    other = locations.create(container.uow(), LocationIn(
        code="JA", kind="store", name_zh="静安寺店", name_en="Jing'an Temple Store", district="静安区",
        address="静安区南京西路 1 号", lat=31.2235, lng=121.4452)).id
    receive(container, xjh, skus["蒙牛特仑苏牛奶"], 3)
    return {"ids": ids, "xjh": xjh, "other": other}


def zh_names(body: dict) -> list[str]:
    return [p["name_zh"] for p in body["items"]]


def test_the_products_api_finds_pinyin_and_ranks_in_stock_first(client, world):
    r = client.get("/api/v1/products", params={"q": "niunai"})
    assert r.status_code == 200 and set(zh_names(r.json())) == {"光明纯牛奶", "蒙牛特仑苏牛奶"}
    at = client.get("/api/v1/products", params={"q": "milk", "in_stock_at": world["xjh"]}).json()
    assert zh_names(at)[0] == "蒙牛特仑苏牛奶" and at["items"][0]["in_stock"] is True
    assert at["items"][1]["in_stock"] is False
    only = client.get("/api/v1/products", params={"q": "牛 奶", "in_stock_at": world["xjh"], "in_stock": "true"}).json()
    assert zh_names(only) == ["蒙牛特仑苏牛奶"] and only["total"] == 1
    cheap = client.get("/api/v1/products", params={"sort": "price_asc"}).json()
    assert zh_names(cheap) == ["光明纯牛奶", "伊利安慕希酸奶", "蒙牛特仑苏牛奶", "牛肉干"]
    typo = client.get("/api/v1/products", params={"q": "mlik"}).json()
    assert typo["corrected"] == "milk" and set(zh_names(typo)) == {"光明纯牛奶", "蒙牛特仑苏牛奶"}


@pytest.mark.parametrize(("params", "field"), [
    ({"q": "x" * 101}, "q"), ({"sort": "price; drop table product"}, "sort"), ({"in_stock_at": 2**63}, "in_stock_at"),
    ({"in_stock_at": "-1"}, "in_stock_at"), ({"in_stock": "maybe"}, "in_stock"), ({"size": 100_000}, "size"),
])
def test_bad_search_parameters_are_422_naming_the_field(client, world, params, field):
    r = client.get("/api/v1/products", params=params)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert field in r.text


def test_suggestions_complete_what_is_typed(client, world):
    r = client.get("/api/v1/catalog/suggest", params={"q": "niun"})
    assert r.status_code == 200
    assert {s["name_zh"] for s in r.json()} == {"光明纯牛奶", "蒙牛特仑苏牛奶"}
    assert {"product_id", "name_zh", "name_en"} == set(r.json()[0])
    assert client.get("/api/v1/catalog/suggest", params={"q": "'\"*%"}).json() == []
    for bad in ({"q": ""}, {}, {"q": "牛" * 61}, {"q": "milk", "limit": 21}, {"q": "milk", "limit": 0}):
        assert client.get("/api/v1/catalog/suggest", params=bad).status_code == 422, bad


def test_the_search_page_sorts_filters_in_stock_and_says_what_it_corrected(client, world):
    choose_store(client, world["xjh"])
    r = client.get("/shop/products", params={"q": "mlik"}, headers=EN)
    assert r.status_code == 200
    page = text(r.text)
    assert "No products match “mlik”; showing results for “milk”." in page
    assert re.findall(r'href="/shop/products/\d+">([^<]+)<', r.text)[0] == "Mengniu Deluxe Milk"  # in stock first
    only = client.get("/shop/products", params={"q": "niunai", "in_stock": "1"}, headers=ZH)
    assert re.findall(r'href="/shop/products/\d+">([^<]+)<', only.text) == ["蒙牛特仑苏牛奶"]
    assert "只看徐家汇店有货" in text(only.text) and 'name="in_stock" value="1" checked' in only.text
    assert 'data-suggest="/api/v1/catalog/suggest"' in only.text
    bad = client.get("/shop/products", params={"sort": "bogus"}, headers=EN)
    assert bad.status_code == 422 and "Choose an order from the list." in text(bad.text)


def test_a_street_finds_the_store_on_it_with_hours_phone_and_no_distance(client, world):
    r = client.get("/shop/stores", params={"q": "漕溪北路"}, headers=ZH)
    assert r.status_code == 200
    assert re.findall(r"<h3>([^<]+)</h3>", r.text) == ["徐家汇店"]
    page = text(r.text)
    assert "营业中" in page and "今日 08:00–22:00" in page  # the test clock: 10:00 in Shanghai
    assert 'href="tel:02164381234"' in r.text and "电话 021-64381234" in page
    assert 'class="distance"' not in r.text and 'name="lat"' not in r.text  # found by name: no "0 m"
    assert re.findall(r"<h3>([^<]+)</h3>", client.get("/shop/stores", params={"q": "caoxibeilu"}).text) == ["徐家汇店"]
    assert re.findall(r"<h3>([^<]+)</h3>", client.get("/shop/stores", params={"q": "南京西路"}).text) == ["静安寺店"]
    en = client.get("/shop/stores", params={"q": "cxbl"}, headers=EN)
    assert "Open now" in text(en.text) and "Tel. 021-64381234" in text(en.text)


def test_a_store_chosen_by_name_shows_no_distance_anywhere(client, world):
    choose_store(client, world["xjh"], point=None)
    for path in ("/shop", "/shop/products"):
        html = client.get(path, headers=EN).text
        assert " m<" not in html and " km<" not in html and "· 0 m" not in html
    near = client.get("/shop/stores", params={"lat": XUJIAHUI[0], "lng": XUJIAHUI[1]}, headers=EN)
    assert re.findall(r'class="distance">([^<]+)<', near.text)[0] == "0 m"  # a real position: a real distance
