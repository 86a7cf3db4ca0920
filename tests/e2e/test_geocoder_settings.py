"""The geocoder is chosen by settings: with O2O_GEOCODER=amap the storefront's suggestions come from the
AMap-shaped web service (here a local fake of it, a real HTTP server), and its refusals reach the
caller as clear problem+json (503 geocoder-misconfigured for a bad key, 503 geocoder-unavailable with
Retry-After for an exhausted quota), never as a 500 (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from o2o import bootstrap
from o2o.adapters.geocoding.amap import AmapGeocoder
from o2o.config import Settings
from o2o.kernel.geo import haversine_m
from o2o.main import create_app
from tests.factories.auth import Auth
from tests.factories.chain import build_chain
from tests.factories.fake_amap import FakeAmap

GANGHUI = (31.19530, 121.43650)


@pytest.fixture
def amap() -> Iterator[FakeAmap]:
    fake = FakeAmap(places={"港汇恒隆广场": ("徐汇区", "虹桥路 1号", *GANGHUI)}, private_key="sig-secret").start()
    yield fake
    fake.stop()


def _app(fresh_db, clock, amap: FakeAmap, key: str):  # type: ignore[no-untyped-def]
    settings = Settings(database_url=fresh_db.url, payment_secret="test-secret", cheap_password_hashing=True,
                        geocoder="amap", amap_key=key, amap_private_key="sig-secret", amap_base_url=amap.url)
    return bootstrap.build(settings, db=fresh_db, clock=clock)


def test_amap_chosen_by_settings_answers_the_shoppers_suggestions(fresh_db, clock, amap):
    container = _app(fresh_db, clock, amap, amap.key)
    assert isinstance(container.geocoder, AmapGeocoder)
    chain = build_chain(container)
    with TestClient(create_app(container)) as client:
        me = Auth(container).customer(chain.customer)
        r = client.get("/api/v1/geo/suggest", params={"q": "港汇"}, headers=me)
        assert r.status_code == 200, r.text
        (p,) = r.json()
        assert p["name"] == "港汇恒隆广场" and haversine_m(p["lat"], p["lng"], *GANGHUI) < 1.0
        r = client.get("/api/v1/geo/reverse", params={"lat": GANGHUI[0], "lng": GANGHUI[1]}, headers=me)
        assert r.status_code == 200 and r.json()["name"] == "虹桥路1号"

        amap.script.append("DAILY_QUERY_OVER_LIMIT")
        r = client.get("/api/v1/geo/suggest", params={"q": "港汇"}, headers=me)
        assert r.status_code == 503 and r.headers["retry-after"] == "3600"
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"].endswith("/geocoder-unavailable") and r.json()["reason"] == "DAILY_QUERY_OVER_LIMIT"


def test_a_bad_key_is_a_clear_misconfiguration_not_a_500(fresh_db, clock, amap):
    container = _app(fresh_db, clock, amap, "not-our-key")
    chain = build_chain(container)
    with TestClient(create_app(container)) as client:
        r = client.get("/api/v1/geo/suggest", params={"q": "港汇"}, headers=Auth(container).customer(chain.customer))
        assert r.status_code == 503
        body = r.json()
        assert body["type"].endswith("/geocoder-misconfigured") and body["reason"] == "INVALID_USER_KEY"
        assert "not-our-key" not in r.text  # the key is not echoed


def test_amap_without_a_key_refuses_to_start():
    with pytest.raises(ValueError, match="O2O_AMAP_KEY"):
        bootstrap.geocoder(Settings(geocoder="amap", amap_key=""))
