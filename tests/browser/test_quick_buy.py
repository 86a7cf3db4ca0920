"""Quick buying in Chromium at phone and desktop sizes (both databases): product pictures from their
WebP thumbnails (srcset), the list's + stepper adds without a reload, the floating cart bar's total
and progress to free store delivery follow, − takes one away; on the phone the category rail switches
the category and the bar is fixed at the bottom; the desktop keeps its grid. Screenshots."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from o2o.catalog import service as catalog
from o2o.catalog.models import Category, ProductImage, Sku
from o2o.catalog.schemas import ProductIn, SkuIn
from o2o.demo import pictures
from tests.e2e.test_shop_pages import shop_chain
from tests.factories.chain import receive


@pytest.fixture
def media(container, tmp_path):  # type: ignore[no-untyped-def]
    container.settings.media_dir = tmp_path / "media"
    container.settings.media_dir.mkdir()
    return container.settings.media_dir


@pytest.fixture
def live(media, live):  # type: ignore[no-untyped-def]  # the app made after the media directory is set
    return live


def with_pictures(c, media) -> tuple:  # type: ignore[no-untyped-def]
    """The shop chain, a second category (fresh: apples in stock at Xujiahui) and a drawn picture per product."""
    chain = shop_chain(c)
    with c.uow() as uow:
        uow.session.add(Category(code="fresh", name_zh="生鲜", name_en="Fresh produce"))
        uow.commit()
        fresh = uow.session.query(Category.id).filter_by(code="fresh").scalar()
    apple = catalog.create_product(c.uow(), ProductIn(category_id=fresh, name_zh="红富士苹果", name_en="Fuji apple",
                                                      skus=[SkuIn(code="T-apple", barcode="6900000000990",
                                                                  base_price_fen=990)])).skus[0].id
    receive(c, chain.stores["xujiahui"], apple, 20)
    with c.db.read() as s:
        products = [(k.product_id, code, cat, k.product.name_zh, k.product.name_en) for k, code, cat in (
            (s.get(Sku, chain.skus["milk"]), "dairy", "乳品"), (s.get(Sku, chain.skus["yogurt"]), "dairy", "乳品"),
            (s.get(Sku, apple), "fresh", "生鲜"))]
    rows = pictures.store_all(media, products, seed=42, workers=1)
    with c.uow() as uow:
        for r in rows:
            uow.session.add(ProductImage(**r, created_at=datetime.now(UTC)))
        uow.commit()
    return chain, fresh, apple


def bar_text(page) -> str:  # type: ignore[no-untyped-def]
    return " ".join(page.locator("[data-cart-bar]").inner_text().split())


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_add_from_the_list_with_the_stepper_and_the_bar_follows(live, media, open_page, shot, size):
    c = live.container
    chain, fresh, apple = with_pictures(c, media)
    page = open_page(size)
    page.context.add_cookies([{"name": "o2o_store", "value": str(chain.stores["xujiahui"]),
                               "url": live.url("/")}])
    page.goto("/shop/products")
    milk = page.locator(f"form[data-sku='{chain.skus['milk']}']")
    card = page.locator("li.product", has=milk)
    img = card.locator("img.thumb")
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    src = img.evaluate("i => i.currentSrc")
    assert ".w160.webp" in src or ".w320.webp" in src, src  # a thumbnail, not the 480 px original
    assert img.get_attribute("width") == "480" and img.get_attribute("loading") == "lazy"
    assert "共 0 件" in bar_text(page) and "再买 ¥59.00 免配送费" in bar_text(page)

    page.evaluate("window.__same_page = true")  # gone if the page reloads
    milk.get_by_role("button", name="将测试milk加入购物车").click()
    page.locator(".shop-nav .count").filter(has_text="1").wait_for()
    assert milk.locator("[data-qty]").inner_text() == "1"
    assert "共 1 件" in bar_text(page) and "¥12.90" in bar_text(page)
    assert "再买 ¥46.10 免配送费（满 ¥59.00）" in bar_text(page)
    assert page.locator("[data-bar-meter]").evaluate("m => m.value") == 21
    for n in (2, 3, 4, 5):
        milk.get_by_role("button", name="再加一件测试milk").click()
        milk.locator("[data-qty]").filter(has_text=str(n)).wait_for()
    page.locator("[data-bar-progress]").filter(has_text="已免门店配送费").wait_for()
    assert "¥64.50" in bar_text(page) and page.locator("[data-bar-meter]").evaluate("m => m.value") == 100
    milk.get_by_role("button", name="减少一件测试milk").click()
    milk.locator("[data-qty]").filter(has_text="4").wait_for()
    page.locator("[data-bar-progress]").filter(has_text="再买 ¥7.40 免配送费").wait_for()
    assert page.evaluate("window.__same_page") is True  # no reload happened
    bar = page.locator("[data-cart-bar]").bounding_box()
    view = page.viewport_size
    assert bar and bar["y"] + bar["height"] <= view["height"] + 1  # visible without scrolling down
    if size == "phone":
        assert page.locator("[data-cart-bar]").evaluate("b => getComputedStyle(b).position") == "fixed"
        assert bar["y"] > view["height"] * 0.8  # at the bottom
    shot(page, "quick-buy-list")
    page.goto("/shop/cart")  # the server kept what the stepper did
    assert page.locator(f"#q-{chain.skus['milk']}").input_value() == "4"
    line = page.locator("img.line-thumb")
    assert line.count() == 1 and line.get_attribute("srcset")
    shot(page, "quick-buy-cart")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_category_rail_switches_category_on_the_phone_only(live, media, open_page, shot, size):
    c = live.container
    chain, fresh, apple = with_pictures(c, media)
    page = open_page(size)
    page.context.add_cookies([{"name": "o2o_store", "value": str(chain.stores["xujiahui"]),
                               "url": live.url("/")}])
    page.goto("/shop/products")
    rail = page.get_by_role("navigation", name="分类")
    if size == "desktop":
        assert not rail.is_visible()  # the desktop keeps its filters and grid
        assert page.locator("#f-category").is_visible()
        return
    assert rail.is_visible() and not page.locator("#f-category").is_visible()  # the rail replaces the select
    box, grid = rail.bounding_box(), page.locator(".product-grid").bounding_box()
    assert box and grid and box["x"] + box["width"] <= grid["x"] + 1  # the rail left, the products right
    assert rail.get_by_role("link", name="全部").get_attribute("aria-current") == "page"
    rail.get_by_role("link", name="生鲜").click()
    page.wait_for_url(f"**/shop/products?category={fresh}")
    assert rail.get_by_role("link", name="生鲜").get_attribute("aria-current") == "page"
    names = page.locator(".product-grid h3").all_inner_texts()
    assert names == ["红富士苹果"]
    shot(page, "quick-buy-rail")
    rail.get_by_role("link", name="乳品").click()
    page.wait_for_url("**/shop/products?category=*")
    assert "红富士苹果" not in page.locator(".product-grid").inner_text()
    assert "测试milk" in page.locator(".product-grid").inner_text()
