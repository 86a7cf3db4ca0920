"""Integration API keys (scoped, hashed, shown once, rotatable, rate-limited) and staff management
(invite, accept, disable, reset) with store scope; a customer's export and erasure."""

from __future__ import annotations

from o2o.iam.models import ApiKey
from tests.factories.chain import build_chain, receive


def test_api_key_is_shown_once_stored_hashed_and_limited_to_its_scopes(client, container, auth):
    admin = auth.staff("platform_admin")
    r = client.post("/api/v1/api-keys", headers=admin, json={"name": "ERP", "scopes": ["catalog:write"]})
    assert r.status_code == 201, r.text
    secret = r.json()["secret"]
    assert secret.startswith("o2o_")
    listed = client.get("/api/v1/api-keys", headers=admin).text
    assert secret not in listed and secret.split("_", 2)[2] not in listed
    with container.db.read() as s:
        stored = s.query(ApiKey).one()
    assert secret.split("_", 2)[2] not in stored.secret_hash
    key = {"X-API-Key": secret}
    assert client.post("/api/v1/suppliers", headers=key, json={"code": "ERP-1", "name": "ERP supplier"}).status_code == 201
    assert client.get("/api/v1/stock", headers=key).status_code == 403  # not in its scopes
    assert client.get("/api/v1/stock", headers={"X-API-Key": secret[:-2] + "xx"}).status_code == 401


def test_keys_cannot_get_management_scopes(client, auth):
    admin = auth.staff("platform_admin")
    for scope in ("apikeys:manage", "staff:manage", "audit:read", "made:up"):
        r = client.post("/api/v1/api-keys", headers=admin, json={"name": "x", "scopes": [scope]})
        assert r.status_code == 422, scope


def test_rotation_with_grace_then_revocation(client, container, auth):
    admin = auth.staff("platform_admin")
    first = client.post("/api/v1/api-keys", headers=admin, json={"name": "WMS", "scopes": ["inventory:read"]}).json()
    old = {"Authorization": f"Bearer {first['secret']}"}
    r = client.post(f"/api/v1/api-keys/{first['key']['id']}/rotate", headers=admin, json={"grace_minutes": 10})
    new = {"Authorization": f"Bearer {r.json()['secret']}"}
    assert client.get("/api/v1/stock", headers=old).status_code == 200  # still inside the grace period
    assert client.get("/api/v1/stock", headers=new).status_code == 200
    container.clock.advance(minutes=11)
    assert client.get("/api/v1/stock", headers=old).status_code == 401
    assert client.post(f"/api/v1/api-keys/{first['key']['id']}/rotate", headers=admin).status_code == 404
    assert client.delete(f"/api/v1/api-keys/{r.json()['key']['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/stock", headers=new).status_code == 401


