"""Customers sign in with a phone code (or a password), staff with a password; tokens refresh,
rotate and end; repeated failures lock the phone or login; cookie sessions need CSRF tokens."""

from __future__ import annotations

import re

from o2o import bootstrap

PHONE = "13912345678"


def _code(container, phone: str = PHONE) -> str:
    bootstrap.relay(container).run_once()
    for sms in container.sms.inbox:
        if sms.to == phone:
            return re.search(r"(\d{6})", sms.text).group(1)
    raise AssertionError("no code sent")


def _sign_in(client, container, phone: str = PHONE, **extra) -> dict:
    assert client.post("/api/v1/auth/otp", json={"phone": phone}).status_code == 202
    r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": _code(container, phone), **extra})
    assert r.status_code == 200, r.text
    return r.json()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_phone_code_signs_up_then_signs_in_the_same_customer(client, container):
    first = _sign_in(client, container, name="李雷")
    me = client.get("/api/v1/me", headers=bearer(first["access_token"])).json()
    assert me == {**me, "kind": "customer", "name": "李雷"}
    container.clock.advance(minutes=2)
    second = _sign_in(client, container)
    assert second["subject_id"] == first["subject_id"]
    # the code went out through the outbox, encrypted there, and reads well in both languages
    assert "验证码" in container.sms.inbox[0].text and "sign-in code" in container.sms.inbox[0].text


def test_code_is_single_use_and_expires(client, container):
    client.post("/api/v1/auth/otp", json={"phone": PHONE})
    code = _code(container)
    ok = client.post("/api/v1/auth/otp/verify", json={"phone": PHONE, "code": code})
    assert ok.status_code == 200
    again = client.post("/api/v1/auth/otp/verify", json={"phone": PHONE, "code": code})
    assert again.status_code == 401
    container.clock.advance(minutes=2)
    client.post("/api/v1/auth/otp", json={"phone": PHONE})
    code = _code(container)
    container.clock.advance(minutes=6)
    late = client.post("/api/v1/auth/otp/verify", json={"phone": PHONE, "code": code})
    assert late.status_code == 401


def test_sixth_attempt_is_refused_even_with_the_right_code_until_the_lock_expires(client, container):
    client.post("/api/v1/auth/otp", json={"phone": PHONE})
    code = _code(container)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(container.settings.max_failures):
        r = client.post("/api/v1/auth/otp/verify", json={"phone": PHONE, "code": wrong})
        assert r.status_code == 401, r.text
    r = client.post("/api/v1/auth/otp/verify", json={"phone": PHONE, "code": code})
    assert r.status_code == 429 and r.json()["type"].endswith("/locked")
    assert int(r.headers["Retry-After"]) > 60
    # no new code while locked either
    assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 429
    container.clock.advance(minutes=container.settings.lock_minutes, seconds=1)
    assert _sign_in(client, container)["access_token"]


def test_code_requests_are_rate_limited_per_phone(client, container):
    assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    r = client.post("/api/v1/auth/otp", json={"phone": PHONE})
    assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 60
    for _ in range(4):
        container.clock.advance(seconds=61)
        assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    container.clock.advance(seconds=61)
    assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 429  # 5 an hour
    assert client.post("/api/v1/auth/otp", json={"phone": "13700000001"}).status_code == 202


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(client, container):
    tokens = _sign_in(client, container)
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200
    new = r.json()
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(new["access_token"])).status_code == 200
    # the old refresh token again: theft suspected, the whole session ends
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(new["access_token"])).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": new["refresh_token"]}).status_code == 401


def test_access_tokens_expire(client, container):
    tokens = _sign_in(client, container)
    container.clock.advance(minutes=container.settings.access_token_minutes, seconds=1)
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert client.get("/api/v1/me", headers=bearer(r.json()["access_token"])).status_code == 200


def test_logout_ends_one_session_and_logout_all_ends_every_session(client, container):
    a = _sign_in(client, container)
    container.clock.advance(minutes=2)
    b = _sign_in(client, container)
    container.clock.advance(minutes=2)
    c = _sign_in(client, container)
    assert client.post("/api/v1/auth/logout", headers=bearer(a["access_token"])).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(a["access_token"])).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(b["access_token"])).status_code == 200
    r = client.post("/api/v1/auth/logout-all", headers=bearer(b["access_token"]))
    assert r.json() == {"sessions_ended": 2}
    for t in (b, c):
        assert client.get("/api/v1/me", headers=bearer(t["access_token"])).status_code == 401
        assert client.post("/api/v1/auth/refresh", json={"refresh_token": t["refresh_token"]}).status_code == 401


