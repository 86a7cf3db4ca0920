"""Bad input gets a 4xx problem+json naming the field, never a 500; retries and forgeries change nothing.

Orders are placed by a signed-in customer (`customer` fixture), stock is read by an operator.
"""

from __future__ import annotations

import pytest

from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive
from tests.factories.http import order_of, pickup_order, stock_row

ADDR = {"line": "漕溪北路", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]}


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    ch = build_chain(container)
    receive(container, ch.stores["xujiahui"], ch.skus["milk"], 5)
    return ch


@pytest.fixture
def customer(auth, chain):  # type: ignore[no-untyped-def]
    return auth.customer(chain.customer)


def _problem(r, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return r.json()


@pytest.mark.parametrize("lines,field", [
    ([{"sku_id": 999999, "quantity": 1}], "lines[0].sku_id"),
    ([{"sku_id": "MILK", "quantity": 1}], "lines[0].sku_id"),
    ([{"sku_id": 1, "quantity": 0}], "lines[0].quantity"),
    ([{"sku_id": 1, "quantity": -3}], "lines[0].quantity"),
    ([{"sku_id": 1, "quantity": 10**9}], "lines[0].quantity"),
    ([], "lines"),
])
def test_bad_lines_are_refused_naming_the_field(client, chain, customer, lines, field):
    body = _problem(client.post("/api/v1/orders", headers=customer,
                                json={"mode": "auto", "address": ADDR, "lines": lines}), 422)
    assert field in [e["field"] for e in body["errors"]]


def test_unknown_store_is_refused_naming_location_id(client, chain, customer):
    body = _problem(client.post("/api/v1/orders", headers=customer, json={
        "mode": "pickup", "location_id": 424242, "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}]}), 422)
    assert body["errors"][0]["field"] == "location_id"


@pytest.mark.parametrize("lat,lng,field", [(91, 121.4, "address.lat"), (31.2, -181, "address.lng")])
def test_coordinates_out_of_range_are_refused(client, chain, customer, lat, lng, field):
    body = _problem(client.post("/api/v1/orders", headers=customer, json={
        "mode": "auto", "address": {"line": "x", "lat": lat, "lng": lng},
        "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}]}), 422)
    assert field in [e["field"] for e in body["errors"]]


def test_malformed_json_is_a_400(client, chain, customer):
    r = client.post("/api/v1/orders", content=b'{"lines": [', headers={**customer, "content-type": "application/json"})
    assert _problem(r, 400)["type"].endswith("malformed-json")


def test_pickup_without_a_store_is_refused(client, chain, customer):
    body = _problem(client.post("/api/v1/orders", headers=customer, json={
        "mode": "pickup", "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}]}), 422)
    assert "location_id" in body["detail"]


def test_not_enough_stock_lists_each_short_line_with_what_is_available(client, chain, customer):
    milk, yogurt = chain.skus["milk"], chain.skus["yogurt"]
    body = _problem(client.post("/api/v1/orders", headers=customer, json={
        "mode": "pickup", "location_id": chain.stores["xujiahui"],
        "lines": [{"sku_id": milk, "quantity": 4}, {"sku_id": yogurt, "quantity": 2}, {"sku_id": milk, "quantity": 3}]}),
        409)
    assert body["type"].endswith("insufficient-stock")
    short = {(x["sku_id"], x["requested"], x["available"]) for x in body["lines"]}
    assert short == {(milk, 7, 5), (yogurt, 2, 0)}


def test_english_title_when_asked(client, chain, customer):
    r = client.post("/api/v1/orders", headers={**customer, "accept-language": "en"}, json={
        "mode": "pickup", "location_id": chain.stores["xujiahui"], "lines": [{"sku_id": chain.skus["yogurt"], "quantity": 1}]})
    assert _problem(r, 409)["title"] == "Not enough stock"
    r = client.post("/api/v1/orders", headers={**customer, "accept-language": "zh-CN"}, json={
        "mode": "pickup", "location_id": chain.stores["xujiahui"], "lines": [{"sku_id": chain.skus["yogurt"], "quantity": 1}]})
    assert _problem(r, 409)["title"] == "库存不足"


def test_repeated_post_with_the_same_idempotency_key_returns_the_first_result(client, chain, customer, auth):
    body = {"mode": "pickup", "location_id": chain.stores["xujiahui"], "lines": [{"sku_id": chain.skus["milk"], "quantity": 2}]}
    first = client.post("/api/v1/orders", json=body, headers={**customer, "Idempotency-Key": "abc"})
    again = client.post("/api/v1/orders", json=body, headers={**customer, "Idempotency-Key": "abc"})
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]
    stock = stock_row(client, chain.stores["xujiahui"], chain.skus["milk"], auth.staff("operator"))
    assert stock["reserved"] == 2
    other = client.post("/api/v1/orders", json={**body, "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}]},
                        headers={**customer, "Idempotency-Key": "abc"})
    assert _problem(other, 422)["type"].endswith("idempotency-conflict")


def test_payment_notification_with_a_bad_signature_changes_nothing(client, container, chain, customer):
    number = pickup_order(client, chain.stores["xujiahui"], chain.skus["milk"], 1, customer)
    pay = client.post(f"/api/v1/orders/{number}/payments", headers=customer).json()
    body, sig = container.payments.notification(pay["out_trade_no"], pay["amount_fen"])
    forged = sig[:-4] + "beef"
    r = client.post("/api/v1/payments/sandbox/notify", content=body, headers={"X-Sandbox-Signature": forged})
    assert _problem(r, 401)["type"].endswith("unauthorized")
    assert order_of(client, number, customer)["status"] == "pending_payment"
    ok = client.post("/api/v1/payments/sandbox/notify", content=body, headers={"X-Sandbox-Signature": sig})
    assert ok.status_code == 200 and ok.json()["code"] == "SUCCESS"
    replay = client.post("/api/v1/payments/sandbox/notify", content=body, headers={"X-Sandbox-Signature": sig})
    assert replay.json().get("duplicate") is True
    order = order_of(client, number, customer)
    assert order["status"] == "paid" and len(order["fulfillment_ids"]) == 1


def test_wrong_amount_in_a_signed_notification_is_refused(client, container, chain, customer):
    number = pickup_order(client, chain.stores["xujiahui"], chain.skus["milk"], 1, customer)
    pay = client.post(f"/api/v1/orders/{number}/payments", headers=customer).json()
    body, sig = container.payments.notification(pay["out_trade_no"], 1)
    r2 = client.post("/api/v1/payments/sandbox/notify", content=body, headers={"X-Sandbox-Signature": sig})
    assert _problem(r2, 422)["type"].endswith("amount-mismatch")
    assert order_of(client, number, customer)["status"] == "pending_payment"


def test_unknown_ids_are_404_problems(client, chain, auth):
    operator = auth.staff("operator")  # sees every store and customer: these ids are truly unknown
    for path in ("/api/v1/orders/SO20990101000001", "/api/v1/products/99999", "/api/v1/locations/99999",
                 "/api/v1/fulfillments/99999", "/api/v1/customers/99999", "/api/v1/nowhere"):
        assert _problem(client.get(path, headers=operator), 404)["status"] == 404


def test_oversized_body_is_refused(client, chain, customer):
    r = client.post("/api/v1/orders", content=b"x" * 1_100_000,
                    headers={**customer, "content-type": "application/json"})
    assert r.status_code == 413


def test_oversized_chunked_body_is_refused(client, chain, customer):
    """Without Content-Length (chunked) the size is counted as the app reads: 413, not read into memory;
    also on the unauthenticated provider callbacks."""
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 32_768

    r = client.post("/api/v1/orders", content=chunks(), headers={**customer, "content-type": "application/json"})
    assert r.status_code == 413
    assert client.post("/api/v1/payments/alipay/notify", content=chunks()).status_code in (404, 413)
    assert client.post("/api/v1/messages/sms/receipts/aliyun/t", content=chunks(),
                       headers={"content-type": "application/json"}).status_code == 413
