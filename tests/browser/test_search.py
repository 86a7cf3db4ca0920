"""Search and store finding in Chromium, at phone and desktop sizes: typing `niunai` offers 牛奶 as you
type (keyboard on the desktop, a tap on the phone) and picking it opens the product; the results page
sorts and filters by the store's stock; the store search hint "漕溪北路" finds the store on that street,
its card with today's hours, open now and its phone, and no distance. Screenshots of each."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_search_pages import search_world


def fits_the_screen(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_typing_pinyin_suggests_the_chinese_name_and_picking_it_opens_the_product(live, open_page, shot, size):
    world = search_world(live.container)
    page = open_page(size)
    page.goto("/shop")
    box = page.get_by_role("searchbox", name="搜索商品")
    box.press_sequentially("niunai", delay=40)  # keystrokes, as a shopper types
    options = page.get_by_role("listbox", name="搜索建议").get_by_role("option")
    options.first.wait_for()
    names = [o.split("\n")[0] for o in options.all_inner_texts()]
    assert {n.split(" ")[0] for n in names} == {"光明纯牛奶", "蒙牛特仑苏牛奶"}
    assert page.get_by_role("status").filter(has_text="2 条建议").count() == 1
    assert fits_the_screen(page)
    shot(page, "shop-search-suggest")
    if size == "desktop":  # the keyboard: down to the first suggestion, Enter opens it
        box.press("ArrowDown")
        first = options.first
        assert first.get_attribute("aria-selected") == "true"
        assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
        box.press("Enter")
    else:  # a tap
        options.first.tap()
    page.wait_for_url(re.compile(r".*/shop/products/\d+$"))
    assert "牛奶" in page.locator("h1").inner_text()
    page.go_back()
    box = page.get_by_role("searchbox", name="搜索商品")
    box.fill("mlik")
    box.press("Escape")
    assert page.get_by_role("listbox", name="搜索建议").is_hidden()
    assert world["ids"]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_results_sort_and_show_only_what_the_store_has(live, open_page, shot, size):
    world = search_world(live.container)
    page = open_page(size)
    page.goto(f"/shop/stores?q={'漕溪北路'}")
    page.get_by_role("button", name="选择徐家汇店").click()
    page.wait_for_url("**/shop/products")
    page.get_by_role("searchbox", name="搜索商品").fill("牛 奶")
    page.get_by_label("排序").select_option("price_desc")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url("**/shop/products?q=*")
    titles = page.locator(".product-grid h3").all_inner_texts()
    assert titles == ["蒙牛特仑苏牛奶", "光明纯牛奶"]  # in stock first, then by price
    assert fits_the_screen(page)
    shot(page, "shop-search-results")
    page.get_by_label("只看徐家汇店有货").check()
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url("**in_stock=1*")
    assert page.locator(".product-grid h3").all_inner_texts() == ["蒙牛特仑苏牛奶"]
    page.goto("/shop/products?q=mlik&lang=en")
    assert "showing results for “milk”" in page.locator(".notice.corrected").inner_text()
    assert world["xjh"]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_street_hint_finds_the_store_on_it_with_hours_and_phone(live, open_page, shot, size):
    search_world(live.container)
    page = open_page(size)
    page.goto("/shop")
    page.get_by_role("searchbox", name="区、地址或门店").fill("漕溪北路")
    page.get_by_role("button", name="查找门店").click()
    page.wait_for_url("**/shop/stores?q=*")
    cards = page.locator(".store-list li")
    assert cards.count() == 1
    card = cards.first.inner_text()
    assert "徐家汇店" in card and "漕溪北路 88 号" in card
    assert "营业中" in card and "今日 08:00–22:00" in card and "电话 021-64381234" in card
    assert page.locator(".store-list .distance").count() == 0  # found by name: no "0 m"
    assert page.get_by_role("link", name="电话 021-64381234").get_attribute("href") == "tel:02164381234"
    assert fits_the_screen(page)
    shot(page, "shop-stores-street")
    page.get_by_role("button", name="选择徐家汇店").click()
    page.wait_for_url("**/shop/products")
    bar = page.locator(".store-bar").inner_text()
    assert "徐家汇店" in bar and " m" not in bar and "km" not in bar
