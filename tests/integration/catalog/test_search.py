"""Product search on both databases: pinyin, initials, whitespace, typos, both languages, in stock at a
store, sorting, and what a hostile query gets."""

from __future__ import annotations

import pytest

from o2o.catalog import admin
from o2o.catalog import service as catalog
from o2o.catalog.models import Category, ProductImage
from o2o.catalog.schemas import ProductIn, ProductUpdate, SkuIn, SupplierIn
from o2o.catalog.search import repository
from o2o.catalog.search import service as search
from o2o.kernel.pagination import PageParams
from tests.factories.chain import XUJIAHUI, receive, store

PAGE = PageParams(page=1, size=50)
PRODUCTS = [  # name zh, name en, brand, price fen
    ("光明纯牛奶", "Bright Pure Milk", "光明", 650),
    ("蒙牛特仑苏牛奶", "Mengniu Deluxe Milk", "蒙牛", 1290),
    ("伊利安慕希酸奶", "Yili Ambrosial Yogurt", "伊利", 890),
    ("德青源鲜鸡蛋", "DQY Fresh eggs", "德青源", 1590),
    ("农夫山泉矿泉水", "Nongfu Spring Water", "农夫山泉", 200),
    ("牛肉干", "Beef jerky", None, 2590),
    ("Organic Whole Milk 有机全脂奶", "Organic Whole Milk", None, 1890),
]


@pytest.fixture
def shop(container):  # type: ignore[no-untyped-def]
    with container.uow() as uow:
        uow.session.add(Category(code="food", name_zh="食品", name_en="Food"))
        uow.commit()
        cat = uow.session.query(Category.id).filter_by(code="food").scalar()
    ids: dict[str, int] = {}
    skus: dict[str, int] = {}
    for i, (zh, en, brand, price) in enumerate(PRODUCTS):
        p = catalog.create_product(container.uow(), ProductIn(
            category_id=cat, name_zh=zh, name_en=en, brand=brand,
            skus=[SkuIn(code=f"S-{i}", barcode=f"6900000001{i:03d}", base_price_fen=price)]))
        ids[zh], skus[zh] = p.id, p.skus[0].id
    return container, cat, ids, skus


def names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.name_zh for p in page.items]


def found(c, q: str, **kw) -> set[str]:  # type: ignore[no-untyped-def]
    return set(names(catalog.search(c.db, q, None, PAGE, **kw)))


def test_pinyin_initials_and_spaces_find_the_chinese_name(shop):
    c, *_ = shop
    milk = {"光明纯牛奶", "蒙牛特仑苏牛奶"}
    assert milk <= found(c, "niunai")
    assert milk <= found(c, "牛 奶")
    assert milk <= found(c, "niu nai")
    assert "光明纯牛奶" in found(c, "gmcnn")
    assert "光明纯牛奶" in found(c, "nn")
    assert "光明纯牛奶" in found(c, "NIUNAI")
    assert "牛肉干" not in found(c, "niunai") and "牛肉干" not in found(c, "牛 奶")


def test_milk_and_niunai_in_chinese_find_the_same_set(shop):
    c, *_ = shop
    assert found(c, "milk") == found(c, "牛奶")
    assert {"光明纯牛奶", "蒙牛特仑苏牛奶", "Organic Whole Milk 有机全脂奶"} <= found(c, "milk")
    assert found(c, "eggs") == found(c, "鸡蛋") == {"德青源鲜鸡蛋"}


def test_a_typo_is_corrected_and_said(shop):
    c, *_ = shop
    page = catalog.search(c.db, "mlik", None, PAGE)
    assert page.corrected == "milk"
    assert set(names(page)) == found(c, "milk")
    assert "伊利安慕希酸奶" in found(c, "yogrut")
    homophone = catalog.search(c.db, "牛乃", None, PAGE)  # 乃 for 奶: same pinyin
    assert page.total and {"光明纯牛奶", "蒙牛特仑苏牛奶"} <= set(names(homophone))
    assert catalog.search(c.db, "zzzzqqqq", None, PAGE).total == 0


