"""/metrics (prometheus-client) and /readyz, through the app on both databases: who may read the metrics,
what they count (route templates, orders, reservation conflicts, outbox backlog, pool), and readiness
apart from liveness (migrations at head, shutting down)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, text

from o2o import bootstrap
from o2o.config import Settings
from o2o.inventory import service as inventory
from o2o.inventory.exceptions import ReservationFailed
from o2o.inventory.schemas import Hold
from o2o.kernel import lifecycle, metrics, migrate
from o2o.kernel.outbox import OutboxEvent
from o2o.main import create_app
from tests.factories.chain import build_chain, receive
from tests.factories.http import pickup_order

TOKEN = "m" * 8 + "-metrics-token-for-the-test-0123456789"


def _samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _scrape(client: TestClient, token: str = TOKEN) -> dict:
    r = client.get("/metrics", headers={"Authorization": f"Metrics {token}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return _samples(r.text)


@pytest.fixture
def metered(fresh_db, clock):  # type: ignore[no-untyped-def]
    settings = Settings(database_url=fresh_db.url, payment_secret="test-secret", cheap_password_hashing=True,
                        metrics_token=TOKEN)
    c = bootstrap.build(settings, db=fresh_db, clock=clock)
    with TestClient(create_app(c)) as client:
        yield c, client


def test_metrics_need_the_token_and_a_wrong_one_sees_nothing(metered):
    _, client = metered
    assert client.get("/metrics").status_code == 404
    for forged in ("Metrics " + TOKEN[:-1] + "x", "Metrics " + TOKEN[:-1], TOKEN, "Metrics ", "Basic " + TOKEN,
                   "Metrics " + TOKEN + "x" * 10_000):
        assert client.get("/metrics", headers={"Authorization": forged}).status_code == 404, forged
    assert client.get("/metrics", headers={"Authorization": "metrics " + TOKEN}).status_code == 200


def test_without_a_token_only_loopback_and_private_networks_may_read(client):
    # the test client's address is the name "testclient": neither loopback nor private
    assert client.get("/metrics").status_code == 404
    for host in ("127.0.0.1", "::1", "10.1.2.3", "192.168.0.9", "172.20.0.4", "::ffff:10.0.0.1", "fd00::1"):
        assert metrics.allowed(host, None, ""), host
    for host in ("8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8", None, "", "testclient"):
        assert not metrics.allowed(host, None, ""), host
    assert not metrics.allowed("127.0.0.1", None, TOKEN)  # with a token set, the network does not matter
    assert metrics.allowed("8.8.8.8", f"Metrics {TOKEN}", TOKEN)
    assert not metrics.allowed("8.8.8.8", f"Bearer {TOKEN}", TOKEN)


def test_requests_are_counted_by_route_template_and_status_never_by_raw_path(metered):
    _, client = metered
    before = _scrape(client)
    for n in range(3):
        assert client.get(f"/api/v1/products/{900_000 + n}").status_code == 404
    client.get("/no/such/path/at/all-" + "x" * 50)
    after = _scrape(client)
    key = dict(method="GET", route="/api/v1/products/{product_id}", status="404")
    assert _value(after, "o2o_http_requests_total", **key) - _value(before, "o2o_http_requests_total", **key) == 3
    assert _value(after, "o2o_http_request_duration_seconds_count", method="GET",
                  route="/api/v1/products/{product_id}") >= 3
    unmatched = dict(method="GET", route=metrics.UNMATCHED, status="404")
    assert _value(after, "o2o_http_requests_total", **unmatched) > _value(before, "o2o_http_requests_total",
                                                                           **unmatched)
    assert not any("900000" in dict(labels).get("route", "") or "xxxx" in dict(labels).get("route", "")
                   for _, labels in after)
    assert _value(after, "o2o_db_pool_size") >= 20


def test_orders_placed_reservation_conflicts_outbox_backlog_and_pool(metered, auth):
    c, client = metered
    chain = build_chain(c)
    store, sku = chain.stores["xujiahui"], chain.skus["milk"]
    receive(c, store, sku, 5)
    before = _scrape(client)
    pickup_order(client, store, sku, 1, auth.customer(chain.customer))
    # a reservation that loses the race for the last units: more than there is
    with pytest.raises(ReservationFailed), c.db.write_sessions() as s:
        inventory.reserve(s, "SO-RACE", [Hold(store, sku, 10**6)], c.clock.now(), c.clock.now() + timedelta(minutes=5))
    with c.db.write_sessions() as s, s.begin():
        old = c.clock.now() - timedelta(minutes=7)
        s.execute(insert(OutboxEvent), [{"topic": "test.metrics", "payload": {"n": 1}, "created_at": old,
                                         "available_at": old, "published_at": None}])
    after = _scrape(client)
    placed = sum(v - _value(before, n, **dict(lb)) for (n, lb), v in after.items() if n == "o2o_orders_placed_total")
    assert placed == 1
    assert _value(after, "o2o_reservation_conflicts_total") - _value(before, "o2o_reservation_conflicts_total") == 1
    assert _value(after, "o2o_outbox_backlog_events") >= 2  # the order's event and ours, none delivered
    assert _value(after, "o2o_outbox_oldest_age_seconds") >= 7 * 60
    assert _value(after, "o2o_db_pool_connections_in_use") >= 0
    with c.db.engine.connect():  # a connection checked out shows in the gauge
        held = _scrape(client)
    assert _value(held, "o2o_db_pool_connections_in_use") == _value(after, "o2o_db_pool_connections_in_use") + 1


def test_readyz_is_apart_from_healthz_database_migrations_and_shutdown(metered):
    c, client = metered
    assert client.get("/readyz").status_code == 200
    with c.db.write_sessions() as s, s.begin():
        s.execute(text("UPDATE alembic_version SET version_num = '0001' WHERE version_num = :v"),
                  {"v": sorted(migrate.heads())[0]})
    r = client.get("/readyz", headers={"Accept-Language": "en"})
    assert r.status_code == 503 and r.json()["type"].endswith("/not-migrated"), r.text
    assert "o2o migrate" in r.json()["title"]
    assert client.get("/healthz").status_code == 200  # liveness: the process answers whatever the schema
    with c.db.write_sessions() as s, s.begin():
        s.execute(text("DELETE FROM alembic_version"))
        s.execute(insert(_alembic_version()), [{"version_num": v} for v in migrate.heads()])
    assert client.get("/readyz").status_code == 200
    lifecycle.shutting_down.set()
    try:
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["type"].endswith("/shutting-down") and r.headers["retry-after"]
        assert client.get("/healthz").status_code == 200
    finally:
        lifecycle.shutting_down.clear()
    assert client.get("/readyz").status_code == 200


def _alembic_version():  # type: ignore[no-untyped-def]
    from sqlalchemy import Column, MetaData, String, Table

    return Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))


def test_metrics_text_lists_every_documented_metric(metered):
    """README's list and what /metrics exposes are the same names."""
    _, client = metered
    body = client.get("/metrics", headers={"Authorization": f"Metrics {TOKEN}"}).text
    exposed = {f.name for f in text_string_to_metric_families(body) if f.name.startswith("o2o_")}
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    documented = set(re.findall(r"^\| `(o2o_[a-z_]+)` \|", readme, re.MULTILINE))  # the table's rows
    # prometheus-client names a counter family without its _total suffix
    documented = {d.removesuffix("_total") for d in documented}
    assert exposed == documented, (exposed ^ documented)
