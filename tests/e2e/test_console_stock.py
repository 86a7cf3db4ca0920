"""The console's stock page: look-up by name, SKU code or barcode; movements with a required reason,
errors next to the field in the reader's language; the ledger stays equal to on_hand."""

from __future__ import annotations

import re

import pytest

from o2o.inventory import service as inventory
from tests.e2e.test_console_support import EN, ZH, paid_pickup, post_form, shop
from tests.factories.http import stock_row


def _row(html: str, code: str) -> str:
    found = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*<code>{re.escape(code)}</code>.*?</tr>", html, re.S)
    assert found, code
    return found.group(0)


def _num(row: str, label: str) -> str:
    found = re.search(rf'data-label="{label}" class="num">(?:<div>)?(?:<strong>)?(\d+)', row)
    assert found, label
    return found.group(1)


@pytest.mark.parametrize("q", ["yogurt", "T-yog", "6900000000010", "测试yog"])
def test_look_up_by_name_code_or_barcode_shows_the_figures_here(client, container, auth, q):
    s = shop(container, auth, stock=10)
    paid_pickup(client, s, quantity=2, sku=s.chain.skus["yogurt"])
    html = client.get(f"/console/{s.store}/stock", params={"q": q}, headers={**s.clerk, **EN}).text
    assert "1 SKUs" in html
    row = _row(html, "T-yogurt")
    assert "yogurt" in row and "6900000000010" in row
    assert (_num(row, "On hand"), _num(row, "Reserved"), _num(row, "Safety stock"), _num(row, "Available")) == (
        "10", "2", "0", "8")
    assert f'href="/console/{s.store}/stock?q={q if q.isascii() else "%E6%B5%8B%E8%AF%95yog"}&amp;sku=' in row


def test_without_a_query_the_page_lists_this_stores_stock_and_an_unknown_query_says_so(client, container, auth):
    s = shop(container, auth)
    html = client.get(f"/console/{s.store}/stock", headers={**s.clerk, **ZH}).text
    assert "本店共 3 个 SKU 有库存记录" in html and "T-milk" in html and "T-cheese" in html
    html = client.get(f"/console/{s.store}/stock?q=%E6%B2%A1%E6%9C%89", headers={**s.clerk, **ZH}).text
    assert "没有找到" in html and "没有与“没有”匹配的 SKU。" in html


def test_a_receipt_and_a_negative_adjustment_with_reasons_change_on_hand_and_the_ledger(client, container, auth):
    s = shop(container, auth, stock=10)
    base = f"/console/{s.store}/stock"
    form = client.get(f"{base}?sku={s.milk}", headers={**s.clerk, **EN}).text
    assert "Record a stock movement" in form and "On hand 10, reserved 0, available 10." in form
    r = post_form(client, f"{base}/movements?q=milk", s.clerk, sku_id=s.milk, kind="receipt", quantity=6,
                  reason="delivery note DN-1")
    assert r.status_code == 303 and r.headers["location"] == f"{base}?sku={s.milk}&q=milk&done=moved"
    assert "Stock updated." in client.get(r.headers["location"], headers={**s.clerk, **EN}).text
    r = post_form(client, f"{base}/movements", s.clerk, sku_id=s.milk, kind="adjustment", quantity="-4",
                  reason="broken in store")
    assert r.status_code == 303
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 12
    assert inventory.check(container.db).ok


@pytest.mark.parametrize(("fields", "field", "en", "zh"), [
    ({"kind": "receipt", "quantity": "5", "reason": "  "}, "reason", "Give a reason", "请填写原因"),
    ({"kind": "adjustment", "quantity": "0", "reason": "count"}, "quantity", "other than 0", "不为 0 的整数"),
    ({"kind": "adjustment", "quantity": "lots", "reason": "count"}, "quantity", "other than 0", "不为 0 的整数"),
    ({"kind": "receipt", "quantity": "-3", "reason": "count"}, "quantity", "enter a positive number", "请输入正数"),
    ({"kind": "theft", "quantity": "1", "reason": "count"}, "kind", "Choose receipt", "请选择入库"),
    ({"kind": "adjustment", "quantity": "-9", "reason": "count"}, "quantity", "reserved 2 of the 10 on hand, so on hand cannot go below 2: take off at most 8",
     "订单已占用 2 件（在库 10 件），在库不能低于 2 件：最多可减少 8 件"),
])
def test_a_bad_movement_is_refused_next_to_its_field_in_both_languages(client, container, auth, fields, field, en,
                                                                         zh):
    s = shop(container, auth, stock=10)
    paid_pickup(client, s, quantity=2)  # 2 of the 10 are reserved
    for lang, text in ((EN, en), (ZH, zh)):
        r = post_form(client, f"/console/{s.store}/stock/movements", {**s.clerk, **lang}, sku_id=s.milk, **fields)
        assert r.status_code == 422
        error = re.search(rf'id="e-{field}" class="error-text">([^<]*)<', r.text)
        assert error and text in error.group(1), r.text[-3000:]
        assert 'aria-invalid="true"' in r.text or field == "kind"
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 10  # nothing recorded


def test_the_typed_values_come_back_after_an_error(client, container, auth):
    s = shop(container, auth)
    r = post_form(client, f"/console/{s.store}/stock/movements", {**s.clerk, **EN}, sku_id=s.milk, kind="adjustment",
                  quantity="-2", reason="")
    assert 'value="-2"' in r.text and 'value="adjustment" checked' in r.text


def test_an_unknown_sku_is_refused(client, container, auth):
    s = shop(container, auth)
    r = post_form(client, f"/console/{s.store}/stock/movements", {**s.clerk, **EN}, sku_id=999999, kind="receipt",
                  quantity=1, reason="x")
    assert r.status_code == 422 and "This SKU does not exist." in r.text


def test_an_analyst_looks_up_stock_but_cannot_move_it(client, container, auth):
    s = shop(container, auth)
    analyst = auth.staff("analyst")
    html = client.get(f"/console/{s.store}/stock?sku={s.milk}", headers={**analyst, **EN}).text
    assert "T-milk" in html and "Record a stock movement" not in html and "Adjust" not in html
    r = post_form(client, f"/console/{s.store}/stock/movements", analyst, sku_id=s.milk, kind="receipt", quantity=1,
                  reason="x")
    assert r.status_code == 403


def test_results_are_paged(client, container, auth):
    s = shop(container, auth)
    html = client.get(f"/console/{s.store}/stock?q=T-&page=2", headers={**s.clerk, **EN}).text
    assert "3 SKUs" in html and "This page is past the last one." in html  # 3 results fit on page 1
    assert f'href="/console/{s.store}/stock?q=T-">Go to the first page' in html