def test_per_key_rate_limit(client, auth):
    key = auth.key(["inventory:read"], rate_per_minute=3)
    codes = [client.get("/api/v1/stock", headers=key).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    r = client.get("/api/v1/stock", headers=key)
    assert 0 < int(r.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/stock", headers=auth.key(["inventory:read"])).status_code == 200  # its own window


def test_store_bound_key_acts_only_for_its_store(client, container, auth):
    chain = build_chain(container)
    a, b, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    pos = auth.key(["inventory:write", "inventory:read"], store_id=a)
    move = {"sku_id": milk, "kind": "receipt", "quantity": 5, "reason": "delivery"}
    assert client.post("/api/v1/stock/movements", headers=pos, json={**move, "location_id": a}).status_code == 201
    assert client.post("/api/v1/stock/movements", headers=pos, json={**move, "location_id": b}).status_code == 404


def test_store_manager_invites_a_clerk_of_their_store_only(client, container, auth):
    chain = build_chain(container)
    a, b = chain.stores["xujiahui"], chain.stores["jingan"]
    manager = auth.staff("store_manager", store_id=a)
    r = client.post("/api/v1/staff", headers=manager,
                    json={"login": "clerk.xjh", "name": "小王", "role": "clerk", "store_id": a})
    assert r.status_code == 201, r.text
    invite = r.json()
    assert invite["user"]["invited"] and not invite["user"]["active"]
    for body in ({"login": "clerk2", "name": "x", "role": "clerk", "store_id": b},
                 {"login": "manager2", "name": "x", "role": "store_manager", "store_id": a},
                 {"login": "operator2", "name": "x", "role": "operator"}):
        assert client.post("/api/v1/staff", headers=manager, json=body).status_code == 403, body
    # the clerk sets a password with the one-time token and signs in
    r = client.post("/api/v1/auth/invite/accept", json={"token": invite["invite_token"], "password": "pick-pack-go-1"})
    assert r.status_code == 200 and r.json()["active"]
    assert client.post("/api/v1/auth/invite/accept",
                       json={"token": invite["invite_token"], "password": "pick-pack-go-1"}).status_code == 404
    login = client.post("/api/v1/auth/staff/login", json={"login": "clerk.xjh", "password": "pick-pack-go-1"})
    clerk = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert client.get("/api/v1/me", headers=clerk).json()["store_id"] == a
    # disabling ends their sessions at once; a reset issues a new invitation
    user_id = invite["user"]["id"]
    assert client.post(f"/api/v1/staff/{user_id}/disable", headers=manager).json()["active"] is False
    assert client.get("/api/v1/me", headers=clerk).status_code == 401
    assert client.post("/api/v1/auth/staff/login",
                       json={"login": "clerk.xjh", "password": "pick-pack-go-1"}).status_code == 401
    client.post(f"/api/v1/staff/{user_id}/enable", headers=manager)
    reset = client.post(f"/api/v1/staff/{user_id}/reset", headers=manager).json()
    assert client.post("/api/v1/auth/staff/login",
                       json={"login": "clerk.xjh", "password": "pick-pack-go-1"}).status_code == 401
    assert client.post("/api/v1/auth/invite/accept",
                       json={"token": reset["invite_token"], "password": "new-pass-word-2"}).status_code == 200
    # another store's manager cannot touch this clerk; the list shows only one's own store
    other = auth.staff("store_manager", store_id=b)
    assert client.post(f"/api/v1/staff/{user_id}/disable", headers=other).status_code == 404
    assert all(u["store_id"] == b for u in client.get("/api/v1/staff", headers=other).json()["items"])


def test_staff_writes_and_unmasked_reads_are_audited(client, container, auth):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    clerk = auth.staff("clerk", store_id=store)
    r = client.post("/api/v1/stock/movements", headers=clerk, json={
        "location_id": store, "sku_id": milk, "kind": "receipt", "quantity": 6, "reason": "delivery"})
    assert r.status_code == 201, r.text
    masked = client.get(f"/api/v1/customers/{chain.customer}", headers=clerk).json()
    assert masked["phone"] == "138****8000" and masked["name"] == "张*"
    op = auth.staff("operator")
    full = client.get(f"/api/v1/customers/{chain.customer}", headers=op).json()
    assert full["phone"] == "13800138000"
    log = client.get("/api/v1/audit", headers=auth.staff("platform_admin")).json()["items"]
    actions = [(e["role"], e["action"], e["target"]) for e in log]
    assert ("clerk", "POST /api/v1/stock/movements", f"location={store},sku={milk}") in actions
    assert ("operator", "pii.read", f"customer={chain.customer}") in actions
    assert not any(e["role"] == "clerk" and e["action"] == "pii.read" for e in log)  # masked reads are not
    clerk_entry = next(e for e in log if e["role"] == "clerk")
    assert clerk_entry["store_id"] == store and clerk_entry["ip"] == "testclient"
    assert clerk_entry["detail"] == {"kind": "receipt", "quantity": 6}


def test_sign_ins_sign_outs_password_setting_and_created_records_are_audited(client, container, auth):
    admin = auth.staff("platform_admin")
    r = client.post("/api/v1/staff", headers=admin, json={"login": "new.ops", "name": "新运营", "role": "analyst"})
    user_id = r.json()["user"]["id"]
    client.post("/api/v1/auth/invite/accept", json={"token": r.json()["invite_token"], "password": "count-the-eggs-7"})
    client.post("/api/v1/auth/staff/login", json={"login": "new.ops", "password": "wrong-one"})
    ok = client.post("/api/v1/auth/staff/login", json={"login": "new.ops", "password": "count-the-eggs-7"}).json()
    client.post("/api/v1/auth/logout-all", headers={"Authorization": f"Bearer {ok['access_token']}"})
    key = client.post("/api/v1/api-keys", headers=admin, json={"name": "WMS", "scopes": ["inventory:read"]}).json()
    log = client.get("/api/v1/audit", headers=admin, params={"size": 100}).json()["items"]
    seen = {(e["actor_kind"], e["action"], e["target"]) for e in log}
    assert ("staff", "POST /api/v1/staff", f"staff={user_id}") in seen
    assert ("staff", "staff.password_set", f"staff={user_id}") in seen
    assert ("system", "staff.sign_in_failed", "login=new.ops") in seen
    assert any(a == "staff.sign_in" and k == "staff" for k, a, _ in seen)
    assert any(a == "staff.sign_out_everywhere" for _, a, _ in seen)
    created = next(e for e in log if e["target"] == f"api_key={key['key']['id']}")
    assert created["detail"]["scopes"] == ["inventory:read"]
    assert audit_verify_ok(container)


def audit_verify_ok(container) -> bool:
    from o2o.audit import service as audit

    return audit.verify(container.db).ok


def test_customer_exports_and_erases_their_data(client, container, auth):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 10)
    me = auth.customer(chain.customer)
    r = client.post("/api/v1/orders", headers=me, json={"mode": "pickup", "location_id": store,
                                                         "lines": [{"sku_id": milk, "quantity": 2}]})
    number = r.json()["number"]
    export = client.get("/api/v1/me/export", headers=me)
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    assert export.json()["customer"]["phone"] == "13800138000"
    assert [o["number"] for o in export.json()["orders"]] == [number]

    assert client.post("/api/v1/me/erasure", headers=me).json() == {"erased": True}
    assert client.get("/api/v1/me", headers=me).status_code == 401  # signed out everywhere
    op = auth.staff("operator")
    after = client.get(f"/api/v1/customers/{chain.customer}", headers=op).json()
    assert after["phone"] is None and after["name"].startswith("已注销用户")
    order = client.get(f"/api/v1/orders/{number}", headers=op).json()
    assert order["total_fen"] == 2 * 1290 and order["customer_id"] == chain.customer  # history intact
    assert client.get("/api/v1/stock/check", headers=op).json()["ok"] is True


def test_two_keys_with_one_name_never_share_an_idempotency_key(client, container, auth):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 10)
    admin = auth.staff("platform_admin")
    long_name = "POS terminal " + "x" * 67  # 80 characters, the longest a name may be
    keys = [client.post("/api/v1/api-keys", headers=admin, json={"name": long_name, "scopes": ["orders:write"],
                                                                  "store_id": store}).json()["secret"]
            for _ in range(2)]
    body = {"customer_id": chain.customer, "mode": "pickup", "location_id": store, "channel": "pos",
            "lines": [{"sku_id": milk, "quantity": 1}]}
    numbers = []
    for k in keys:
        r = client.post("/api/v1/orders", headers={"X-API-Key": k, "Idempotency-Key": "till-7-sale-1"}, json=body)
        assert r.status_code == 201, r.text
        numbers.append(r.json()["number"])
    assert numbers[0] != numbers[1]  # two tills, two sales


