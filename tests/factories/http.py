"""Small steps over HTTP that several end-to-end tests take."""

from __future__ import annotations

from typing import Any


def stock_row(client: Any, location_id: int, sku_id: int) -> dict:
    r = client.get("/api/v1/stock", params={"location_id": location_id, "sku_id": sku_id})
    assert r.status_code == 200, r.text
    return r.json()["items"][0]


def pickup_order(client: Any, location_id: int, sku_id: int, quantity: int) -> str:
    r = client.post("/api/v1/orders", json={"mode": "pickup", "location_id": location_id,
                                            "lines": [{"sku_id": sku_id, "quantity": quantity}]})
    assert r.status_code == 201, r.text
    return r.json()["number"]


def pay(client: Any, number: str) -> None:
    """Start a payment and let the sandbox deliver its signed notification."""
    r = client.post(f"/api/v1/orders/{number}/payments")
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/sandbox/payments/{r.json()['out_trade_no']}/complete")
    assert r.status_code == 200, r.text
