"""The admin back-office in Chromium at phone and desktop size: an operator signs in on /login,
creates a product with a SKU and a picture, receives stock for it at one store and finds it in the
list; the dashboard draws its charts; every main page is photographed. Nothing is fetched from off
127.0.0.1 (the fixture fails the test) and the strict CSP reports no violation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser.conftest import sign_in_staff
from tests.factories.auth import PASSWORD
from tests.factories.chain import build_chain, receive
from tests.integration.analytics.test_reports import add_order

SIZES = ["phone", "desktop"]


@pytest.fixture
def media(container, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded pictures go to a temporary directory (set before the app starts)."""
    container.settings.media_dir = tmp_path / "media"
    return container.settings.media_dir


def watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Console errors (a CSP violation is one) and script errors, collected while the test runs; a
    form answered with its errors (422) is no problem."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "(Unprocessable" not in m.text
            else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def tiny_png() -> bytes:
    from tests.e2e.test_backoffice_products import png

    return png(24, 16, seed=90)


@pytest.mark.parametrize("size", SIZES)
def test_operator_creates_a_product_with_stock_and_finds_it_in_the_list(media, live, open_page, shot, auth,
                                                                         container, size):
    chain = build_chain(container)
    auth.staff_user("operator", login="ops")
    page = open_page(size)
    problems = watch(page)
    sign_in_staff(page, "ops", PASSWORD)
    assert page.url.endswith("/admin")  # HQ lands in the back-office

    page.locator('a[href="/admin/products"]').first.click()
    page.locator('a[href="/admin/products/new"]').click()
    assert page.locator("h1").inner_text() == "新建商品"
    shot(page, "admin-product-new")
    page.locator("#f-name_zh").fill("有机燕麦奶")
    page.locator("#f-name_en").fill("Organic oat milk")
    page.locator("#f-category_id").select_option(label="乳品")
    page.locator("#f-sku_code").fill(f"OAT-{size}")
    page.locator("#f-sku_barcode").fill("12AB")  # a mistake first: the error shows next to the field
    page.locator("#f-sku_spec").fill("1 L")
    page.locator("#f-sku_price").fill("19.90")
    page.locator('form[action="/admin/products"] button[type=submit]').click()
    assert page.locator("#e-f-sku_barcode").inner_text() == "8 到 14 位数字。"
    assert page.locator("#f-sku_barcode").get_attribute("aria-invalid") == "true"
    page.locator("#f-sku_barcode").fill("6901234567892" if size == "phone" else "6901234567893")
    page.locator('form[action="/admin/products"] button[type=submit]').click()
    page.wait_for_url(re.compile(r"/admin/products/\d+\?done=created"))
    product_url = page.url.split("?")[0]
    assert page.locator("h1").inner_text() == "有机燕麦奶"
    assert page.get_by_role("status").first.inner_text() == "商品已创建。请在下方添加图片和库存。"

    upload = page.locator('form[action$="/images"] button[type=submit]')
    page.locator("#f-image").set_input_files({"name": "big.png", "mimeType": "image/png",
                                              "buffer": tiny_png() + b"\0" * 950_000})
    assert page.locator("#e-f-image").inner_text() == "文件太大（不超过 900 KB）。"  # checked before it is sent
    assert upload.is_disabled()
    page.locator("#f-image").set_input_files({"name": "oat.png", "mimeType": "image/png", "buffer": tiny_png()})
    assert page.locator("#e-f-image").count() == 0 and upload.is_enabled()
    upload.click()
    page.wait_for_url(re.compile(r"done=image_added"))
    picture = page.locator(".gallery img").first
    picture.scroll_into_view_if_needed()  # pictures load lazily: wait until this one has loaded
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    assert picture.evaluate("img => img.naturalWidth") == 24  # served by the app from /media

    page.locator("#f-location_id").select_option(value=str(chain.stores["xujiahui"]))
    page.locator("#f-quantity").fill("12")
    page.locator("#f-reason").fill("DN-42")
    page.locator('form[action$="/stock"] button[type=submit]').click()
    page.wait_for_url(re.compile(r"done=received"))
    assert page.locator("#stock table tbody tr").count() == 1
    assert "12" in page.locator("#stock table tbody tr td.num").first.inner_text()
    shot(page, "admin-product")

    page.goto("/admin/products?q=oat")
    row = page.locator(f'table.records a[href="{product_url.removeprefix(live.base)}"]').first
    assert row.is_visible() and row.inner_text() == "有机燕麦奶"
    thumb = page.locator("table.records img.thumb").first  # lazy: loaded once on screen, waited for
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert thumb.evaluate("img => img.naturalWidth") == 24
    shot(page, "admin-products")
    assert problems == []

    # sellable where it was received: active, a base price, stock at the store (the storefront's rules)
    from o2o.catalog import service as catalog
    from o2o.inventory import service as inventory

    product_id = int(product_url.rsplit("/", 1)[1])
    product = catalog.get_product(container.db, product_id)
    assert product.active and product.skus[0].active and product.skus[0].base_price_fen == 1990
    with container.db.read() as s:
        assert inventory.available(s, [chain.stores["xujiahui"]], [product.skus[0].id]) == {
            (chain.stores["xujiahui"], product.skus[0].id): 12}


@pytest.fixture
def history(container):  # type: ignore[no-untyped-def]
    """A week of sales at the test chain's stores (paid orders, pickups that got ready)."""
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 50)
    now = container.clock.now()
    channels = ("h5", "miniprogram", "app", "pos", "wechat")
    n = 0
    for day in range(7):
        for i, loc in enumerate(chain.stores.values()):
            for k in range(1 + (day + i) % 3):
                n += 1
                paid = now - timedelta(days=day, hours=1 + k)
                mode = ("pickup", "store_delivery", "parcel")[(n + i) % 3]
                add_order(container.db, f"SO202611{24 - day:02d}{n:06d}", channels[n % 5], mode, "completed", loc,
                          1000 + 137 * n, paid, 12 + 9 * (n % 6) if mode == "pickup" else None)
    return chain


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_draws_its_charts_and_every_page_is_photographed(live, open_page, shot, auth, history, size):
    auth.staff_user("platform_admin", login="root")
    page = open_page(size, locale="en-US")
    problems = watch(page)
    sign_in_staff(page, "root", PASSWORD)
    page.goto("/admin?lang=en")
    assert page.locator("h1").inner_text() == "Dashboard"
    shown, hidden = ("narrow", "wide") if size == "phone" else ("wide", "narrow")
    for chart in ("#chart-gmv", "#chart-ready"):
        svg = page.locator(f"{chart} svg.chart-svg.{shown}")
        assert svg.is_visible() and not page.locator(f"{chart} svg.chart-svg.{hidden}").is_visible()
        assert svg.locator("rect").count() >= 7  # a bar (or more) for each of the 7 days with sales
        box = svg.bounding_box()
        assert box and box["width"] > 300
    assert page.locator("#chart-modes .hbars li").count() == 3
    assert page.locator("#chart-top .hbars li").count() == 3
    fill = page.locator(f"#chart-gmv svg.chart-svg.{shown} rect.s0").first.evaluate(
        "r => getComputedStyle(r).fill")
    assert fill.startswith("rgb(")  # coloured by the stylesheet, not by inline style
    shot(page, "admin-dashboard")
    page.locator("#chart-gmv summary").click()
    assert page.locator("#chart-gmv table").is_visible()  # the figures as a table

    def fits() -> bool:  # on a phone nothing is wider than the screen but what scrolls on purpose
        return size == "desktop" or page.evaluate("document.documentElement.scrollWidth") <= 390

    assert fits()
    for path, name in (("/admin/stores", "admin-stores"), ("/admin/stock", "admin-stock"),
                       ("/admin/orders", "admin-orders"), ("/admin/users", "admin-users"),
                       ("/admin/products", "admin-products-list")):
        page.goto(path)
        assert page.locator("h1").is_visible() and fits(), path
        shot(page, name)
    page.goto("/admin/stores")
    assert page.locator("svg.map-svg g.store").count() == 4
    page.goto("/admin/orders")
    page.locator("table.records tbody a").first.click()
    assert page.locator("h1").inner_text().startswith("Order SO")
    assert fits()
    shot(page, "admin-order")
    assert problems == []