def test_customer_password_sign_in(client, container):
    tokens = _sign_in(client, container)
    weak = client.put("/api/v1/me/password", json={"password": "aaaaaaaaaaaa"}, headers=bearer(tokens["access_token"]))
    assert weak.status_code == 422
    r = client.put("/api/v1/me/password", json={"password": "milk-and-bread-42"},
                   headers=bearer(tokens["access_token"]))
    assert r.status_code == 204
    bad = client.post("/api/v1/auth/login", json={"phone": PHONE, "password": "wrong-password"})
    assert bad.status_code == 401
    ok = client.post("/api/v1/auth/login", json={"phone": PHONE, "password": "milk-and-bread-42"})
    assert ok.status_code == 200 and ok.json()["subject_id"] == tokens["subject_id"]
    # the hash is argon2id, never the password
    from o2o.iam.models import CustomerPassword

    with container.db.read() as s:
        stored = s.get(CustomerPassword, tokens["subject_id"]).password_hash
    assert stored.startswith("$argon2id$") and "milk-and-bread" not in stored


def test_staff_login_locks_after_repeated_failures(client, container, auth):
    auth.staff_user("operator", login="hq-ops", password="the-right-password")
    for _ in range(container.settings.max_failures):
        r = client.post("/api/v1/auth/staff/login", json={"login": "hq-ops", "password": "nope"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/staff/login", json={"login": "hq-ops", "password": "the-right-password"})
    assert r.status_code == 429
    container.clock.advance(minutes=container.settings.lock_minutes, seconds=1)
    r = client.post("/api/v1/auth/staff/login", json={"login": "hq-ops", "password": "the-right-password"})
    assert r.status_code == 200
    me = client.get("/api/v1/me", headers=bearer(r.json()["access_token"])).json()
    assert me["role"] == "operator" and "catalog:write" in me["actions"]


def test_unknown_login_and_wrong_password_look_the_same(client, auth):
    auth.staff_user("analyst", login="x-an")
    a = client.post("/api/v1/auth/staff/login", json={"login": "nobody", "password": "whatever-1"})
    b = client.post("/api/v1/auth/staff/login", json={"login": "x-an", "password": "whatever-1"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_cookie_session_needs_the_csrf_token_for_writes(client, container):
    client.post("/api/v1/auth/otp", json={"phone": PHONE})
    r = client.post("/api/v1/auth/otp/verify", json={"phone": PHONE, "code": _code(container), "cookie": True})
    assert r.status_code == 200 and "access_token" not in r.json()
    cookie = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookie if c.startswith("o2o_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert client.get("/api/v1/me").status_code == 200  # the cookie signs the browser in
    # a write without the token (what a forged cross-site form would send) is refused
    r = client.put("/api/v1/me/password", json={"password": "milk-and-bread-42"})
    assert r.status_code == 403 and r.json()["type"].endswith("/csrf")
    r = client.put("/api/v1/me/password", json={"password": "milk-and-bread-42"},
                   headers={"X-CSRF-Token": "forged.0000"})
    assert r.status_code == 403
    csrf = client.cookies.get("o2o_csrf")
    r = client.put("/api/v1/me/password", json={"password": "milk-and-bread-42"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204


def test_staff_page_sign_in_with_form_and_csrf(client, auth):
    auth.staff_user("platform_admin", login="root", password="the-right-password")
    r = client.get("/admin/audit", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    page = client.get("/login")
    csrf = client.cookies.get("o2o_csrf")
    assert f'value="{csrf}"' in page.text
    no_token = client.post("/login", data={"login": "root", "password": "the-right-password"},
                           follow_redirects=False)
    assert no_token.status_code == 403
    bad = client.post("/login", data={"login": "root", "password": "nope", "csrf_token": csrf})
    assert bad.status_code == 401 and ("错误" in bad.text or "Wrong" in bad.text)
    ok = client.post("/login", data={"login": "root", "password": "the-right-password", "csrf_token": csrf,
                                     "next": "https://evil.example/"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/staff"  # no open redirect
    assert client.get("/admin/audit").status_code == 200


def test_security_headers_on_every_response(client):
    for path in ("/api/v1/products", "/docs", "/login", "/api/v1/stock"):
        h = client.get(path).headers
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
        assert "script-src 'self'" in h["content-security-policy"]
        assert "unsafe-inline" not in h["content-security-policy"]


def test_cors_allows_only_listed_origins(container):
    from fastapi.testclient import TestClient

    from o2o.main import create_app

    container.settings.cors_origins = ["https://shop.example.com"]
    with TestClient(create_app(container)) as c:
        ok = c.options("/api/v1/products", headers={"Origin": "https://shop.example.com",
                                                    "Access-Control-Request-Method": "GET"})
        assert ok.headers.get("access-control-allow-origin") == "https://shop.example.com"
        bad = c.options("/api/v1/products", headers={"Origin": "https://evil.example",
                                                     "Access-Control-Request-Method": "GET"})
        assert "access-control-allow-origin" not in bad.headers


def test_dev_pages_are_gone_outside_dev(container):
    from fastapi.testclient import TestClient

    from o2o.main import create_app

    container.settings.env = "production"
    with TestClient(create_app(container)) as c:
        assert c.get("/dev/inbox").status_code == 404
        assert c.post("/api/v1/sandbox/payments/x/complete").status_code == 404


def test_any_older_refresh_token_ends_the_session(client, container):
    first = _sign_in(client, container)
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).json()
    third = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}).json()
    # the first generation comes back (someone kept a copy): the session ends for everyone
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(third["access_token"])).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": third["refresh_token"]}).status_code == 401


def test_password_change_and_erasure_need_a_recent_sign_in_and_end_other_sessions(client, container):
    old = _sign_in(client, container)
    container.clock.advance(minutes=20)
    r = client.put("/api/v1/me/password", json={"password": "milk-and-bread-42"}, headers=bearer(old["access_token"]))
    assert r.status_code == 403  # a 20-minute-old sign-in (a stolen token?) cannot change the password
    fresh = client.post("/api/v1/auth/refresh", json={"refresh_token": old["refresh_token"]}).json()
    r = client.put("/api/v1/me/password", json={"password": "milk-and-bread-42"}, headers=bearer(fresh["access_token"]))
    assert r.status_code == 403 and r.json()["type"].endswith("/reauthentication-required")  # refresh is not a sign-in
    assert client.post("/api/v1/me/erasure", headers=bearer(fresh["access_token"])).status_code == 403
    new = _sign_in(client, container)
    r = client.put("/api/v1/me/password", json={"password": "milk-and-bread-42"}, headers=bearer(new["access_token"]))
    assert r.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(fresh["access_token"])).status_code == 401  # others ended
    assert client.get("/api/v1/me", headers=bearer(new["access_token"])).status_code == 200


def test_a_bearer_token_is_not_accepted_as_the_session_cookie(client, container):
    tokens = _sign_in(client, container)
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 200  # now cached
    client.cookies.set("o2o_session", tokens["access_token"])
    assert client.get("/api/v1/me").status_code == 401


def test_a_sent_code_leaves_no_phone_in_the_outbox(client, container):
    from o2o.kernel.outbox import OutboxEvent

    client.post("/api/v1/auth/otp", json={"phone": PHONE})
    _code(container)  # delivered by the relay
    with container.db.read() as s:
        event = s.query(OutboxEvent).filter_by(topic="iam.code_requested").one()
    assert event.published_at is not None and event.payload == {"redacted": True}


def test_staff_land_where_their_role_works(client, auth):
    for role, store, where in (("clerk", True, "/console/"), ("operator", False, "/admin"),
                               ("supplier", False, "/api/v1/supplier/products")):
        from o2o.catalog import service as catalog
        from o2o.catalog.schemas import SupplierIn

        kw = {}
        if store:
            from tests.factories.chain import XUJIAHUI
            from tests.factories.chain import store as make_store

            kw["store_id"] = make_store(auth.c, f"L{role}", XUJIAHUI)
        if role == "supplier":
            kw["supplier_id"] = catalog.create_supplier(auth.c.uow(), SupplierIn(code="SUP-L", name="S")).id
        r = client.get("/staff", headers=auth.staff(role, **kw), follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith(where), role
