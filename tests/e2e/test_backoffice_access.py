"""Who may open the back-office: HQ roles by the permission table's actions; store roles are sent to
their console (GET) or told 404 (other methods); anonymous browsers sign in first. Every page is
served in zh-CN and en, with no inline script or style (the CSP), and links only what the caller may
open. Helpers here are shared by the other back-office tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from o2o.main import create_app
from tests.factories.auth import PASSWORD
from tests.factories.chain import build_chain

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
PAGES = ("/admin", "/admin/products", "/admin/products/new", "/admin/stores", "/admin/stock", "/admin/orders",
         "/admin/users")


@pytest.fixture
def app(container, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The whole app, its uploaded pictures under a temporary media directory."""
    container.settings.media_dir = tmp_path / "media"
    return create_app(container)


class Staff:
    """A browser-like client signed in through the /login page (session cookie + CSRF cookie)."""

    def __init__(self, app, auth, role: str, store_id: int | None = None, login: str | None = None) -> None:  # type: ignore[no-untyped-def]
        self.login = login or f"bo-{role.replace('_', '-')}-{id(self) % 100000}"
        self.user_id = auth.staff_user(role, store_id=store_id, login=self.login)
        self.client = TestClient(app, follow_redirects=False)
        self.client.__enter__()
        self.client.get("/login")
        r = self.client.post("/login", data={"login": self.login, "password": PASSWORD, "next": "/staff",
                                             "csrf_token": self.csrf})
        assert r.status_code == 303, r.text

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("o2o_csrf") or ""

    def get(self, path: str, lang: dict[str, str] = EN, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=lang, **kw)

    def post(self, path: str, data: dict | None = None, lang: dict[str, str] = EN, **kw):  # type: ignore[no-untyped-def]
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, headers=lang, **kw)

    def close(self) -> None:
        self.client.__exit__(None, None, None)


@pytest.fixture
def staff(app, auth) -> Iterator:  # type: ignore[no-untyped-def]
    """`staff("operator")` -> a signed-in Staff client."""
    made: list[Staff] = []

    def make(role: str, store_id: int | None = None, login: str | None = None) -> Staff:
        s = Staff(app, auth, role, store_id, login)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def inline_free(html: str) -> bool:
    """No inline script, no style attribute or element (the CSP would block them)."""
    scripts = re.findall(r"<script[^>]*>", html)
    return all(" src=" in tag for tag in scripts) and " style=" not in html and "<style" not in html


def test_operator_opens_every_page_in_both_languages(staff, container):
    build_chain(container)
    ops = staff("operator")
    titles = {"en": ["Dashboard", "Products", "New product", "Stores", "Stock", "Orders", "Users"],
              "zh-CN": ["数据看板", "商品", "新建商品", "门店", "库存", "订单", "用户"]}
    for lang, headers in (("en", EN), ("zh-CN", ZH)):
        for path, title in zip(PAGES, titles[lang], strict=True):
            r = ops.get(path, headers)
            assert r.status_code == 200, (path, r.text[:300])
            html = r.text
            assert f'<html lang="{lang}">' in html and f"<h1>{title}</h1>" in html, path
            assert r.headers["cache-control"] == "no-store"
            assert inline_free(html), path
            assert '<link rel="stylesheet" href="/static/backoffice.css">' in html
            assert 'aria-current="page"' in html  # the navigation marks where we are


def test_navigation_shows_only_what_the_role_may_open(staff):
    ops = staff("operator").get("/admin").text
    assert 'href="/admin/users"' in ops and 'href="/admin/audit"' not in ops  # operators have no audit:read
    admin = staff("platform_admin").get("/admin").text
    assert 'href="/admin/audit"' in admin
    analyst = staff("analyst")
    html = analyst.get("/admin").text
    assert 'href="/admin/stock"' in html and 'href="/admin/orders"' in html
    assert 'href="/admin/products"' not in html and 'href="/admin/users"' not in html
    assert analyst.get("/admin/products").status_code == 403
    assert analyst.get("/admin/users").status_code == 403
    assert analyst.get("/admin/stock").status_code == 200


def test_store_roles_are_sent_to_their_console_and_cannot_post(staff, container):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    manager = staff("store_manager", store_id=store)
    for path in ("/admin/stock", "/admin/orders", "/admin/users"):  # actions a store manager holds
        r = manager.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/staff", path
    r = manager.post("/admin/users", {"login": "newclerk", "name": "New", "role": "clerk", "store_id": str(store)})
    assert r.status_code == 404  # out of scope, as other stores' ids are
    clerk = staff("clerk", store_id=store)
    assert clerk.get("/admin/stock").headers["location"] == "/staff"
    assert clerk.get("/admin").status_code == 403  # no analytics:read at all
    assert clerk.client.get("/staff").headers["location"] == f"/console/{store}"


def test_store_bound_callers_cannot_receive_stock_through_the_back_office(staff, container):
    chain = build_chain(container)
    clerk = staff("clerk", store_id=chain.stores["xujiahui"])
    r = clerk.post("/admin/products/1/stock", {"sku_id": str(chain.skus["milk"]),
                                               "location_id": str(chain.stores["xujiahui"]), "quantity": "5"})
    assert r.status_code == 404  # the guard lets inventory:write through; the back-office scope does not


def test_anonymous_customers_suppliers_and_bearer_tokens(app, auth, container):
    from o2o.catalog import service as catalog
    from o2o.catalog.schemas import SupplierIn

    with TestClient(app, follow_redirects=False) as c:
        r = c.get("/admin/stock?level=low")
        assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fadmin%2Fstock%3Flevel%3Dlow"
        customer = auth.customer(build_chain(container).customer)
        assert c.get("/admin", headers=customer).status_code == 403
        supplier = catalog.create_supplier(container.uow(), SupplierIn(code="SUP-BO", name="Supplier")).id
        assert c.get("/admin/products", headers=auth.staff("supplier", supplier_id=supplier)).status_code == 403
        assert c.get("/admin/orders", headers=auth.staff("analyst")).status_code == 200  # a bearer token works too


def test_forms_without_a_csrf_token_are_refused(staff):
    ops = staff("operator")
    r = ops.client.post("/admin/products", data={"name_zh": "x"}, headers=EN)
    assert r.status_code == 403 and r.json()["type"].endswith("/csrf")
    r = ops.client.post("/admin/products", data={"name_zh": "x", "csrf_token": "forged"}, headers=EN)
    assert r.status_code == 403


def test_missing_records_answer_a_page_in_the_users_language(staff):
    ops = staff("operator")
    r = ops.get("/admin/products/424242")
    assert r.status_code == 404 and "There is no such product." in r.text
    r = ops.get("/admin/orders/SO20990101000001", ZH)
    assert r.status_code == 404 and "没有这个订单。" in r.text


def test_every_back_office_page_weighs_under_300_kb_on_first_load(staff, container):
    """The page plus every stylesheet, script and image it references, uncompressed (what goes over
    the wire is gzipped and smaller still)."""
    build_chain(container)
    ops = staff("operator")
    for path in (*PAGES, "/admin?days=90"):
        r = ops.get(path)
        assets = set(re.findall(r'(?:href|src)="(/(?:static|media)/[^"]+)"', r.text))
        total = len(r.content) + sum(len(ops.get(a).content) for a in assets)
        assert total < 300 * 1024, (path, total)
