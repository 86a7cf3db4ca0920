"""Stocktake by counted quantity through the API and the console's stock page: on hand becomes the count,
the ledger gets the difference (reason "count"), a count below the reserved units is refused saying how
many are reserved; another store's stock cannot be counted."""

from __future__ import annotations

import re

import pytest

from o2o.inventory import service as inventory
from tests.e2e.test_console_support import EN, ZH, paid_pickup, post_form, shop
from tests.factories.http import stock_row


def test_the_api_records_a_count_and_the_ledger_difference(client, container, auth):
    s = shop(container, auth, stock=10)
    r = client.post("/api/v1/stock/counts", json={"location_id": s.store, "sku_id": s.milk, "counted": 8},
                    headers=s.clerk)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["previous_on_hand"], body["difference"], body["stock"]["on_hand"]) == (10, -2, 8)
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 8
    assert inventory.check(container.db).ok


def test_the_api_refuses_a_count_below_reserved_with_the_lowest_allowed(client, container, auth):
    s = shop(container, auth, stock=10)
    paid_pickup(client, s, quantity=3)
    r = client.post("/api/v1/stock/counts", json={"location_id": s.store, "sku_id": s.milk, "counted": 2},
                    headers=s.clerk)
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["type"].endswith("/below-reserved") and problem["reserved"] == 3 and problem["lowest_allowed"] == 3
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 10


@pytest.mark.parametrize("counted", [-1, 1_000_001, "12abc", 10**30])
def test_the_api_refuses_negative_huge_or_non_numeric_counts(client, container, auth, counted):
    s = shop(container, auth)
    r = client.post("/api/v1/stock/counts", json={"location_id": s.store, "sku_id": s.milk, "counted": counted},
                    headers=s.clerk)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "counted"


def test_a_clerk_cannot_count_another_stores_stock_and_an_analyst_cannot_count_at_all(client, container, auth):
    s = shop(container, auth, stock=10)
    r = client.post("/api/v1/stock/counts", json={"location_id": s.other, "sku_id": s.milk, "counted": 0},
                    headers=s.clerk)
    assert r.status_code == 404
    r = client.post("/api/v1/stock/counts", json={"location_id": s.store, "sku_id": s.milk, "counted": 0},
                    headers=auth.staff("analyst"))
    assert r.status_code == 403
    r = post_form(client, f"/console/{s.other}/stock/counts", s.clerk, sku_id=s.milk, counted=0)
    assert r.status_code == 404
    assert inventory.stock_of(container.db, s.other, [s.milk])[s.milk].on_hand == 10


def test_the_console_count_form_records_and_says_the_difference(client, container, auth):
    s = shop(container, auth, stock=10)
    base = f"/console/{s.store}/stock"
    form = client.get(f"{base}?sku={s.milk}", headers={**s.clerk, **EN}).text
    assert "Stocktake" in form and f'action="{base}/counts"' in form
    r = post_form(client, f"{base}/counts?q=milk", s.clerk, sku_id=s.milk, counted=13)
    assert r.status_code == 303 and r.headers["location"] == f"{base}?sku={s.milk}&q=milk&done=counted&ref=%2B3"
    assert "Count recorded: difference +3" in client.get(r.headers["location"], headers={**s.clerk, **EN}).text
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 13
    assert inventory.check(container.db).ok


@pytest.mark.parametrize(("counted", "en", "zh"), [
    ("1", "Orders have reserved 2: a count cannot be lower than 2", "订单已占用 2 件：盘点数量不能低于 2"),
    ("many", "a whole number from 0 to 100000", "0 到 100000 之间的整数"),
    ("-4", "a whole number from 0 to 100000", "0 到 100000 之间的整数"),
])
def test_a_bad_count_is_refused_next_to_its_field_in_both_languages(client, container, auth, counted, en, zh):
    s = shop(container, auth, stock=10)
    paid_pickup(client, s, quantity=2)
    for lang, text in ((EN, en), (ZH, zh)):
        r = post_form(client, f"/console/{s.store}/stock/counts", {**s.clerk, **lang}, sku_id=s.milk, counted=counted)
        assert r.status_code == 422
        error = re.search(r'id="e-counted" class="error-text">([^<]*)<', r.text)
        assert error and text in error.group(1), r.text[-3000:]
        assert f'value="{counted}"' in r.text
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 10
