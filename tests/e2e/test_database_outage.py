"""While PostgreSQL is down (killed, then recovering), requests get 503 + Retry-After, never 500;
liveness stays 200, readiness says 503; each failure is one log line with its request id; the app
recovers by itself when the server is back."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from o2o import bootstrap
from o2o.config import Settings
from o2o.kernel.db import Database
from o2o.kernel.migrate import upgrade
from o2o.main import create_app
from tests.conftest import require_postgresql
from tests.factories.auth import Auth
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive
from tests.pgserver import PgServer


@pytest.fixture
def pg() -> Iterator[PgServer]:
    require_postgresql()
    # its own server, durable (the tests' default trades durability for speed): this test kills it
    with PgServer({"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}) as server:
        server.create_database("outage")
        yield server


def test_requests_get_503_with_retry_after_while_postgresql_is_down_and_recover_after(pg, caplog):
    db = Database.from_url(pg.url("outage"), pool_size=5, pool_timeout=5)
    upgrade(db.engine)
    c = bootstrap.build(Settings(database_url=db.url, payment_secret="test-secret", cheap_password_hashing=True),
                        db=db)
    chain = build_chain(c)
    receive(c, chain.stores["xujiahui"], chain.skus["milk"], 10)
    customer = Auth(c).customer(chain.customer)
    order = {"customer_id": chain.customer, "mode": "auto", "channel": "h5",
             "address": {"line": "漕溪北路 88 号", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]},
             "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}]}
    with TestClient(create_app(c), raise_server_exceptions=False) as client:
        assert client.get("/api/v1/products").status_code == 200
        assert client.get("/readyz").json() == {"status": "ok", "database": "postgresql"}

        pg.crash()
        caplog.clear()
        with caplog.at_level(logging.INFO):
            failed = [client.get("/api/v1/products", headers={"X-Request-ID": "outage-1"}),
                      client.get("/api/v1/products/1"),
                      client.post("/api/v1/orders", json=order, headers={**customer, "Idempotency-Key": "o-1"}),
                      client.get("/api/v1/orders", headers=customer)]
            assert client.get("/healthz").status_code == 200  # alive: do not restart me
            ready = client.get("/readyz")
        for r in failed:
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == "1"
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["type"].endswith("/database-unavailable")
        assert ready.status_code == 503 and ready.headers["retry-after"] == "1"
        assert ready.json()["type"].endswith("/database-unavailable")
        logged = [r for r in caplog.records if r.name.startswith("o2o")]
        assert len(logged) == len(failed), [r.getMessage() for r in logged]
        assert all(r.exc_info is None and "\n" not in r.getMessage() for r in logged)
        assert "request=outage-1" in logged[0].getMessage()

        pg.resume()
        deadline, status = time.monotonic() + 20, 0
        while time.monotonic() < deadline and status != 201:
            status = client.post("/api/v1/orders", json=order,
                                 headers={**customer, "Idempotency-Key": "o-2"}).status_code
            assert status in (201, 503)
        assert status == 201
        assert client.get("/readyz").status_code == 200
    db.dispose()