def test_in_stock_filter_and_in_stock_first_at_the_store(shop):
    c, _, ids, skus = shop
    here = store(c, "XJH", XUJIAHUI)
    receive(c, here, skus["蒙牛特仑苏牛奶"], 5)
    everything = catalog.search(c.db, "milk", None, PAGE, store_id=here)
    assert everything.items[0].name_zh == "蒙牛特仑苏牛奶" and everything.items[0].in_stock is True
    assert all(p.in_stock is False for p in everything.items[1:])
    only = catalog.search(c.db, "milk", None, PAGE, store_id=here, only_in_stock=True)
    assert names(only) == ["蒙牛特仑苏牛奶"] and only.total == 1


def test_sorting_by_price_and_sales_is_stable(shop):
    c, _, ids, _ = shop
    asc = names(catalog.search(c.db, None, None, PAGE, sort="price_asc"))
    assert asc[0] == "农夫山泉矿泉水" and asc[-1] == "牛肉干"
    desc = names(catalog.search(c.db, None, None, PAGE, sort="price_desc"))
    assert desc == list(reversed(asc))
    with c.uow() as uow:
        search.add_sales(uow.session, {ids["伊利安慕希酸奶"]: 30, ids["光明纯牛奶"]: 10})
        uow.commit()
    by_sales = names(catalog.search(c.db, None, None, PAGE, sort="sales"))
    assert by_sales[:2] == ["伊利安慕希酸奶", "光明纯牛奶"]
    assert by_sales == names(catalog.search(c.db, None, None, PAGE, sort="sales"))
    pages = [names(catalog.search(c.db, None, None, PageParams(page=n, size=2), sort="sales")) for n in (1, 2, 3, 4)]
    assert sum(pages, []) == by_sales


def test_an_edited_product_is_found_by_its_new_name(shop):
    c, cat, ids, _ = shop
    admin.update_product(c.uow(), ids["牛肉干"], ProductUpdate(category_id=cat, name_zh="五香牛肉粒",
                                                              name_en="Spiced beef bites"))
    assert "五香牛肉粒" in found(c, "wxnrl") and "五香牛肉粒" in found(c, "spiced")
    assert not found(c, "牛肉干")


def test_suggestions_complete_pinyin_and_typos(shop):
    c, *_ = shop
    got = [s.name_zh for s in search.suggest(c.db, "niun")]
    assert "光明纯牛奶" in got and "蒙牛特仑苏牛奶" in got
    assert {s.name_zh for s in search.suggest(c.db, "mlik")} >= {"光明纯牛奶"}
    assert search.suggest(c.db, "  ") == []


NIU = ["牛肉干", "光明纯牛奶", "Organic Whole Milk 有机全脂奶", "蒙牛特仑苏牛奶"]  # 牛: the name starting with it, then by sales


