"""Ids beyond 64 bits are refused at the edge, never a 500 (OverflowError on SQLite, "bigint out of
range" on PostgreSQL): a path that holds one names nothing (404); a body or query field is a 422
naming the field. Walks the app's own routes and its OpenAPI document, signed in as a platform admin."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from o2o.iam.permissions import ROLES, ROUTES, decide
from o2o.kernel.ids import MAX_ID
from o2o.main import ROUTERS
from tests.factories.chain import build_chain
from tests.factories.pos import add_till

HUGE = "9" * 20  # > 2^64
PARAM = re.compile(r"\{([a-z_]+)\}")


def _id_routes() -> list[tuple[str, str]]:
    """(method, path) of every API route and page with an `{..._id}` or `{..._no}` path parameter."""
    routes = {(m, r.path) for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)
              for m in r.methods - {"HEAD"}}
    return sorted((m, p) for m, p in routes if any(n.endswith(("_id", "_no")) for n in PARAM.findall(p)))


ID_ROUTES = _id_routes()


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    chain = build_chain(container)
    chain.till_key = add_till(container, chain.stores["xujiahui"], "T01")[1]  # type: ignore[attr-defined]
    return chain


@pytest.fixture
def csrf(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"X-CSRF-Token": client.get("/login").cookies.get("o2o_csrf")}


@pytest.fixture
def admin(auth, chain, csrf):  # type: ignore[no-untyped-def]
    return {**auth.staff("platform_admin"), **csrf}


def _caller(auth, chain, csrf, method: str, path: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A platform admin, or the chain's customer where only a customer may call (their own QR code)."""
    admin_may = decide(ROUTES[(method, path)], "staff", ROLES["platform_admin"]) not in (401, 403)
    till = {"X-Api-Key": chain.till_key} if path.startswith("/api/v1/pos/") else {}  # the till API's 2nd credential
    return {**(auth.staff("platform_admin") if admin_may else auth.customer(chain.customer)), **csrf, **till}


def _problem(r: Any, status: int) -> dict:
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers["content-type"]
    return r.json()


def test_the_walk_finds_the_routes_named_in_the_issue():
    assert ("GET", "/api/v1/products/{product_id}") in ID_ROUTES
    assert ("GET", "/api/v1/locations/{location_id}") in ID_ROUTES
    assert ("POST", "/api/v1/fulfillments/{fulfillment_id}/ship") in ID_ROUTES
    assert ("POST", "/console/{location_id}/transfers/{request_id}/send") in ID_ROUTES
    assert len(ID_ROUTES) > 40


@pytest.mark.parametrize("method,path", ID_ROUTES, ids=[f"{m} {p}" for m, p in ID_ROUTES])
def test_a_path_id_beyond_64_bits_is_not_found(client, auth, chain, csrf, method, path):
    url = PARAM.sub(lambda m: "SO" + HUGE if m.group(1) == "number" else HUGE, path)
    body = {} if method in ("POST", "PUT") else None
    r = client.request(method, url, headers=_caller(auth, chain, csrf, method, path), json=body, follow_redirects=False)
    assert r.status_code < 500, r.text[:300]
    _problem(r, 404)


def _id_fields(schema: dict, components: dict, prefix: str = "") -> list[str]:
    """Dotted paths of the integer id properties of a request body schema (lines[0].sku_id)."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return _id_fields(option, components, prefix)
    out = []
    for name, prop in schema.get("properties", {}).items():
        options = [prop, *prop.get("anyOf", [])]
        if name.endswith("_id") and any(o.get("type") == "integer" for o in options):
            out.append(prefix + name)
        for o in options:
            if o.get("type") == "array" and "$ref" in o.get("items", {}):
                out += _id_fields(o["items"], components, f"{prefix}{name}[0].")
            elif "$ref" in o:
                out += _id_fields(o, components, f"{prefix}{name}.")
    return out


def _with(path: str, value: Any) -> dict:
    """{"lines": [{"sku_id": value}]} from "lines[0].sku_id"."""
    head, _, rest = path.partition(".")
    if head.endswith("[0]"):
        return {head[:-3]: [_with(rest, value)]}
    return {head: _with(rest, value)} if rest else {head: value}


def _body_and_query_ids(app: Any) -> list[tuple[str, str, str, str]]:
    """(method, path, "query" | "body", field) for every id field of the API's queries and bodies."""
    doc = app.openapi()
    components = doc.get("components", {}).get("schemas", {})
    out = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                options = [param["schema"], *param["schema"].get("anyOf", [])]
                if param["in"] == "query" and param["name"].endswith("_id") and any(
                        o.get("type") == "integer" for o in options):
                    out.append((method.upper(), path, "query", param["name"]))
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                out += [(method.upper(), path, "body", f) for f in _id_fields(body["schema"], components)]
    return out


