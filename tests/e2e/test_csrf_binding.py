"""The CSRF token is bound to the session cookie it was issued with: another user's valid
`o2o_csrf` value (cookie and header alike) is worth nothing with my session cookie."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from o2o import bootstrap
from tests.factories.auth import PASSWORD
from tests.factories.chain import build_chain, receive


def _cookie_sign_in(client, container, phone: str) -> str:
    """Sign in with a phone code as a browser does (session cookie); the CSRF value it was given."""
    assert client.post("/api/v1/auth/otp", json={"phone": phone}).status_code == 202
    bootstrap.relay(container).run_once()
    code = next(re.search(r"(\d{6})", m.text).group(1) for m in reversed(container.sms.inbox) if m.to == phone)
    r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code, "cookie": True})
    assert r.status_code == 200, r.text
    return client.cookies["o2o_csrf"]


def _order(client, chain, csrf: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/orders", headers={"X-CSRF-Token": csrf}, json={
        "mode": "pickup", "location_id": chain.stores["xujiahui"], "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}]})


def test_another_users_csrf_pair_is_refused_with_my_session_cookie(client, container):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 10)
    a_csrf = _cookie_sign_in(client, container, "13911110001")
    with TestClient(client.app) as b:
        b_csrf = _cookie_sign_in(b, container, "13911110002")
    assert a_csrf != b_csrf
    # A's session cookie with B's valid pair (cookie and header): refused, nothing placed
    client.cookies.set("o2o_csrf", b_csrf)
    r = _order(client, chain, b_csrf)
    assert r.status_code == 403 and r.json()["type"].endswith("/csrf"), r.text
    assert client.get("/api/v1/orders").json() == []
    # an anonymous page's token (as a sign-in form carries) is no good with a session cookie either
    with TestClient(client.app) as anonymous:
        anon = anonymous.get("/login").cookies["o2o_csrf"]
    client.cookies.set("o2o_csrf", anon)
    assert _order(client, chain, anon).status_code == 403
    assert client.get("/api/v1/orders").json() == []
    # A's own pair works
    client.cookies.set("o2o_csrf", a_csrf)
    assert _order(client, chain, a_csrf).status_code == 201
    assert len(client.get("/api/v1/orders").json()) == 1


def test_forms_work_across_sign_in_sign_out_and_sign_in_again(client, auth):
    auth.staff_user("operator", login="csrf-ops")
    client.get("/login")
    before = client.cookies["o2o_csrf"]
    r = client.post("/login", data={"login": "csrf-ops", "password": PASSWORD, "csrf_token": before},
                    follow_redirects=False)
    assert r.status_code == 303
    after = client.cookies["o2o_csrf"]
    assert after != before  # renewed at sign-in, bound to the new session
    page = client.get("/admin")
    assert page.status_code == 200 and f'content="{after}"' in page.text
    # signing out with the session's token; the sign-in form afterwards carries a token that works
    assert client.post("/logout", data={"csrf_token": after}, follow_redirects=False).status_code == 303
    form = client.get("/login")
    fresh = client.cookies["o2o_csrf"]
    assert f'value="{fresh}"' in form.text
    r = client.post("/login", data={"login": "csrf-ops", "password": PASSWORD, "csrf_token": fresh},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    assert client.get("/admin").status_code == 200
