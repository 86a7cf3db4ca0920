"""The access matrix, generated from the permission table and the app's own route list.

Every route x every caller (anonymous, a customer, each staff role, an integration key) must
answer as `permissions.decide` says: 401 or 403 when refused, anything else when allowed (the
ids used do not exist, so allowed calls end in 404/422/409, never in 401/403). A route missing
from the table fails the first test; a table entry with no route fails it too.
"""

from __future__ import annotations

import re

import pytest

from o2o.iam.permissions import ROLES, ROUTES, STORE_ROLES, decide
from o2o.main import create_app, route_list
from tests.factories.chain import build_chain

MISSING_ID = "999999"
# the problem types the guard answers with (a bad payment signature is a 401 of another kind)
GUARD_REFUSALS = {"sign-in-required", "forbidden"}
KEY_SCOPES = ["orders:read", "inventory:write", "fulfillment:ship"]


def test_every_route_is_in_the_permission_table_and_every_entry_is_a_route(container):
    routes = set(route_list(create_app(container)))
    assert len(routes) > 50
    missing = sorted(routes - set(ROUTES))
    assert missing == [], f"routes with no entry in iam.permissions.ROUTES: {missing}"
    stale = sorted(set(ROUTES) - routes)
    assert stale == [], f"permission table entries with no route: {stale}"


def _url(path: str) -> str:
    return re.sub(r"\{number\}", f"SO{MISSING_ID}", re.sub(r"\{(?!number)[a-z_]+\}", MISSING_ID, path))


def _callers(auth, chain) -> list[tuple[str, str | None, frozenset[str], object]]:
    """(label, kind, actions, make_headers) for everyone the matrix asks for."""
    store = chain.stores["xujiahui"]
    from o2o.catalog import service as catalog
    from o2o.catalog.schemas import SupplierIn

    supplier = catalog.create_supplier(auth.c.uow(), SupplierIn(code="SUP-M", name="Matrix supplier")).id
    out: list[tuple[str, str | None, frozenset[str], object]] = [
        ("anonymous", None, frozenset(), lambda: {}),
        ("customer", "customer", frozenset(), lambda: auth.customer(chain.customer)),
    ]
    for role in ROLES:
        user = auth.staff_user(role, store_id=store if role in STORE_ROLES else None,
                               supplier_id=supplier if role == "supplier" else None)
        out.append((role, "staff", ROLES[role], lambda user=user: auth.session("staff", user)))
    key = auth.key(KEY_SCOPES)
    out.append(("api_key", "api_key", frozenset(KEY_SCOPES), lambda: key))
    return out


def test_every_route_answers_every_caller_as_the_permission_table_says(client, container, auth):
    chain = build_chain(container)
    csrf = client.get("/login").cookies.get("o2o_csrf")
    failures = []
    for label, kind, actions, headers_of in _callers(auth, chain):
        for method, path in sorted(ROUTES):
            expected = decide(ROUTES[(method, path)], kind, actions)
            headers = {**headers_of(), "X-CSRF-Token": csrf}
            body = {} if method in ("POST", "PUT") else None
            r = client.request(method, _url(path), headers=headers, json=body, follow_redirects=False)
            status = r.status_code
            if method == "GET" and status == 303 and r.headers.get("location", "").startswith(
                    ("/login", "/shop/signin")):
                status = 401  # a page sends an anonymous browser to sign in (shoppers on the storefront)
            doc = r.json() if r.content and r.headers.get("content-type", "").endswith("json") else None
            problem = doc.get("type", "").rsplit("/", 1)[-1] if isinstance(doc, dict) else ""
            refused = status == 401 if problem == "" else problem in GUARD_REFUSALS
            ok = (refused and status == expected) if expected in (401, 403) else not refused
            if not ok:
                failures.append(f"{label:15} {method:6} {path}: expected {expected}, got {r.status_code} {r.text[:120]}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_holds_only_known_actions(role):
    from o2o.iam.permissions import ACTIONS

    assert ROLES[role] <= set(ACTIONS)