def test_every_id_in_the_api_schema_is_bounded_to_64_bits(client):
    doc = client.get("/openapi.json").json()
    unbounded = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                options = [param["schema"], *param["schema"].get("anyOf", [])]
                for o in options:
                    if o.get("type") == "integer" and param["name"].endswith("_id") and o.get("maximum") != MAX_ID:
                        unbounded.append(f"{method.upper()} {path} {param['name']}")
    for name, schema in doc["components"]["schemas"].items():
        if not name.endswith(("In", "In-Input")):
            continue
        for prop_name, prop in schema.get("properties", {}).items():
            for o in [prop, *prop.get("anyOf", [])]:
                if o.get("type") == "integer" and o.get("maximum") is None:
                    unbounded.append(f"{name}.{prop_name}")
                if o.get("type") == "integer" and prop_name.endswith("_id") and o.get("maximum") != MAX_ID:
                    unbounded.append(f"{name}.{prop_name} (max {o.get('maximum')!r})")
    assert unbounded == []


def test_every_body_and_query_id_beyond_64_bits_is_a_422_naming_the_field(client, auth, chain, csrf):
    cases = _body_and_query_ids(client.app)
    assert {("GET", "/api/v1/products", "query", "category_id"), ("POST", "/api/v1/products", "body", "category_id"),
            ("POST", "/api/v1/orders", "body", "customer_id"), ("POST", "/api/v1/orders", "body", "lines[0].sku_id"),
            ("GET", "/api/v1/orders", "query", "customer_id")} <= set(cases)
    failures = []
    for method, path, where, field in cases:
        url = PARAM.sub("1", path)
        caller = _caller(auth, chain, csrf, method, path)  # a customer where only a customer may call
        if where == "query":
            r = client.request(method, url, params={field: HUGE}, headers=caller)
        else:
            r = client.request(method, url, json=_with(field, int(HUGE)), headers=caller)
        named = [e["field"] for e in r.json().get("errors", [])] if r.status_code == 422 else []
        if r.status_code != 422 or field not in named:
            failures.append(f"{method} {path} {where} {field}: {r.status_code} {r.text[:200]}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("path,form,status", [
    ("/admin/products", {"category_id": HUGE, "name_zh": "奶", "name_en": "Milk", "sku_code": "M1",
                         "sku_barcode": "69012345", "sku_price": "1.00"}, 422),
    ("/admin/users", {"login": "huge-store", "name": "Huge", "role": "clerk", "store_id": HUGE}, 422),
])
def test_a_huge_id_in_a_back_office_form_is_a_form_error(client, admin, path, form, status):
    r = client.post(path, data={**form, "csrf_token": admin["X-CSRF-Token"]}, headers=admin, follow_redirects=False)
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", [f"/admin/products?category={HUGE}", f"/admin/stock?location={HUGE}",
                                  f"/admin/orders?store={HUGE}", f"/shop/products?category={HUGE}",
                                  f"/api/v1/audit?store_id={HUGE}"])
def test_a_huge_id_in_a_page_query_is_no_server_error(client, admin, path):
    r = client.get(path, headers=admin, follow_redirects=False)
    assert r.status_code in (200, 422), r.text[:300]


def test_the_largest_id_in_a_body_or_query_is_no_server_error(client, admin):
    """2^63-1 passes the edge: every column it is compared with must take it (PostgreSQL's integer
    columns are 32 bits)."""
    failures = []
    for method, path, where, field in _body_and_query_ids(client.app):
        url = PARAM.sub(str(MAX_ID), path)
        if where == "query":
            r = client.request(method, url, params={field: MAX_ID}, headers=admin)
        else:
            r = client.request(method, url, json=_with(field, MAX_ID), headers=admin)
        if r.status_code >= 500:
            failures.append(f"{method} {path} {where} {field}: {r.status_code} {r.text[:200]}")
    assert failures == [], "\n".join(failures)
