"""Cancelling releases stock; unpaid orders expire and release; payment after expiry is refunded."""

from __future__ import annotations

from o2o import bootstrap
from o2o.inventory import service as inventory
from o2o.orders import service as orders
from tests.factories.chain import build_chain, receive
from tests.factories.http import pay, pickup_order, stock_row


def test_cancel_releases_the_stock(client, container):
    ch = build_chain(container)
    loc, milk = ch.stores["xujiahui"], ch.skus["milk"]
    receive(container, loc, milk, 5)
    number = pickup_order(client, loc, milk, 3)
    assert stock_row(client, loc, milk)["reserved"] == 3
    r = client.post(f"/api/v1/orders/{number}/cancel", json={"reason": "changed my mind"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert stock_row(client, loc, milk)["reserved"] == 0
    assert client.post(f"/api/v1/orders/{number}/cancel").status_code == 409  # illegal: already cancelled
    assert inventory.check(container.db).ok


def test_unpaid_order_expires_and_a_late_payment_is_refunded(client, container, clock):
    ch = build_chain(container)
    loc, milk = ch.stores["xujiahui"], ch.skus["milk"]
    receive(container, loc, milk, 5)
    number = pickup_order(client, loc, milk, 2)
    payment = client.post(f"/api/v1/orders/{number}/payments").json()
    assert orders.expire_unpaid(container.db, container.uow) == 0  # not yet due
    clock.advance(minutes=31)
    assert orders.expire_unpaid(container.db, container.uow) == 1
    assert client.get(f"/api/v1/orders/{number}").json()["status"] == "expired"
    assert stock_row(client, loc, milk)["reserved"] == 0
    r = client.post(f"/api/v1/sandbox/payments/{payment['out_trade_no']}/complete")
    assert r.status_code == 200 and r.json().get("refund") is True
    bootstrap.relay(container).drain()
    assert [x["out_trade_no"] for x in container.payments.refunds] == [payment["out_trade_no"]]
    assert client.get(f"/api/v1/orders/{number}").json()["status"] == "expired"
    assert inventory.check(container.db).ok


def test_parcel_order_ships_and_commits_stock(client, container):
    ch = build_chain(container)
    receive(container, ch.warehouse, ch.skus["cheese"], 10)
    number = client.post("/api/v1/orders", json={
        "mode": "parcel", "address": {"line": "外地", "lat": 31.0, "lng": 121.2},
        "lines": [{"sku_id": ch.skus["cheese"], "quantity": 4}]}).json()["number"]
    pay(client, number)
    fo = client.get(f"/api/v1/orders/{number}").json()["fulfillment_ids"][0]
    r = client.post(f"/api/v1/fulfillments/{fo}/ship")
    assert r.status_code == 200 and r.json()["status"] == "shipped"
    bootstrap.relay(container).drain()
    assert client.get(f"/api/v1/orders/{number}").json()["status"] == "shipped"
    assert client.post(f"/api/v1/fulfillments/{fo}/delivered").json()["status"] == "delivered"
    bootstrap.relay(container).drain()
    assert client.get(f"/api/v1/orders/{number}").json()["status"] == "completed"
    stock = client.get("/api/v1/stock", params={"location_id": ch.warehouse, "sku_id": ch.skus["cheese"]}).json()
    assert (stock["items"][0]["on_hand"], stock["items"][0]["reserved"]) == (6, 0)
    assert inventory.check(container.db).ok


def test_cancelling_a_paid_order_refunds_its_payment_and_releases_stock(client, container):
    ch = build_chain(container)
    loc, milk = ch.stores["xujiahui"], ch.skus["milk"]
    receive(container, loc, milk, 5)
    number = pickup_order(client, loc, milk, 2)
    pay(client, number)
    r = client.post(f"/api/v1/orders/{number}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    bootstrap.relay(container).drain()
    (refund,) = container.payments.refunds
    assert refund["out_trade_no"].startswith(number) and refund["amount_fen"] == 2 * 1290
    assert stock_row(client, loc, milk)["reserved"] == 0
    assert inventory.check(container.db).ok
