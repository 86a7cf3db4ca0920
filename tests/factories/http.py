"""Small steps over HTTP that several end-to-end tests take.

Every step is taken by a signed-in caller: pass the `headers` of the actor who would take it in
life (tests.factories.auth): the customer places and pays, staff with `inventory:read` look at
stock.
"""

from __future__ import annotations

from typing import Any

Headers = dict[str, str]


def stock_row(client: Any, location_id: int, sku_id: int, headers: Headers) -> dict:
    r = client.get("/api/v1/stock", params={"location_id": location_id, "sku_id": sku_id}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"][0]


def pickup_order(client: Any, location_id: int, sku_id: int, quantity: int, headers: Headers) -> str:
    r = client.post("/api/v1/orders", headers=headers, json={
        "mode": "pickup", "location_id": location_id, "lines": [{"sku_id": sku_id, "quantity": quantity}]})
    assert r.status_code == 201, r.text
    return r.json()["number"]


def pay(client: Any, number: str, headers: Headers) -> None:
    """Start a payment and let the sandbox deliver its signed notification (the sandbox is public:
    it stands for the customer paying at the provider)."""
    r = client.post(f"/api/v1/orders/{number}/payments", headers=headers)
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/sandbox/payments/{r.json()['out_trade_no']}/complete")
    assert r.status_code == 200, r.text


def order_of(client: Any, number: str, headers: Headers) -> dict:
    """The order as `headers`' caller sees it (only its customer sees the pickup code)."""
    r = client.get(f"/api/v1/orders/{number}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()
