# ruff: noqa: F811 (the shared fixtures are imported from test_backoffice_access)
"""The read-only back-office pages over a real flow: the dashboard's charts, the stores and their
delivery radii, the stock grid and its CSV export, order search and one order's whole story."""

from __future__ import annotations

import csv
import io
import re

import pytest

from o2o import bootstrap
from tests.e2e.test_backoffice_access import EN, ZH, app, inline_free, staff  # noqa: F401 (fixtures)
from tests.factories.chain import build_chain, receive
from tests.factories.http import order_of, pay, pickup_order


@pytest.fixture
def sold(client, container, auth):  # type: ignore[no-untyped-def]
    """A chain where a customer bought milk for pickup at Xujiahui, paid, and the clerk marked it ready."""
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 10)
    customer = auth.customer(chain.customer)
    number = pickup_order(client, store, milk, 2, customer)
    pay(client, number, customer)
    order = order_of(client, number, customer)
    container.clock.advance(minutes=18)
    clerk = auth.staff("clerk", store_id=store)
    r = client.post(f"/api/v1/fulfillments/{order['fulfillment_ids'][0]}/ready", headers=clerk)
    assert r.status_code == 200, r.text
    bootstrap.relay(container).drain()  # the order follows its fulfilment through the outbox
    unpaid = pickup_order(client, store, milk, 1, customer)
    return {"chain": chain, "number": number, "code": order["pickup_code"], "unpaid": unpaid}


def test_dashboard_draws_its_charts_with_tables_in_both_languages(staff, sold):
    ops = staff("operator")
    r = ops.get("/admin")
    html = r.text
    assert r.status_code == 200 and inline_free(html)
    assert html.count('<svg class="chart-svg wide"') == 2 and html.count('<svg class="chart-svg narrow"') == 2
    assert 'role="img" aria-labelledby="gmv-h" aria-describedby="gmv-sum"' in html
    assert "GMV of ¥25.80 over 30 days" in html  # two bottles of milk at ¥12.90
    assert '<rect class="s0"' in html and "Nov 24 · Mobile web (H5): ¥25.80" in html  # a bar with its tooltip
    assert "Pickup <strong>1</strong>" in html  # the paid order's mode (the unpaid one does not count)
    assert "XJH Store <strong>¥25.80</strong>" in html  # top stores
    assert "1 pickup orders got ready; median 18 minutes" in html
    assert "Show the figures as a table" in html and '<th scope="row" data-label="Day">' in html
    zh = ops.get("/admin", ZH).text
    assert "各渠道每日 GMV" in zh and "XJH店 <strong>¥25.80</strong>" in zh
    assert ops.get("/admin?days=7").text.count('<th scope="row"') == 7 + 7  # a row per day in both tables
    assert "Last 90 days" in ops.get("/admin?days=90").text and ops.get("/admin?days=13").status_code == 200


def test_dashboard_empty_state(staff):
    html = staff("analyst").get("/admin").text
    assert "No paid orders in this period." in html and "no pickups" in html and "<svg class=\"chart-svg" not in html


def test_stores_page_lists_every_store_and_maps_its_delivery_radius(staff, container):
    chain = build_chain(container)
    ops = staff("operator")
    html = ops.get("/admin/stores").text
    assert inline_free(html)
    assert html.count('<g class="store" id="map-') == 4  # 3 stores and the warehouse
    assert html.count('<circle class="reach store"') == 3  # the warehouse ships parcels: no radius
    assert "3 stores on the map; delivery radii from 3 to 3 km" in html
    for store_id in chain.stores.values():
        assert f'<tr id="store-{store_id}" data-store="{store_id}">' in html
    assert "1. XJH Store (XJH): delivers within 3 km" in html
    r = ops.get("/admin/stores?kind=warehouse&q=jiading")
    assert r.text.count('<g class="store" id="map-') == 1 and "Jiading DC" in r.text
    assert "No store matches the filters." in ops.get("/admin/stores?q=nowhere").text


def test_stock_grid_filters_and_pages(staff, container):
    chain = build_chain(container)
    for store in chain.stores.values():
        receive(container, store, chain.skus["milk"], 20)
    receive(container, chain.stores["jingan"], chain.skus["cheese"], 3)
    ops = staff("analyst")
    html = ops.get("/admin/stock").text
    assert "4 found" in html and inline_free(html)
    html = ops.get(f"/admin/stock?level=low&location={chain.stores['jingan']}").text
    assert "1 found" in html and "T-cheese" in html and '<span class="badge warn">low</span>' in html
    html = ops.get("/admin/stock?q=T-MI&size=2").text
    assert "3 found" in html and "Page 1 of 2" in html and 'rel="next"' in html
    html = ops.get("/admin/stock?q=nothing-like-this").text
    assert "Nothing matches these filters." in html and "Export CSV" not in html


