# ruff: noqa: F811 (the shared fixtures are imported from test_backoffice_access)
"""Pictures and quick buying through the app, on both databases: an upload gets WebP thumbnails that
the list, product and cart pages offer as srcset (with width/height, lazy); `o2o catalog thumbnails`
makes them for older uploads; the list's steppers add and remove by fetch (JSON) or by a plain form
post back to the list; the cart bar's total and progress to free store delivery (the checkout's own
fee rule); refused input and foreign redirects."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from o2o.catalog import thumbs
from o2o.catalog.admin import make_thumbnails
from o2o.orders import pricing
from tests.e2e.test_backoffice_access import app, staff  # noqa: F401 (fixtures)
from tests.e2e.test_shop_pages import EN, ZH, choose_store, form, shop_chain

JSON = {"Accept": "application/json", **EN}
FREE_FROM = pricing.DELIVERY_FEES["store_delivery"][1]


def real_png(width: int, height: int) -> bytes:
    im = Image.new("RGB", (width, height), (200, 30, 30))
    im.paste((20, 120, 220), (width // 4, height // 4, width // 2, height // 2))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    return shop_chain(container)


@pytest.fixture
def shop(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, follow_redirects=False) as c:
        yield c


def upload(ops, product_id: int, data: bytes):  # type: ignore[no-untyped-def]
    return ops.post(f"/admin/products/{product_id}/images", files={"image": ("p.png", data, "image/png")})


def product_of(container, sku_id: int) -> int:  # type: ignore[no-untyped-def]
    from o2o.catalog.models import Sku

    with container.db.read() as s:
        return s.get(Sku, sku_id).product_id  # type: ignore[union-attr]


def test_an_upload_gets_webp_thumbnails_offered_as_srcset_on_list_product_and_cart(staff, chain, shop, container):
    ops = staff("operator")
    pid = product_of(container, chain.skus["milk"])
    r = upload(ops, pid, real_png(800, 600))
    assert r.status_code == 303, r.text[:500]
    media = container.settings.media_dir
    img = shop.get(f"/api/v1/products/{pid}").json()["images"][0]
    rel = img["url"].removeprefix("/media/")
    for w in (160, 320, 640):
        path = media / thumbs.thumb_path(rel, w)
        with Image.open(path) as t:
            assert (t.format, t.width, t.height) == ("WEBP", w, w * 600 // 800)
        served = shop.get(f"/media/{thumbs.thumb_path(rel, w)}")
        assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert img["srcset"] == (f"/media/{rel.removesuffix('.png')}.w160.webp 160w, "
                             f"/media/{rel.removesuffix('.png')}.w320.webp 320w, "
                             f"/media/{rel.removesuffix('.png')}.w640.webp 640w, /media/{rel} 800w")

    choose_store(shop, chain.stores["xujiahui"])
    listed = shop.get("/shop/products", headers=ZH).text
    tag = re.search(rf'<img class="thumb" src="/media/{re.escape(rel)}"[^>]*>', listed)
    assert tag, listed[:3000]
    assert f'srcset="{img["srcset"]}"' in tag.group(0) and 'width="800" height="600"' in tag.group(0)
    assert 'loading="lazy"' in tag.group(0) and 'sizes="' in tag.group(0)
    page = shop.get(f"/shop/products/{pid}", headers=ZH).text
    main = re.search(r'<img class="product-image"[^>]*>', page).group(0)  # type: ignore[union-attr]
    assert 'srcset="' in main and 'width="800"' in main and 'loading="lazy"' not in main  # the page's main picture

    assert form(shop, "/shop/cart/add", sku_id=str(chain.skus["milk"]), quantity="1").status_code == 303
    cart = shop.get("/shop/cart", headers=ZH).text
    line = re.search(r'<img class="line-thumb"[^>]*>', cart).group(0)  # type: ignore[union-attr]
    assert f'srcset="{img["srcset"]}"' in line and 'loading="lazy"' in line


def test_a_picture_that_does_not_decode_is_refused_and_leaves_no_file(staff, chain, container):
    ops = staff("operator")
    pid = product_of(container, chain.skus["milk"])
    good = real_png(400, 300)
    broken = good[:33] + b"\0" * (len(good) - 33)  # the header says 400x300, the pixels are garbage
    r = upload(ops, pid, broken)
    assert r.status_code == 422 and "not_image" not in r.text
    media = container.settings.media_dir / "products" / str(pid)
    assert not media.exists() or not any(media.iterdir())


def test_older_uploads_get_their_thumbnails_from_the_cli_step(staff, chain, container):
    ops = staff("operator")
    pid = product_of(container, chain.skus["yogurt"])
    assert upload(ops, pid, real_png(500, 500)).status_code == 303
    media = container.settings.media_dir
    made = sorted(media.glob(f"products/{pid}/*.w*.webp"))
    assert [p.name.split(".")[1] for p in made] == ["w160", "w320"]  # only narrower than the picture
    for p in made:
        p.unlink()  # as an upload from before thumbnails existed
    assert make_thumbnails(container.db, media) == (1, 2, 0)
    assert make_thumbnails(container.db, media) == (1, 0, 0)  # idempotent
    assert len(list(media.glob(f"products/{pid}/*.w*.webp"))) == 2


def test_list_stepper_adds_and_removes_by_fetch_and_the_bar_shows_progress_to_free_delivery(chain, shop):
    choose_store(shop, chain.stores["xujiahui"])
    milk = chain.skus["milk"]
    html = shop.get("/shop/products", headers=ZH).text
    assert f'data-sku="{milk}"' in html and 'action="/shop/cart/add"' in html
    assert "再买 ¥59.00 免配送费（满 ¥59.00）" in html and "共 0 件" in html  # the empty cart's bar
    r = form(shop, "/shop/cart/add", JSON, sku_id=str(milk), quantity="1", next="/shop/products")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert (body["sku_id"], body["quantity"], body["units"], body["subtotal_fen"]) == (milk, 1, 1, 1290)
    assert body["remaining_fen"] == FREE_FROM - 1290 and body["free_from_fen"] == FREE_FROM == 5900
    assert body["progress"] == 1290 * 100 // 5900 and body["text"]["total"] == "¥12.90"
    assert body["text"]["progress"] == "¥46.10 more for free delivery (from ¥59.00)"
    r = form(shop, "/shop/cart/add", {"Accept": "application/json", **ZH}, sku_id=str(milk), quantity="4")
    assert r.json()["quantity"] == 5 and r.json()["text"]["progress"] == "已免门店配送费"  # 5 x 12.90 = 64.50
    assert r.json()["remaining_fen"] == 0 and r.json()["progress"] == 100
    r = form(shop, "/shop/cart/update", JSON, sku_id=str(milk), quantity="4", next="/shop/products")
    assert r.json()["quantity"] == 4 and r.json()["subtotal_fen"] == 4 * 1290
    r = form(shop, "/shop/cart/update", JSON, sku_id=str(milk), quantity="0")
    assert r.json()["quantity"] == 0 and r.json()["units"] == 0
    assert "共 0 件" in shop.get("/shop/products", headers=ZH).text


def test_without_script_the_stepper_posts_back_to_the_list_with_the_count(chain, shop):
    choose_store(shop, chain.stores["xujiahui"])
    milk = chain.skus["milk"]
    back = "/shop/products?sort=price_asc"
    r = form(shop, "/shop/cart/add", sku_id=str(milk), quantity="1", next=back)
    assert r.status_code == 303 and r.headers["location"] == back
    r = form(shop, "/shop/cart/add", sku_id=str(milk), quantity="1", next=back)
    html = shop.get(back, headers=EN).text
    stepper = re.search(rf'<form[^>]*data-sku="{milk}".*?</form>', html, re.S).group(0)  # type: ignore[union-attr]
    assert re.search(r'formaction="/shop/cart/update" name="quantity" value="1"', stepper)  # minus: 2 -> 1
    assert re.search(r'<output class="step-n" data-qty[^>]*>2</output>', stepper)
    assert "¥25.80" in html and "¥33.20 more for free delivery" in html
    r = form(shop, "/shop/cart/update", sku_id=str(milk), quantity="1", next=back)
    assert r.status_code == 303 and r.headers["location"] == back


def test_refused_steppers_answer_problem_json_and_redirects_stay_on_the_site(chain, shop):
    choose_store(shop, chain.stores["xujiahui"])
    for data in ({"sku_id": str(10**30), "quantity": "1"}, {"sku_id": "abc", "quantity": "1"},
                 {"sku_id": str(chain.skus["milk"]), "quantity": str(10**20)},
                 {"sku_id": str(chain.skus["milk"]), "quantity": "-1"}, {"sku_id": "999999", "quantity": "1"}):
        r = form(shop, "/shop/cart/add", JSON, **data)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), data
        assert r.json()["errors"][0]["field"] in ("sku_id", "quantity") and r.json()["detail"]
    r = form(shop, "/shop/cart/update", JSON, sku_id=str(chain.skus["milk"]), quantity=str(10**9))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "quantity"
    for evil in ("https://evil.example/x", "//evil.example", "javascript:alert(1)"):
        r = form(shop, "/shop/cart/add", sku_id=str(chain.skus["milk"]), quantity="1", next=evil)
        assert r.status_code == 303 and r.headers["location"].startswith("/shop"), evil
    r = shop.post("/shop/cart/add", data={"sku_id": str(chain.skus["milk"]), "quantity": "1"}, headers=JSON)
    assert r.status_code == 403  # no CSRF token: refused before anything changes


def test_the_category_rail_links_each_category_and_marks_the_current_one(chain, shop, container):
    from o2o.catalog import service as catalog

    choose_store(shop, chain.stores["xujiahui"])
    dairy = catalog.categories(container.db)[0].id
    html = shop.get(f"/shop/products?category={dairy}&page=1", headers=ZH).text
    rail = re.search(r'<nav class="category-rail".*?</nav>', html, re.S).group(0)  # type: ignore[union-attr]
    assert f'href="/shop/products?category={dairy}" data-category="{dairy}" aria-current="page">乳品</a>' in rail
    assert 'href="/shop/products">全部</a>' in rail


def test_the_free_delivery_threshold_is_a_setting_and_the_bar_and_checkout_follow_it(chain, shop, container):
    from o2o import bootstrap
    from o2o.config import Settings
    from o2o.orders import service as orders

    default = pricing.DELIVERY_FEES["store_delivery"]
    assert default == (Settings().store_delivery_fee_fen, Settings().store_delivery_free_from_fen) == (600, 5900)
    try:
        bootstrap.build(container.settings.model_copy(update={"store_delivery_free_from_fen": 4900}),
                        db=container.db)
        assert orders.delivery_fee("store_delivery", 4899) == (600, 4900)
        assert orders.delivery_fee("store_delivery", 4900) == (0, 4900)
        choose_store(shop, chain.stores["xujiahui"])
        assert "再买 ¥49.00 免配送费（满 ¥49.00）" in shop.get("/shop/products", headers=ZH).text
        with pytest.raises(ValueError):
            orders.configure_store_delivery(-1, 4900)
    finally:
        orders.configure_store_delivery(*default)
    assert pricing.DELIVERY_FEES["store_delivery"] == (600, 5900)


def test_a_gold_members_bar_shows_tier_prices_and_free_store_delivery(client, container):
    from o2o.cart import service as cart
    from o2o.cart.schemas import Owner
    from tests.e2e.test_shop_pages import sign_in
    from tests.e2e.test_tier_benefits import MILK, _spent

    chain = shop_chain(container)
    _spent(container, chain.customer, 500_000)  # gold: 98% prices, free store delivery
    choose_store(client, chain.stores["xujiahui"])
    sign_in(client, container, chain.customer)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)
    gold_unit = (MILK * 98 + 50) // 100
    r = form(client, "/shop/cart/add", {"Accept": "application/json", **ZH}, sku_id=str(chain.skus["milk"]),
             quantity="1")
    body = r.json()
    assert body["subtotal_fen"] == 3 * gold_unit and body["remaining_fen"] == 0 and body["progress"] == 100
    assert body["text"]["progress"] == "免配送费：黄金会员权益"
    html = client.get("/shop/products", headers=EN).text
    assert "Free store delivery: Gold benefit" in html and f"¥{3 * gold_unit / 100:.2f}" in html
