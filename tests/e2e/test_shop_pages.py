"""The storefront's browsing pages through the app: finding a store (district search, the browser's
position), the catalog with the chosen store's price and stock, the product page and the cart.

Helpers here are shared with the other storefront tests (test_shop_checkout.py).
"""

from __future__ import annotations

import re

import pytest

from o2o.catalog import service as catalog
from o2o.catalog.schemas import ProductIn, SkuIn
from o2o.iam import service as iam
from o2o.kernel.pagination import PageParams
from o2o.locations import service as locations
from o2o.locations.schemas import LocationIn
from tests.factories.chain import XUJIAHUI, XUJIAHUI_NEAR, build_chain, receive

EN = {"Accept-Language": "en-US,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def shop_chain(container):  # type: ignore[no-untyped-def]
    """The test chain, with stock at Xujiahui (milk 10, yogurt 2) and two stores in real districts."""
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 10)
    receive(container, chain.stores["xujiahui"], chain.skus["yogurt"], 2)
    receive(container, chain.stores["jingan"], chain.skus["cheese"], 5)
    for code, district, point in (("XH2", "徐汇区", (31.1880, 121.4360)), ("PD1", "浦东新区", (31.2397, 121.5100))):
        chain.stores[code] = locations.create(container.uow(), LocationIn(
            code=code, kind="store", name_zh=f"{code}店", name_en=f"{code} Store", district=district,
            address=f"{district}某路 1 号", lat=point[0], lng=point[1])).id
    return chain


def form(client, path: str, headers: dict | None = None, **data):  # type: ignore[no-untyped-def]
    """POST a page form as a browser does: with the CSRF token of the cookie, not following redirects."""
    if "o2o_csrf" not in client.cookies:
        client.get("/shop")
    return client.post(path, data={"csrf_token": client.cookies["o2o_csrf"], **data}, headers=headers or {},
                       follow_redirects=False)


def choose_store(client, store_id: int, point: tuple[float, float] | None = XUJIAHUI_NEAR) -> None:  # type: ignore[no-untyped-def]
    extra = {"lat": str(point[0]), "lng": str(point[1])} if point else {}
    r = form(client, "/shop/store", store_id=str(store_id), next="/shop/products", **extra)
    assert r.status_code == 303 and r.headers["location"] == "/shop/products", r.text


def sign_in(client, container, customer_id: int) -> None:  # type: ignore[no-untyped-def]
    """A cookie session, as the sign-in page leaves it (the page flow itself is tested on its own)."""
    tokens = iam.sign_in_session(container.uow(), "customer", customer_id, True, iam.Client("test"),
                                 container.settings)
    client.cookies.set("o2o_session", tokens.access_token, domain="testserver.local")
    # and, as the sign-in leaves it, a CSRF cookie bound to that session
    client.cookies.set("o2o_csrf", client.app.state.guardian.csrf.new(tokens.access_token), domain="testserver.local")