def test_stock_csv_export_streams_the_filtered_grid(staff, container):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 20)
    receive(container, chain.stores["jingan"], chain.skus["milk"], 2)
    ops = staff("operator")
    page = ops.get("/admin/stock?level=low").text
    assert 'href="/admin/stock.csv?level=low"' in page
    r = ops.get("/admin/stock.csv?level=low")
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="stock-20261124-\d{4}\.csv"', r.headers["content-disposition"])
    assert r.content.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets read the Chinese names right
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["Location", "SKU", "Barcode", "Product", "Category", "On hand", "Reserved", "Safety stock",
                       "Available"]
    assert rows[1:] == [["JA JA Store", "T-milk", "6900000000000", "milk", "Dairy", "2", "0", "0", "2"]]
    zh = list(csv.reader(io.StringIO(ops.get("/admin/stock.csv", ZH).content.decode("utf-8-sig"))))
    assert zh[0][0] == "门店/仓库" and len(zh) == 3 and zh[1][:4] == ["XJH XJH店", "T-milk", "6900000000000", "测试milk"]


def test_csv_cells_that_look_like_formulas_are_quoted(staff, container):
    from o2o.catalog import service as catalog
    from o2o.catalog.schemas import ProductIn, SkuIn

    chain = build_chain(container)
    category = catalog.categories(container.db)[0].id
    p = catalog.create_product(container.uow(), ProductIn(category_id=category, name_zh="=1+1", name_en="=HYPERLINK()",
                                                          skus=[SkuIn(code="-X", barcode="69000000009999",
                                                                      base_price_fen=100)]))
    receive(container, chain.stores["xujiahui"], p.skus[0].id, 1)
    rows = list(csv.reader(io.StringIO(staff("operator").get("/admin/stock.csv?q=-X").content.decode("utf-8-sig"))))
    assert rows[1][1:4] == ["'-X", "69000000009999", "'=HYPERLINK()"]


def test_order_search_and_the_whole_story_of_an_order(staff, sold):
    ops = staff("analyst")
    number, chain = sold["number"], sold["chain"]
    html = ops.get("/admin/orders").text
    assert "2 found" in html and f'href="/admin/orders/{number}"' in html and inline_free(html)
    html = ops.get(f"/admin/orders?number={number[:12].lower()}&status=ready").text
    assert "1 found" in html and number in html and sold["unpaid"] not in html
    store = chain.stores["xujiahui"]
    html = ops.get(f"/admin/orders?store={store}&channel=h5&mode=pickup&from=2026-11-24&to=2026-11-24").text
    assert "2 found" in html
    assert "Nothing matches these filters." in ops.get("/admin/orders?from=2026-11-25").text

    r = ops.get(f"/admin/orders/{number}")
    html = r.text
    assert r.status_code == 200 and inline_free(html)
    # placed through the sourcing engine (30a560c): its reason, in the page's words
    assert f"<h1>Order {number}</h1>" in html and re.search(r"1 location\(s\), cost ¥[\d.]+, found by exact search", html)
    assert "Awaiting payment → Paid" in html and "Paid → Picking" in html  # the order's history
    assert "New → Picking" in html and "Picking → Ready" in html  # its fulfilment's history
    assert "The pickup code is shown to the customer only." in html
    assert sold["code"] not in html  # staff never see the pickup code
    zh = ops.get(f"/admin/orders/{number.lower()}", ZH).text
    assert "订单历史" in zh and "待支付 → 已支付" in zh and sold["code"] not in zh


def test_order_search_errors_are_next_to_their_fields(staff):
    ops = staff("operator")
    r = ops.get("/admin/orders?from=2026-11-30&to=2026-11-01&status=lost")
    assert r.status_code == 422
    assert '<small id="e-f-to" class="error-text">The end is before the start.</small>' in r.text
    assert '<small id="e-f-status" class="error-text">Choose one of the options.</small>' in r.text
    r = ops.get("/admin/orders?from=yesterday", ZH)
    assert r.status_code == 422 and '<small id="e-f-from" class="error-text">请输入日期。</small>' in r.text
