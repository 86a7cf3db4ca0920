"""Cancelling releases stock; unpaid orders expire and release; payment after expiry is refunded.

The customer places, pays and cancels; an operator looks at stock; a carrier's integration key
ships parcels and confirms their delivery.
"""

from __future__ import annotations

from o2o import bootstrap
from o2o.inventory import service as inventory
from o2o.orders import service as orders
from tests.factories.chain import build_chain, receive
from tests.factories.http import order_of, pay, pickup_order, stock_row


def test_cancel_releases_the_stock(client, container, auth):
    ch = build_chain(container)
    loc, milk = ch.stores["xujiahui"], ch.skus["milk"]
    receive(container, loc, milk, 5)
    customer, operator = auth.customer(ch.customer), auth.staff("operator")
    number = pickup_order(client, loc, milk, 3, customer)
    assert stock_row(client, loc, milk, operator)["reserved"] == 3
    r = client.post(f"/api/v1/orders/{number}/cancel", headers=customer, json={"reason": "changed my mind"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert (r.json()["history"][-1]["actor"], r.json()["history"][-1]["note"]) == (
        f"customer:{ch.customer}", "changed my mind")
    assert stock_row(client, loc, milk, operator)["reserved"] == 0
    # illegal: already cancelled
    assert client.post(f"/api/v1/orders/{number}/cancel", headers=customer).status_code == 409
    assert inventory.check(container.db).ok


def test_unpaid_order_expires_and_a_late_payment_is_refunded(client, container, clock, auth):
    ch = build_chain(container)
    loc, milk = ch.stores["xujiahui"], ch.skus["milk"]
    receive(container, loc, milk, 5)
    customer, operator = auth.customer(ch.customer), auth.staff("operator")
    number = pickup_order(client, loc, milk, 2, customer)
    r = client.post(f"/api/v1/orders/{number}/payments", headers=customer)
    assert r.status_code == 201, r.text
    payment = r.json()
    assert orders.expire_unpaid(container.db, container.uow) == 0  # not yet due
    clock.advance(minutes=31)
    assert orders.expire_unpaid(container.db, container.uow) == 1
    expired = order_of(client, number, customer)
    assert (expired["status"], expired["history"][-1]["actor"]) == ("expired", "system")
    assert stock_row(client, loc, milk, operator)["reserved"] == 0
    r = client.post(f"/api/v1/sandbox/payments/{payment['out_trade_no']}/complete")
    assert r.status_code == 200 and r.json().get("refund") is True
    bootstrap.relay(container).drain()
    assert [x["out_trade_no"] for x in container.payments.refunds] == [payment["out_trade_no"]]
    assert order_of(client, number, customer)["status"] == "expired"
    assert inventory.check(container.db).ok


def test_parcel_order_ships_and_commits_stock(client, container, auth):
    ch = build_chain(container)
    receive(container, ch.warehouse, ch.skus["cheese"], 10)
    customer, operator = auth.customer(ch.customer), auth.staff("operator")
    carrier = auth.key(["fulfillment:ship"])
    r = client.post("/api/v1/orders", headers=customer, json={
        "mode": "parcel", "address": {"line": "外地", "lat": 31.0, "lng": 121.2},
        "lines": [{"sku_id": ch.skus["cheese"], "quantity": 4}]})
    assert r.status_code == 201, r.text
    assert r.json()["customer_id"] == ch.customer  # a signed-in customer orders for themselves
    number = r.json()["number"]
    pay(client, number, customer)
    fo = order_of(client, number, customer)["fulfillment_ids"][0]
    r = client.post(f"/api/v1/fulfillments/{fo}/ship", headers=carrier)
    assert r.status_code == 200 and r.json()["status"] == "shipped"
    bootstrap.relay(container).drain()
    assert order_of(client, number, customer)["status"] == "shipped"
    r = client.post(f"/api/v1/fulfillments/{fo}/delivered", headers=carrier)
    assert r.status_code == 200 and r.json()["status"] == "delivered"
    assert [h["to_status"] for h in r.json()["history"]] == ["new", "picking", "shipped", "delivered"]
    assert {h["actor"].partition(":")[0] for h in r.json()["history"][1:]} == {"api_key"}
    bootstrap.relay(container).drain()
    assert order_of(client, number, customer)["status"] == "completed"
    row = stock_row(client, ch.warehouse, ch.skus["cheese"], operator)
    assert (row["on_hand"], row["reserved"]) == (6, 0)
    assert inventory.check(container.db).ok


def test_cancelling_a_paid_order_refunds_its_payment_and_releases_stock(client, container, auth):
    ch = build_chain(container)
    loc, milk = ch.stores["xujiahui"], ch.skus["milk"]
    receive(container, loc, milk, 5)
    customer, operator = auth.customer(ch.customer), auth.staff("operator")
    number = pickup_order(client, loc, milk, 2, customer)
    pay(client, number, customer)
    r = client.post(f"/api/v1/orders/{number}/cancel", headers=customer)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["history"][-1]["actor"] == f"customer:{ch.customer}"
    bootstrap.relay(container).drain()
    (refund,) = container.payments.refunds
    assert refund["out_trade_no"].startswith(number) and refund["amount_fen"] == 2 * 1290
    assert stock_row(client, loc, milk, operator)["reserved"] == 0
    assert inventory.check(container.db).ok