def test_the_name_starting_with_the_words_comes_first_then_the_best_sellers(shop, monkeypatch):
    """Suggestions (on PostgreSQL two parts: the start index, the best sellers) and results rank alike:
    a name starting with the words before better sellers, every page of in-stock-first joined is the
    whole list (also the pages past the products in stock), and a rare word is found as well."""
    c, cat, ids, skus = shop
    with c.uow() as uow:
        search.add_sales(uow.session, {ids["光明纯牛奶"]: 30, ids["Organic Whole Milk 有机全脂奶"]: 20,
                                       ids["蒙牛特仑苏牛奶"]: 10})
        uow.commit()
    assert [s.name_zh for s in search.suggest(c.db, "牛")] == NIU
    assert [s.name_zh for s in search.suggest(c.db, "牛", 2)] == NIU[:2]
    assert [s.name_zh for s in search.suggest(c.db, "nrg")] == ["牛肉干"]  # a rare word: its initials
    monkeypatch.setattr(repository, "DENSE_MATCHES", 0)  # SQLite: the best sellers first at any count
    for hot in (500, 1):  # the best sellers looked at first: enough of them match, or too few
        monkeypatch.setattr(repository, "HOT_SELLERS", hot)
        for n in (1, 2, 3, 8):
            assert [s.name_zh for s in search.suggest(c.db, "牛", n)] == NIU[:n]
        assert [s.name_zh for s in search.suggest(c.db, "光明")] == ["光明纯牛奶"]  # a name starting with it
    assert names(catalog.search(c.db, "牛", None, PAGE)) == NIU
    assert names(catalog.search(c.db, "牛", cat, PAGE)) == NIU  # a category: the same statement, filtered
    assert catalog.search(c.db, "牛", cat, PAGE, supplier_id=10**9).total == 0  # someone else's supplier id
    supplier = catalog.create_supplier(c.uow(), SupplierIn(code="MN", name="蒙牛")).id
    admin.update_product(c.uow(), ids["蒙牛特仑苏牛奶"], ProductUpdate(category_id=cat, supplier_id=supplier,
                                                                  name_zh="蒙牛特仑苏牛奶", name_en="Mengniu Deluxe Milk"))
    assert names(catalog.search(c.db, "牛", None, PAGE, supplier_id=supplier)) == ["蒙牛特仑苏牛奶"]
    here = store(c, "XJH", XUJIAHUI)
    for name in ("Organic Whole Milk 有机全脂奶", "蒙牛特仑苏牛奶"):
        receive(c, here, skus[name], 3)
    stocked_first = ["Organic Whole Milk 有机全脂奶", "蒙牛特仑苏牛奶", "牛肉干", "光明纯牛奶"]
    whole = catalog.search(c.db, "牛", None, PAGE, store_id=here)
    assert names(whole) == stocked_first and [p.in_stock for p in whole.items] == [True, True, False, False]
    for size in (1, 3):
        pages = [catalog.search(c.db, "牛", None, PageParams(page=n, size=size), store_id=here) for n in range(1, 6)]
        assert sum((names(p) for p in pages), []) == stocked_first
        assert {p.total for p in pages} == {4}
        assert [h.in_stock for p in pages for h in p.items] == [True, True, False, False]
    only = catalog.search(c.db, "牛", None, PageParams(page=2, size=1), store_id=here, only_in_stock=True)
    assert names(only) == ["蒙牛特仑苏牛奶"] and only.total == 2
    for kw, total in (({}, 4), ({"store_id": here}, 4), ({"store_id": here, "only_in_stock": True}, 2)):
        past = catalog.search(c.db, "牛", None, PageParams(page=9, size=1), **kw)
        assert past.items == [] and past.total == total, kw


@pytest.mark.parametrize(("q", "same_as"), [
    ('"', ""), ("*", ""), ('milk" OR "', "milk or"), ("' or 1=1 --", "or 1 1"), ("NEAR(milk nai)", "near milk nai"),
    ("%", ""), ("_", ""), ("\\", ""), ("milk:*", "milk"), ("^milk", "milk"), ("牛奶' ; drop table product; --", "牛奶 drop table product"),
])
def test_query_syntax_is_only_text(shop, q, same_as):
    """Quotes, operators and LIKE wildcards are dropped: the query means its words, nothing more."""
    c, *_ = shop
    expected = found(c, same_as) if same_as else set()
    assert found(c, q) == expected
    assert {s.name_zh for s in search.suggest(c.db, q, 20)} <= (expected or set())
    if not same_as:
        assert catalog.search(c.db, q, None, PAGE).total == 0


def test_results_carry_every_sku_and_picture_once_in_order(shop, clock):
    c, _, ids, _ = shop
    pid = ids["光明纯牛奶"]
    admin.add_sku(c.uow(), pid, SkuIn(code="S-extra", barcode="6900000009999", spec="1L", base_price_fen=1200))
    with c.uow() as uow:
        for pos, name in ((1, "b"), (0, "a")):
            uow.session.add(ProductImage(product_id=pid, path=f"p/{name}.webp", content_type="image/webp",
                                         size_bytes=10, width=4, height=4, sha256=name * 64, position=pos,
                                         created_at=clock.now()))
        uow.commit()
    hit = next(p for p in catalog.search(c.db, "gmcnn", None, PAGE).items if p.id == pid)
    assert [k.code for k in hit.skus] == ["S-0", "S-extra"]
    assert [i.url for i in hit.images] == ["/media/p/a.webp", "/media/p/b.webp"]
    assert hit.image_url == "/media/p/a.webp"
    assert hit.model_dump(exclude={"in_stock"}) == catalog.get_product(c.db, pid).model_dump()
