"""Transfer receipts and planned batches through HTTP (console, back-office, JSON API), on both databases:
a clerk counts a transfer short by one and head office resolves the discrepancy; other stores' staff and
absurd counts get nowhere; the back-office plans a batch (one SKU to many stores, a CSV, a rebalancing
suggestion), creates it twice with one key (once), sends it and follows it per store."""

from __future__ import annotations

import re
from typing import Any

from o2o.inventory import service as inventory
from o2o.inventory import transfers
from o2o.kernel.pagination import PageParams
from tests.e2e.test_console_support import EN, ZH, csrf, post_form, shop
from tests.factories.chain import receive
from tests.factories.http import stock_row


def _sent(client: Any, s: Any, auth: Any, qty: int = 4) -> int:
    """A transfer of `qty` milk asked by the shop's store of the other store, sent by the other's manager."""
    manager_b = auth.staff("store_manager", store_id=s.other)
    r = client.post("/api/v1/stock/transfer-requests", headers=s.clerk, json={
        "from_location_id": s.other, "to_location_id": s.store, "sku_id": s.milk, "quantity": qty})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert client.post(f"/api/v1/stock/transfer-requests/{rid}/send", headers=manager_b).status_code == 200
    return rid


def _batch(r: Any) -> int:
    assert r.status_code == 303, r.text[-1500:]
    return int(re.search(r"/batches/(\d+)", r.headers["location"]).group(1))


def test_a_clerk_receives_one_short_and_head_office_investigates_and_finds_it(client, container, auth):
    s = shop(container, auth)
    ops = auth.staff("operator")
    rid = _sent(client, s, auth)
    page = client.get(f"/console/{s.store}/transfers", headers={**s.clerk, **EN}).text
    assert "On the way to this location: 4 units in 1 transfers" in page
    assert f'action="/console/{s.store}/transfers/{rid}/receive"' in page and 'name="received"' in page
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 10  # on neither shelf

    r = post_form(client, f"/console/{s.store}/transfers/{rid}/receive", s.clerk, received=3, damaged=0,
                  note="one missing")
    assert r.status_code == 303 and "done=received" in r.headers["location"]
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 13
    page = client.get(f"/console/{s.store}/transfers", headers={**s.clerk, **EN}).text
    assert "Received with a difference" in page and "Received 3 of 4" in page and "1 short" in page
    assert "Reported, waiting for head office" in page and "On the way to this location" not in page
    zh = client.get(f"/console/{s.store}/transfers", headers={**s.clerk, **ZH}).text
    assert "收货有差异" in zh and "短少 1" in zh
    again = post_form(client, f"/console/{s.store}/transfers/{rid}/receive", s.clerk, received=4)
    assert "error=illegal-transition" in again.headers["location"]  # received once
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 13

    listing = client.get("/admin/transfers", headers={**ops, **EN}).text
    assert f'data-transfer="{rid}"' in listing and "Received with a difference" in listing and "1 to handle" in listing
    queue = client.get("/admin/transfers/discrepancies", headers={**ops, **EN}).text
    d = transfers.discrepancy_of(container.db, [rid])[rid]
    assert f'data-discrepancy="{d.id}" data-status="open"' in queue and "1 short" in queue and "one missing" in queue
    base = f"/admin/transfers/discrepancies/{d.id}"
    assert "error=note" in post_form(client, f"{base}/investigate", ops, note=" ").headers["location"]
    assert "done=investigated" in post_form(client, f"{base}/investigate", ops, note="van checked").headers["location"]
    assert "error=resolution" in post_form(client, f"{base}/resolve", ops, resolution="lost").headers["location"]
    r = post_form(client, f"{base}/resolve", ops, resolution="found", note="behind the crates")
    assert "done=resolved" in r.headers["location"]
    assert "error=moved" in post_form(client, f"{base}/resolve", ops, resolution="found").headers["location"]
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 14  # found once
    done = client.get("/admin/transfers/discrepancies?status=resolved", headers={**ops, **ZH}).text
    assert "已找到（入库）" in done and "找到的 1 件已入库" in done and "van checked" in done
    assert client.get("/api/v1/stock/check", headers=ops).json()["ok"] is True


