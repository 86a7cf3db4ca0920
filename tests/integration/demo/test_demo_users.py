"""`o2o demo` creates one user per role (idempotently) and they sign in with their scopes."""

from __future__ import annotations

from o2o.demo.generator import DemoSize, generate
from o2o.demo.users import DEMO_PASSWORD, demo_customer_phone, ensure_demo_users
from o2o.iam.permissions import ROLES

SIZE = DemoSize(stores=3, warehouses=1, skus=30, customers=20, days=2)


def test_one_demo_user_per_role_signs_in_with_its_scope(container, client):
    generate(container.db, SIZE, seed=7)
    logins = ensure_demo_users(container)
    assert {x.role for x in logins} == set(ROLES)
    assert ensure_demo_users(container) == logins  # a second start changes nothing
    for x in logins:
        r = client.post("/api/v1/auth/staff/login", json={"login": x.login, "password": DEMO_PASSWORD})
        assert r.status_code == 200, (x, r.text)
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()
        assert me["role"] == x.role
        assert (me["store_id"] is not None) == (x.role in ("store_manager", "clerk"))
        assert (me["supplier_id"] is not None) == (x.role == "supplier")
        if x.role == "supplier":
            products = client.get("/api/v1/supplier/products",
                                  headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()
            assert products["total"] > 0
    assert demo_customer_phone(container).startswith("1")
