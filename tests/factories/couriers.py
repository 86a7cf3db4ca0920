"""Courier test helpers: an app wired to two simulated platforms, a store-delivery order made ready, signed
callbacks as a platform sends them, and the app served over HTTP for the simulators to call back."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from o2o import bootstrap
from o2o.adapters.couriers.dada import CODE_OF
from o2o.adapters.couriers.signing import signed_callback
from o2o.config import Settings
from o2o.couriers.models import CourierDelivery
from tests.factories.auth import Auth
from tests.factories.chain import XUJIAHUI_NEAR, Chain, build_chain, receive
from tests.factories.http import order_of, pay

SECRET = "courier-test-secret"
FAST = {"rider_s": [0, 0], "to_store_s": [0, 0], "at_store_s": [0, 0], "per_km_s": 0, "seed": 7}


def courier_container(db: Any, clock: Any, sims: dict[str, dict[str, Any]] | None = None) -> Any:
    """The app's container with simulated platforms (name -> Profile fields; sim-a cheaper than sim-b)."""
    sims = sims if sims is not None else {"sim-a": {}, "sim-b": {}}
    profiles = {name: {**FAST, "base_fee_fen": 400 + 100 * i, **p} for i, (name, p) in enumerate(sims.items())}
    settings = Settings(database_url=db.url, payment_secret="test-secret", cheap_password_hashing=True,
                        couriers=list(sims), courier_sim=profiles, courier_secret=SECRET)
    return bootstrap.build(settings, db=db, clock=clock)


def ready_delivery(client: Any, c: Any, auth: Auth, chain: Chain | None = None) -> dict[str, Any]:
    """A store-delivery order paid and marked ready (the relay drained): its number, fulfilment, clerk."""
    chain = chain or build_chain(c)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(c, store, milk, 5)
    customer, clerk = auth.customer(chain.customer), auth.staff("clerk", store_id=store)
    r = client.post("/api/v1/orders", headers=customer, json={
        "customer_id": chain.customer, "mode": "store_delivery",
        "address": {"line": "徐家汇路 1 号 2 室", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]},
        "lines": [{"sku_id": milk, "quantity": 2}]})
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    pay(client, number, customer)
    fo_id = order_of(client, number, customer)["fulfillment_ids"][0]
    assert client.post(f"/api/v1/fulfillments/{fo_id}/ready", headers=clerk).status_code == 200
    bootstrap.relay(c).drain()
    return {"number": number, "fulfillment_id": fo_id, "clerk": clerk, "customer": customer, "chain": chain,
            "store": store}


def delivery_row(c: Any, fulfillment_id: int) -> CourierDelivery:
    with c.db.read() as s:
        d = s.query(CourierDelivery).filter_by(fulfillment_id=fulfillment_id).one()
        s.expunge(d)
        return d


def callback(origin_id: str, status: str, at: int, rider: tuple[str, str, str] = ("", "", ""),
             platform_id: str = "P1", reason: str = "", secret: str = SECRET) -> bytes:
    """A Dada-shaped callback as the platform signs it."""
    rider_id, name, phone = rider
    return signed_callback(secret, {"client_id": platform_id, "order_id": origin_id, "order_status": CODE_OF[status],
                                    "cancel_reason": reason, "cancel_from": 3 if reason else 0, "update_time": at,
                                    "dm_id": rider_id, "dm_name": name, "dm_mobile": phone})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(c: Any) -> Iterator[str]:
    """The app over HTTP on 127.0.0.1 (no relay thread: the test drives the relay and the simulators)."""
    import uvicorn

    from o2o.main import create_app

    port = _free_port()
    c.settings.public_base_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(uvicorn.Config(create_app(c), host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield c.settings.public_base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