def test_other_stores_clerks_and_absurd_counts_get_nowhere(client, container, auth):
    s = shop(container, auth)
    rid = _sent(client, s, auth)
    clerk_b = auth.staff("clerk", store_id=s.other)
    clerk_c = auth.staff("clerk", store_id=s.chain.stores["lujiazui"])
    manager_a = s.manager
    # only the asking store receives: the source's clerk, a third store's clerk, through pages and API
    assert post_form(client, f"/console/{s.other}/transfers/{rid}/receive", clerk_b, received=4).status_code == 404
    assert post_form(client, f"/console/{s.store}/transfers/{rid}/receive", clerk_c, received=4).status_code == 404
    for who in (clerk_b, clerk_c):
        assert client.post(f"/api/v1/stock/transfer-requests/{rid}/receive", headers=who,
                           json={"received": 4}).status_code == 404
    # huge, negative, not numbers, more than twice what was sent
    for received, damaged in (("1000000000000", "0"), ("-1", "0"), ("x", "0"), ("4", "99999999999"), ("7", "2")):
        r = post_form(client, f"/console/{s.store}/transfers/{rid}/receive", {**s.clerk, **EN}, received=received,
                      damaged=damaged)
        assert r.status_code == 422 and "Enter whole numbers" in r.text, (received, damaged)
    for body in ({"received": 10**9}, {"received": -1}, {"damaged": 10**6}, {"received": 9},
                 {"received": "4; DROP TABLE stock"}):
        r = client.post(f"/api/v1/stock/transfer-requests/{rid}/receive", headers=s.clerk, json=body)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), body
    assert client.post(f"/api/v1/stock/transfer-requests/{10**15}/receive", headers=s.clerk, json={}).status_code \
        in (404, 422)
    assert inventory.get_transfer(container.db, rid).status == "sent"
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 10

    r = client.post(f"/api/v1/stock/transfer-requests/{rid}/receive", headers=s.clerk, json={"received": 2,
                                                                                               "damaged": 1})
    assert r.status_code == 200 and r.json()["status"] == "received_with_difference"
    d = client.get("/api/v1/stock/transfer-discrepancies", headers=s.clerk).json()["items"][0]
    assert (d["missing"], d["damaged"], d["status"]) == (1, 1, "open")
    assert client.get("/api/v1/stock/transfer-discrepancies", headers=clerk_b).json()["total"] == 0
    # head office only resolves: a clerk lacks the action, a store manager is out of scope
    assert client.post(f"/api/v1/stock/transfer-discrepancies/{d['id']}/resolve", headers=s.clerk,
                       json={"resolution": "found"}).status_code == 403
    assert client.post(f"/api/v1/stock/transfer-discrepancies/{d['id']}/resolve", headers=manager_a,
                       json={"resolution": "found"}).status_code == 404
    assert post_form(client, f"/admin/transfers/discrepancies/{d['id']}/resolve", manager_a,
                     resolution="found").status_code == 404
    assert client.get("/admin/transfers", headers=manager_a, follow_redirects=False).status_code == 303
    ops = auth.staff("operator")
    assert client.post(f"/api/v1/stock/transfer-discrepancies/{10**15}/resolve", headers=ops,
                       json={"resolution": "found"}).status_code in (404, 422)
    r = client.post(f"/api/v1/stock/transfer-discrepancies/{d['id']}/resolve", headers=ops,
                    json={"resolution": "charged_to_carrier", "note": "van 3"})
    assert r.status_code == 200 and r.json()["resolution"] == "charged_to_carrier"
    assert stock_row(client, s.store, s.milk, s.clerk)["on_hand"] == 12
    # batches: too many lines, huge quantities, a store-bound caller
    line = {"from_location_id": s.chain.warehouse, "to_location_id": s.store, "sku_id": s.milk, "quantity": 1}
    for body in ({"key": "k-123456789", "name": "x", "lines": [line] * 2001},
                 {"key": "k-123456789", "name": "x", "lines": [{**line, "quantity": 10**9}]},
                 {"key": "short", "name": "x", "lines": [line]}):
        assert client.post("/api/v1/stock/transfer-batches", headers=ops, json=body).status_code == 422
    assert client.post("/api/v1/stock/transfer-batches", headers=manager_a,
                       json={"key": "k-123456789", "name": "x", "lines": [line]}).status_code == 404
    assert client.get("/api/v1/stock/check", headers=ops).json()["ok"] is True


def _preview(client: Any, headers: dict[str, str], **fields: Any) -> Any:
    data = {"csrf_token": csrf(client), **fields}
    return client.post("/admin/transfers/plan", data=data, headers=headers, follow_redirects=False)


def _hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, name
    return m.group(1)