def test_operators_cannot_reset_or_disable_each_other(client, auth):
    alice = auth.staff("operator")
    bob = auth.staff_user("operator")
    assert client.post(f"/api/v1/staff/{bob}/reset", headers=alice).status_code == 403
    assert client.post(f"/api/v1/staff/{bob}/disable", headers=alice).status_code == 403
    assert client.post(f"/api/v1/staff/{bob}/reset", headers=auth.staff("platform_admin")).status_code == 200


def test_store_staff_sell_only_for_pickup_at_their_own_store(client, container, auth):
    chain = build_chain(container)
    a, b, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(container, b, milk, 10)
    manager = auth.staff("store_manager", store_id=a)
    for body in ({"mode": "auto", "location_id": a, "address": {"line": "静安寺", "lat": 31.2235, "lng": 121.4452}},
                 {"mode": "parcel", "location_id": a, "address": {"line": "静安寺", "lat": 31.2235, "lng": 121.4452}},
                 {"mode": "pickup", "location_id": b}):
        r = client.post("/api/v1/orders", headers=manager, json={**body, "customer_id": chain.customer,
                                                                  "lines": [{"sku_id": milk, "quantity": 1}]})
        assert r.status_code == 422, (body, r.text)
    assert client.get("/api/v1/stock", headers=auth.staff("operator"),
                      params={"location_id": b, "sku_id": milk}).json()["items"][0]["reserved"] == 0
