"""Transfers between locations, on the console pages and through the JSON API: a store asks, the
source's store manager (or HQ) sends or rejects, the asking store receives; clerks cannot send."""

from __future__ import annotations

import re

from o2o.inventory import service as inventory
from o2o.kernel.pagination import PageParams
from tests.e2e.test_console_support import EN, ZH, post_form, shop
from tests.factories.chain import receive
from tests.factories.http import stock_row


def _ref(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text[-2000:]
    return int(re.search(r"ref=(\d+)", response.headers["location"]).group(1))


def test_a_clerk_asks_another_store_whose_manager_sends_and_the_clerk_receives(client, container, auth):
    s = shop(container, auth, stock=10)
    a, b = s.store, s.other
    clerk_b, manager_b = auth.staff("clerk", store_id=b), auth.staff("store_manager", store_id=b)

    form = client.get(f"/console/{a}/transfers?sku={s.milk}", headers={**s.clerk, **EN}).text
    assert 'value="T-milk"' in form and "JA Store — 10 available" in form  # where it can come from
    r = post_form(client, f"/console/{a}/transfers", s.clerk, sku="6900000000000", from_location_id=b, quantity=4,
                  note="weekend promo")
    rid = _ref(r)
    assert r.headers["location"] == f"/console/{a}/transfers?done=requested&ref={rid}"
    mine = client.get(r.headers["location"], headers={**s.clerk, **EN}).text
    assert f"Transfer request #{rid} sent to the other location." in mine and "Waiting for the other location" in mine

    theirs = client.get(f"/console/{b}/transfers", headers={**clerk_b, **EN}).text
    assert f"#{rid}" in theirs and "weekend promo" in theirs and "Waiting for the store manager" in theirs
    assert f"/transfers/{rid}/send" not in theirs  # clerks do not send
    assert post_form(client, f"/console/{b}/transfers/{rid}/send", clerk_b).status_code == 403
    theirs = client.get(f"/console/{b}/transfers", headers={**manager_b, **ZH}).text
    assert f'action="/console/{b}/transfers/{rid}/send"' in theirs and "发货" in theirs

    r = post_form(client, f"/console/{b}/transfers/{rid}/send", manager_b)
    assert _ref(r) == rid and "done=sent" in r.headers["location"]
    assert stock_row(client, b, s.milk, manager_b)["on_hand"] == 6
    assert stock_row(client, a, s.milk, s.clerk)["on_hand"] == 10  # on the way
    assert "On the way" in client.get(f"/console/{b}/transfers", headers={**manager_b, **EN}).text
    r = post_form(client, f"/console/{b}/transfers/{rid}/send", manager_b)  # pressed twice
    assert "error=illegal-transition" in r.headers["location"]

    r = post_form(client, f"/console/{a}/transfers/{rid}/receive", s.clerk)
    assert "done=received" in r.headers["location"]
    assert stock_row(client, a, s.milk, s.clerk)["on_hand"] == 14
    tr = inventory.get_transfer(container.db, rid)
    assert tr.status == "received" and tr.requested_by == tr.received_by != tr.decided_by  # who did what
    assert tr.requested_at <= tr.decided_at <= tr.received_at
    assert inventory.check(container.db).ok


def test_a_manager_rejects_with_a_reason_and_the_asker_sees_it(client, container, auth):
    s = shop(container, auth)
    manager_b = auth.staff("store_manager", store_id=s.other)
    rid = _ref(post_form(client, f"/console/{s.store}/transfers", s.clerk, sku="T-milk", from_location_id=s.other,
                         quantity=2))
    r = post_form(client, f"/console/{s.other}/transfers/{rid}/reject", manager_b, note="we are short too")
    assert "done=rejected" in r.headers["location"]
    html = client.get(f"/console/{s.store}/transfers", headers={**s.clerk, **ZH}).text
    assert "已拒绝" in html and "we are short too" in html
    assert stock_row(client, s.other, s.milk, manager_b)["on_hand"] == 10


def test_the_warehouse_is_sent_from_by_hq_and_a_short_source_is_told_so(client, container, auth):
    s = shop(container, auth)
    wh, ops = s.chain.warehouse, auth.staff("operator")
    receive(container, wh, s.milk, 3)
    big = _ref(post_form(client, f"/console/{s.store}/transfers", s.clerk, sku="T-milk", from_location_id=wh,
                         quantity=5))
    ok = _ref(post_form(client, f"/console/{s.store}/transfers", s.clerk, sku="T-milk", from_location_id=wh,
                        quantity=3))
    r = post_form(client, f"/console/{wh}/transfers/{big}/send", ops)
    assert "error=below-reserved" in r.headers["location"]
    assert f"Not enough stock here to send #{big}" in client.get(r.headers["location"], headers={**ops, **EN}).text
    assert "done=sent" in post_form(client, f"/console/{wh}/transfers/{ok}/send", ops).headers["location"]
    assert stock_row(client, wh, s.milk, ops)["on_hand"] == 0
    assert inventory.get_transfer(container.db, big).status == "requested"


def test_a_bad_request_is_refused_next_to_each_field(client, container, auth):
    s = shop(container, auth)
    r = post_form(client, f"/console/{s.store}/transfers", {**s.clerk, **EN}, sku="NOPE", from_location_id=s.store,
                  quantity="0", note="x" * 201)
    assert r.status_code == 422
    for field, text in (("sku", "No SKU has this code or barcode."), ("from_location_id", "Choose another location"),
                        ("quantity", "from 1 to 100000"), ("note", "Up to 200 characters.")):
        error = re.search(rf'id="e-{field}" class="error-text">([^<]*)<', r.text)
        assert error and text in error.group(1), field
    assert 'value="NOPE"' in r.text  # what was typed comes back
    r = post_form(client, f"/console/{s.store}/transfers", {**s.clerk, **ZH}, sku="T-milk", from_location_id="",
                  quantity="2")
    assert r.status_code == 422 and "请选择其他地点。" in r.text
    assert inventory.transfer_requests(container.db, s.store, None, [], PageParams()).total == 0


def test_the_json_api_follows_the_same_rules(client, container, auth):
    s = shop(container, auth)
    a, b = s.store, s.other
    manager_b, clerk_b = auth.staff("store_manager", store_id=b), auth.staff("clerk", store_id=b)
    body = {"from_location_id": b, "to_location_id": a, "sku_id": s.milk, "quantity": 3}
    assert client.post("/api/v1/stock/transfer-requests", headers=clerk_b, json=body).status_code == 404  # not B's
    r = client.post("/api/v1/stock/transfer-requests", headers={**s.clerk, "Idempotency-Key": "t-1"}, json=body)
    assert r.status_code == 201 and r.json()["status"] == "requested"
    rid = r.json()["id"]
    again = client.post("/api/v1/stock/transfer-requests", headers={**s.clerk, "Idempotency-Key": "t-1"}, json=body)
    assert again.status_code == 201 and again.json()["id"] == rid

    listed = client.get("/api/v1/stock/transfer-requests", params={"direction": "out"}, headers=manager_b).json()
    assert [x["id"] for x in listed["items"]] == [rid]
    assert client.get(f"/api/v1/stock/transfer-requests/{rid}", headers=auth.staff("clerk", store_id=s.chain.stores[
        "lujiazui"])).status_code == 404
    assert client.post(f"/api/v1/stock/transfer-requests/{rid}/send", headers=clerk_b).status_code == 403
    assert client.post(f"/api/v1/stock/transfer-requests/{rid}/send", headers=s.manager).status_code == 404
    assert client.post(f"/api/v1/stock/transfer-requests/{rid}/receive", headers=s.clerk).status_code == 409
    r = client.post(f"/api/v1/stock/transfer-requests/{rid}/send", headers=manager_b, json={"note": "on the 3pm van"})
    assert r.status_code == 200 and r.json()["status"] == "sent" and r.json()["decision_note"] == "on the 3pm van"
    assert client.post(f"/api/v1/stock/transfer-requests/{rid}/receive", headers=manager_b).status_code == 404
    r = client.post(f"/api/v1/stock/transfer-requests/{rid}/receive", headers=s.clerk)
    assert r.status_code == 200 and r.json()["status"] == "received"
    assert client.get("/api/v1/stock/check", headers=auth.staff("operator")).json()["ok"] is True