def test_head_office_plans_a_batch_for_many_stores_creates_it_once_sends_it_and_follows_it(client, container,
                                                                                          auth):
    s = shop(container, auth)
    ops = {**auth.staff("operator"), **EN}
    wh, stores = s.chain.warehouse, sorted(s.chain.stores.values())
    receive(container, wh, s.milk, 5)
    assert "One SKU from one location to many stores" in client.get("/admin/transfers/plan", headers=ops).text
    r = _preview(client, ops, mode="manual", sku="T-milk", **{"from": str(wh)}, each="2", to=[str(x) for x in stores])
    assert r.status_code == 200 and "Preview: 3 transfers, 6 units, 3 destinations" in r.text
    assert "The source has not got enough free" in r.text and "Create 3 transfers" not in r.text  # 5 for 6
    r = _preview(client, ops, mode="manual", sku="T-milk", **{"from": str(wh)}, each="1", to=[str(x) for x in stores])
    assert "Create 3 transfers" in r.text
    form = {"csrf_token": csrf(client), "key": _hidden(r.text, "key"), "plan": _hidden(r.text, "plan"),
            "origin": "manual", "name": "milk to every store"}
    first = client.post("/admin/transfers/batches", data=form, headers=ops, follow_redirects=False)
    again = client.post("/admin/transfers/batches", data=form, headers=ops, follow_redirects=False)
    batch = _batch(first)
    assert "done=created" in first.headers["location"] and "done=again" in again.headers["location"]
    assert _batch(again) == batch
    assert transfers.search(container.db, PageParams(), batch_id=batch).total == 3

    page = client.get(f"/admin/transfers/batches/{batch}", headers=ops).text
    assert "milk to every store" in page and "Send every waiting transfer (3)" in page
    r = client.post(f"/admin/transfers/batches/{batch}/send", data={"csrf_token": csrf(client)}, headers=ops,
                    follow_redirects=False)
    assert "sent=3&failed=0" in r.headers["location"]
    assert stock_row(client, wh, s.milk, ops)["on_hand"] == 2
    line = next(tr for tr in transfers.search(container.db, PageParams(), batch_id=batch).items
                if tr.to_location_id == s.store)
    post_form(client, f"/console/{s.store}/transfers/{line.id}/receive", s.clerk, received=0)
    progress = client.get(f"/api/v1/stock/transfer-batches/{batch}", headers=ops).json()
    assert (progress["totals"]["sent"], progress["totals"]["received"], progress["totals"]["with_difference"]) \
        == (2, 1, 1)
    page = client.get(f"/admin/transfers/batches/{batch}", headers=ops).text
    assert re.search(rf'data-dest="{s.store}">.*?<span class="badge warn">1</span>', page, re.S)

    # a CSV: codes, a header, a bad line told by number; then the rebalancing suggestion
    r = _preview(client, ops, mode="csv", csv="from,to,sku,qty\nWH-JD,XJH,T-milk,1\nWH-JD,NOPE,T-milk,1\n")
    assert r.status_code == 422 and "Line 3: no location &#34;NOPE&#34;" in r.text
    r = _preview(client, ops, mode="csv", csv="from,to,sku,qty\nJA,LJZ,6900000000000,2\n")
    assert r.status_code == 200 and "Create 1 transfers" in r.text
    upload = client.post("/admin/transfers/plan", headers=ops, follow_redirects=False,
                         data={"csrf_token": csrf(client), "mode": "csv"},
                         files={"csv_file": ("plan.csv", "\ufefffrom,to,sku,qty\nJA,XJH,T-yogurt,1\n"
                                                         "JA,LJZ,T-yogurt,1\n".encode(), "text/csv")})
    assert upload.status_code == 200 and "Create 2 transfers" in upload.text
    # Xujiahui (10 on hand, nothing coming) below a safety stock of 15: the warehouse's 2 free, then 3 of
    # Jing'an's 10 (its safety stock is 0)
    assert client.put(f"/api/v1/stock/{s.store}/{s.milk}/safety-stock", headers=ops,
                      json={"safety_stock": 15}).status_code == 200
    r = _preview(client, ops, mode="rebalance", sku="T-milk")
    assert r.status_code == 200 and "Preview: 2 transfers, 5 units, 1 destinations" in r.text
    tw = {**ops, "Accept-Language": "zh-TW"}  # an unnamed batch is named after its origin, in the reader's language
    made = client.post("/admin/transfers/batches", headers=tw, follow_redirects=False, data={
        "csrf_token": csrf(client), "key": _hidden(r.text, "key"), "plan": _hidden(r.text, "plan"),
        "origin": "rebalance", "name": ""})
    assert transfers.get_batch(container.db, _batch(made)).name == "补货建议"
    listing = client.get(f"/admin/transfers?batch={batch}", headers=ops).text
    assert listing.count("data-transfer=") == 3
    assert client.get("/api/v1/stock/check", headers=ops).json()["ok"] is True