def text(html: str) -> str:
    """The page's visible words, whitespace collapsed (for asserting on phrases)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    return shop_chain(container)


def test_home_offers_store_finding_categories_search_and_the_language_switch(client, chain):
    r = client.get("/shop", headers=EN)
    assert r.status_code == 200 and r.headers["content-language"] == "en"
    html = r.text
    assert "<h1>Shop at a store near you</h1>" in html
    assert 'data-locate="/shop/stores"' in html and "Use my location" in html  # the geolocation button
    assert 'action="/shop/stores"' in html and 'action="/shop/products"' in html
    assert 'href="/shop/products?category=' in html and ">Dairy<" in html
    assert 'hreflang="zh-CN"' in html and 'hreflang="en"' in html  # language switch
    assert "<script>" not in html and "style=" not in html  # the CSP allows no inline script or style
    zh = client.get("/shop?lang=zh").text
    assert "在附近门店购物" in zh and ">乳品<" in zh and "使用我的位置" in zh
    assert client.get("/shop").headers["content-language"] == "zh-CN"  # the switch is remembered


def test_district_search_lists_stores_nearest_the_districts_stores_first(client, chain):
    r = client.get("/shop/stores", params={"q": "徐汇"}, headers=ZH)
    assert r.status_code == 200
    page = text(r.text)
    assert "徐汇区附近的门店" in page
    names = re.findall(r"<h3>([^<]+)</h3>", r.text)
    assert names[0] == "XH2店" and names[1] == "XJH店"  # the district's store, then the nearest others
    assert 'class="distance"' not in r.text  # no distance from a district's middle: no position is known
    assert 'name="lat"' not in r.text  # and choosing a store does not remember one
    en = client.get("/shop/stores", params={"q": "xuhui"}, headers=EN)
    assert "Stores near Xuhui (徐汇区)" in text(en.text)
    assert re.findall(r"<h3>([^<]+)</h3>", en.text)[0] == "XH2 Store"
    # a street or store name matches too
    assert re.findall(r"<h3>([^<]+)</h3>", client.get("/shop/stores", params={"q": "PD1"}).text)[0] == "PD1店"


def test_store_search_shows_an_empty_state_or_field_errors_when_nothing_or_nonsense_is_asked(client, chain):
    r = client.get("/shop/stores", params={"q": "火星"}, headers=EN)
    assert r.status_code == 200 and "No store matches “火星”" in r.text and 'class="empty-state"' in r.text
    long = client.get("/shop/stores", params={"q": "x" * 61}, headers=EN)
    assert long.status_code == 422
    assert 'id="e-store-q" class="error-text">Use at most 60 characters.' in long.text
    assert 'aria-invalid="true"' in long.text
    bad = client.get("/shop/stores", params={"lat": "north", "lng": "121.4"}, headers=ZH)
    assert bad.status_code == 422 and "纬度应为 -90 到 90 之间的数字。" in bad.text


def test_browser_position_lists_every_store_nearest_first_with_its_distance(client, chain):
    r = client.get("/shop/stores", params={"lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]}, headers=EN)
    assert r.status_code == 200 and "Stores nearest to you" in r.text
    distances = re.findall(r'class="distance">([^<]+)<', r.text)
    assert distances[0] == "555 m" and len(distances) == 5
    metres = [float(d[:-3]) * 1000 if d.endswith("km") else float(d[:-2]) for d in distances]
    assert metres == sorted(metres)
    # the choice form carries the position, so distances stay measured from it
    assert 'name="lat" value="31.20030"' in r.text


def test_store_list_pages_ten_at_a_time(client, chain, container):
    """All within 10 km of Xujiahui (farther stores are not offered from a position)."""
    for i in range(8):
        locations.create(container.uow(), LocationIn(code=f"EXTRA{i}", kind="store", name_zh=f"加{i}店",
                                                     name_en=f"Extra {i}", lat=31.20 + i / 200, lng=121.45))
    first = client.get("/shop/stores", params={"lat": XUJIAHUI[0], "lng": XUJIAHUI[1]}, headers=EN)
    assert len(re.findall(r"<h3>", first.text)) == 10 and "Page 1 of 2" in first.text and 'rel="next"' in first.text
    second = client.get("/shop/stores", params={"lat": XUJIAHUI[0], "lng": XUJIAHUI[1], "page": 2}, headers=EN)
    assert len(re.findall(r"<h3>", second.text)) == 3 and 'rel="prev"' in second.text


def test_choosing_a_store_remembers_it_and_the_catalog_shows_its_stock_and_distance(client, chain):
    choose_store(client, chain.stores["xujiahui"])
    assert client.cookies["o2o_store"].startswith(f"{chain.stores['xujiahui']}:31.2003")
    r = client.get("/shop/products", headers=ZH)
    assert r.status_code == 200
    assert "有货 · XJH店 · 555 m" in r.text  # milk
    assert "XJH店已售罄" in r.text  # cheese is only at Jing'an
    assert "仅剩 2 件" in r.text  # yogurt: few left
    assert "当前门店： XJH店 · 555 m" in text(r.text)
    en = client.get("/shop/products", headers=EN)
    assert "In stock at XJH Store · 555 m" in en.text and "Sold out at XJH Store" in en.text
    assert "¥12.90" in en.text


def test_choosing_an_unknown_store_or_a_warehouse_is_refused_next_to_the_list(client, chain):
    for bad in ("999999", "abc", str(chain.warehouse)):
        r = form(client, "/shop/store", EN, store_id=bad)
        assert r.status_code == 422 and "That store does not exist any more" in r.text
    assert "o2o_store" not in client.cookies


def test_without_a_store_the_catalog_asks_for_one_and_shows_base_prices(client, chain):
    r = client.get("/shop/products", headers=EN)
    assert "Prices and stock depend on the store." in r.text and "Choose a store to see stock" in r.text
    assert "¥12.90" in r.text


def test_search_and_category_filter_the_catalog_with_empty_states_and_field_errors(client, chain, container):
    r = client.get("/shop/products", params={"q": "yog"}, headers=EN)
    assert "1 products" in r.text and ">yogurt<" in r.text and ">milk<" not in r.text
    none = client.get("/shop/products", params={"q": "durian"}, headers=EN)
    assert none.status_code == 200 and "No products match your search" in none.text
    bad = client.get("/shop/products", params={"category": "dairy"}, headers=EN)
    assert bad.status_code == 422 and 'id="e-category" class="error-text">Choose a category' in bad.text
    cat = re.search(r'href="/shop/products\?category=(\d+)"', client.get("/shop").text).group(1)
    assert "3 products" in client.get("/shop/products", params={"category": cat}, headers=EN).text


def test_catalog_pages_twenty_products_at_a_time(client, chain, container):
    cat_id = catalog.categories(container.db)[0].id
    for i in range(20):
        catalog.create_product(container.uow(), ProductIn(category_id=cat_id, name_zh=f"批量{i}", name_en=f"bulk {i}",
                                                          skus=[SkuIn(code=f"B{i}", barcode=f"6911{i:08d}",
                                                                      base_price_fen=100 + i)]))
    first = client.get("/shop/products", headers=EN)
    assert "23 products" in first.text and first.text.count('class="card product') == 20
    assert "Page 1 of 2" in first.text
    second = client.get("/shop/products", params={"page": 2}, headers=EN)
    assert second.text.count('class="card product') == 3
    past = client.get("/shop/products", params={"page": 9}, headers=EN)
    assert "This page is past the last one." in past.text


def test_product_page_adds_to_an_anonymous_cart_kept_on_the_server(client, chain):
    choose_store(client, chain.stores["xujiahui"])
    catalog_page = client.get("/shop/products").text
    pid = re.search(r'href="/shop/products/(\d+)">测试milk<', catalog_page).group(1)
    page = client.get(f"/shop/products/{pid}", headers=EN)
    assert page.status_code == 200 and "In stock at XJH Store" in page.text and 'name="sku_id"' in page.text
    r = form(client, "/shop/cart/add", sku_id=str(chain.skus["milk"]), quantity="2", product_id=pid)
    assert r.status_code == 303 and r.headers["location"] == f"/shop/products/{pid}?added=1"
    token = client.cookies["o2o_cart"]
    assert len(token) >= 30
    assert "Added to your cart." in client.get(r.headers["location"], headers=EN).text
    form(client, "/shop/cart/add", sku_id=str(chain.skus["milk"]), quantity="1", product_id=pid)
    cart = client.get("/shop/cart", headers=EN)
    assert cart.status_code == 200 and cart.headers["cache-control"] == "no-store"
    assert ">milk</h2>" in cart.text and 'value="3"' in cart.text and "¥38.70" in cart.text
    assert '<span class="count" aria-hidden="true">3</span><span class="visually-hidden">(3 items)</span>' in cart.text
    assert client.cookies["o2o_cart"] == token  # the same cart


def test_bad_quantities_and_skus_are_shown_next_to_the_field(client, chain):
    pid = catalog.search(client.app.state.container.db, "milk", None, PageParams()).items[0].id
    for qty in ("0", "1000", "two", ""):
        r = form(client, "/shop/cart/add", EN, sku_id=str(chain.skus["milk"]), quantity=qty, product_id=str(pid))
        assert r.status_code == 422
        assert 'id="e-quantity" class="error-text">Enter a whole number from 1 to 999' in r.text
        assert 'value="' + qty + '"' in r.text  # what was typed stays
    r = form(client, "/shop/cart/add", ZH, sku_id="999999", quantity="1", product_id=str(pid))
    assert r.status_code == 422 and 'id="e-sku_id" class="error-text">该商品暂不销售。' in r.text
    assert client.get("/shop/cart", headers=EN).text.count('class="card cart-line"') == 0


def test_cart_lines_change_and_go_and_an_empty_cart_says_so(client, chain):
    assert "Your cart is empty" in client.get("/shop/cart", headers=EN).text
    form(client, "/shop/cart/add", sku_id=str(chain.skus["milk"]), quantity="2")
    form(client, "/shop/cart/add", sku_id=str(chain.skus["yogurt"]), quantity="1")
    r = form(client, "/shop/cart/update", sku_id=str(chain.skus["milk"]), quantity="5")
    assert r.status_code == 303 and r.headers["location"] == "/shop/cart"
    assert 'value="5"' in client.get("/shop/cart").text
    bad = form(client, "/shop/cart/update", EN, sku_id=str(chain.skus["milk"]), quantity="-3")
    assert bad.status_code == 422
    assert f'id="e-q-{chain.skus["milk"]}" class="error-text">Enter a whole number' in bad.text
    form(client, "/shop/cart/update", sku_id=str(chain.skus["milk"]), quantity="0")
    form(client, "/shop/cart/remove", sku_id=str(chain.skus["yogurt"]))
    assert "Your cart is empty" in client.get("/shop/cart", headers=EN).text


def test_unknown_products_answer_a_404_page_in_the_shoppers_language(client, chain):
    r = client.get("/shop/products/999999", headers=EN)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<h1>Product not found</h1>" in r.text


def test_forms_without_the_csrf_token_are_refused(client, chain):
    client.get("/shop")
    r = client.post("/shop/cart/add", data={"sku_id": chain.skus["milk"], "quantity": 1}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/shop/store", data={"store_id": chain.stores["xujiahui"], "csrf_token": "forged.value"},
                    follow_redirects=False)
    assert r.status_code == 403


def test_a_form_shown_again_with_errors_switches_language_on_the_page_it_came_from(client, chain):
    r = form(client, "/shop/cart/add", {**EN, "Referer": "http://testserver/shop/products/1?added=1"},
             sku_id=str(chain.skus["milk"]), quantity="0", product_id="1")
    assert r.status_code == 422
    assert 'href="/shop/products/1?added=1&amp;lang=zh-CN"' in r.text  # not the POST-only /shop/cart/add
    r = form(client, "/shop/cart/update", {**EN, "Referer": "https://elsewhere.example/x"}, sku_id="x")
    assert 'href="/shop?lang=zh-CN"' in r.text


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" + b"\xff" * 6 + b"\0" + b"\x80" * 6)) + chunk(b"IEND", b""))


def test_a_products_main_picture_shows_in_the_catalog_and_on_its_page(client, chain, container, tmp_path):
    from o2o.catalog import admin

    container.settings.media_dir = tmp_path / "media"  # (the app serving it is the back-office's concern)
    pid = catalog.search(container.db, "milk", None, PageParams()).items[0].id
    url = admin.add_image(container.uow(), container.settings.media_dir, pid, _png()).url
    listing = client.get("/shop/products", params={"q": "milk"}).text
    thumb = re.search(rf'<img class="thumb" src="{re.escape(url)}"[^>]*>', listing)  # (srcset: test_quick_buy.py)
    assert thumb and 'alt=""' in thumb.group(0) and 'loading="lazy"' in thumb.group(0)
    page = client.get(f"/shop/products/{pid}", headers=EN).text
    main = re.search(rf'<img class="product-image" src="{re.escape(url)}"[^>]*>', page)
    assert main and 'alt="milk"' in main.group(0) and 'width="2" height="2"' in main.group(0)


def test_stores_farther_than_ten_km_are_not_offered_from_a_position(client, chain):
    from tests.factories.chain import SONGJIANG

    r = client.get("/shop/stores", params={"lat": SONGJIANG[0], "lng": SONGJIANG[1]}, headers=EN)
    assert r.status_code == 200 and "No store within 10 km of you yet" in r.text
    assert "<h3>" not in r.text
