"""tests/routecache.py shares FastAPI's route state between the tests' apps: an app built with the cache
answers exactly as one built without it, documents the same OpenAPI, and an app with dependency overrides
still gets its overrides."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from o2o import bootstrap
from o2o.config import Settings
from o2o.iam import guard
from o2o.kernel.clock import FixedClock
from o2o.kernel.db import Database
from o2o.main import create_app, route_list
from tests import routecache

PATHS = ["/shop", "/login", "/shop/products", "/api/v1/products", "/console", "/backoffice", "/nowhere",
         "/api/v1/orders/SO1"]


def _app(tmp_path, name: str):  # type: ignore[no-untyped-def]
    db = Database.from_url(f"sqlite:///{tmp_path / name}.db")
    settings = Settings(database_url=db.url, payment_secret="test-secret", cheap_password_hashing=True)
    return create_app(bootstrap.build(settings, db=db, clock=FixedClock(datetime(2026, 11, 24, 2, tzinfo=UTC))))


def _answers(app) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as c:
        return [(p, (r := c.get(p)).status_code, r.headers.get("content-type", "")) for p in PATHS]


def test_installed_and_the_second_app_reuses_the_first_apps_route_state(tmp_path):
    assert routecache.install()
    first = _app(tmp_path, "a")
    _answers(first)
    before = routecache.stats()
    second = _app(tmp_path, "b")
    _answers(second)
    after = routecache.stats()
    assert after["hits"] > before["hits"] and after["builds"] == before["builds"]


def test_an_app_built_without_the_cache_answers_and_documents_the_same(tmp_path):
    cached = _app(tmp_path, "cached")
    with routecache.disabled():
        plain = _app(tmp_path, "plain")
        plain_answers = _answers(plain)
        plain_doc = plain.openapi()
        plain_routes = route_list(plain)
    assert _answers(cached) == plain_answers
    assert cached.openapi() == plain_doc
    assert route_list(cached) == plain_routes


def test_an_app_with_dependency_overrides_builds_its_own_and_they_apply(tmp_path):
    _answers(_app(tmp_path, "warm"))  # the cache holds the routes
    app = _app(tmp_path, "overridden")
    seen: list[str] = []

    def let_through() -> None:
        seen.append("override")

    app.dependency_overrides[guard.authorize] = let_through
    with TestClient(app) as c:
        c.get("/shop")
    assert seen == ["override"]


def test_once_forgotten_an_app_that_answered_is_let_go_of_with_its_database(tmp_path):
    """FastAPI's process-wide caches of callable kinds hold the endpoints `create_app` defines in its body,
    and through them the container: without `forget_callables` every test's database stayed alive."""
    import gc
    import weakref

    app = _app(tmp_path, "gone")
    with TestClient(app) as c:
        assert c.get("/readyz").status_code == 503  # not migrated
        assert c.get("/metrics").status_code == 404  # not from a private network
    database = weakref.ref(app.state.container.db)
    del app, c
    routecache.forget_callables()
    gc.collect()
    assert database() is None
