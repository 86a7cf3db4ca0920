# ruff: noqa: F811 (the shared fixtures are imported from test_backoffice_access)
"""User and role management in the back-office, following iam.admin's rules: an operator invites
and manages store staff, suppliers and analysts but never operators or platform admins; an
invitation's one-time token is shown once, on the answer to the form, and works."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_backoffice_access import EN, ZH, app, inline_free, staff  # noqa: F401 (fixtures)
from tests.factories.chain import build_chain

TOKEN = re.compile(r'<code class="token" id="invite-token">([^<]+)</code>')


def error_of(html: str, name: str) -> str:
    m = re.search(rf'<small id="e-f-{name}" class="error-text">([^<]*)</small>', html)
    return m.group(1) if m else ""


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    return build_chain(container)


def test_users_page_lists_roles_and_stores(staff, chain):
    staff("clerk", store_id=chain.stores["jingan"], login="ja-clerk")
    ops = staff("operator", login="ops-1")
    html = ops.get("/admin/users").text
    assert inline_free(html)
    assert re.search(r"<code>ja-clerk</code>.*?Clerk.*?JA Store", html, re.S)
    assert "You may manage: Store manager, Clerk, Supplier, Analyst." in html
    assert '<option value="operator">' not in html and '<option value="platform_admin">' not in html
    assert re.search(r"<code>ops-1</code> <span class=\"badge\">you</span>", html)
    analyst = staff("analyst").get("/admin/users")
    assert analyst.status_code == 403  # staff:read is not an analyst's


def test_operator_invites_a_clerk_whose_token_sets_a_password(staff, chain, client):
    ops = staff("operator")
    store = chain.stores["xujiahui"]
    r = ops.post("/admin/users", {"login": "Li.Na", "name": "李娜", "role": "clerk", "store_id": str(store)})
    assert r.status_code == 201
    html = r.text
    assert "Invitation for li.na" in html and 'data-copy="invite-token"' in html
    token = TOKEN.search(html).group(1)
    assert token not in ops.get("/admin/users").text  # shown once
    r = client.post("/api/v1/auth/invite/accept", json={"token": token, "password": "a fresh password 1"})
    assert r.status_code == 200 and r.json()["store_id"] == store
    r = client.post("/api/v1/auth/staff/login", json={"login": "li.na", "password": "a fresh password 1"})
    assert r.status_code == 200


def test_invite_errors_are_next_to_their_fields(staff, chain):
    ops = staff("operator")
    r = ops.post("/admin/users", {"login": "x", "name": "", "role": "clerk", "store_id": ""})
    assert r.status_code == 422
    assert error_of(r.text, "login") == "Lower-case letters, digits, dot, dash or underscore (3 to 60)."
    assert error_of(r.text, "name") == "Required."
    r = ops.post("/admin/users", {"login": "clerk-x", "name": "X", "role": "clerk", "store_id": ""}, lang=ZH)
    assert r.status_code == 422 and error_of(r.text, "store_id") == "请从选项中选择。"  # a clerk needs a store
    r = ops.post("/admin/users", {"login": "ana-x", "name": "X", "role": "analyst",
                                  "store_id": str(chain.stores["jingan"])})
    assert r.status_code == 422 and error_of(r.text, "store_id") == "Choose one of the options."
    r = ops.post("/admin/users", {"login": "op-x", "name": "X", "role": "operator"})
    assert r.status_code == 403 and error_of(r.text, "role") == "Your role cannot invite this role."
    ops.post("/admin/users", {"login": "taken", "name": "X", "role": "analyst"})
    r = ops.post("/admin/users", {"login": "taken", "name": "Y", "role": "analyst"}, lang=ZH)
    assert r.status_code == 409 and error_of(r.text, "login") == "已被占用。"


def test_disable_enable_and_reset_follow_the_rules(staff, chain, client):
    ops = staff("operator", login="ops-a")
    clerk = staff("clerk", store_id=chain.stores["xujiahui"], login="clerk-a")
    peer = staff("operator", login="ops-b")
    admin = staff("platform_admin", login="root-a")

    r = ops.post(f"/admin/users/{clerk.user_id}/disable")
    assert r.status_code == 303 and r.headers["location"] == "/admin/users?done=disabled&who=clerk-a"
    assert "clerk-a is disabled; their sessions have ended." in ops.get(r.headers["location"]).text
    assert clerk.client.get("/staff").status_code == 303 and "/login" in clerk.client.get("/staff").headers["location"]
    html = ops.get("/admin/users").text
    assert re.search(r"<code>clerk-a</code>.*?users\.state|<code>clerk-a</code>.*?disabled", html, re.S)
    assert f'action="/admin/users/{clerk.user_id}/enable"' in html
    assert ops.post(f"/admin/users/{clerk.user_id}/enable").headers["location"].endswith("done=enabled&who=clerk-a")

    r = ops.post(f"/admin/users/{clerk.user_id}/reset")
    assert r.status_code == 200 and TOKEN.search(r.text)
    assert client.post("/api/v1/auth/staff/login", json={"login": "clerk-a", "password": "correct horse battery staple"}
                       ).status_code == 401  # the old password stopped working

    html = ops.get("/admin/users").text  # no buttons for peers, admins, or oneself
    for other in (peer, admin, ops):
        assert f'action="/admin/users/{other.user_id}/' not in html
    r = ops.post(f"/admin/users/{peer.user_id}/disable")
    assert r.status_code == 403 and "Your role cannot manage this user." in r.text
    r = ops.post(f"/admin/users/{admin.user_id}/reset", lang=ZH)
    assert r.status_code == 403 and "您的角色不能管理该用户。" in r.text
    r = admin.post(f"/admin/users/{admin.user_id}/disable")
    assert r.status_code == 409 and "You cannot change your own account here." in r.text
    assert admin.post(f"/admin/users/{peer.user_id}/disable").status_code == 303  # an admin manages operators
    assert ops.post("/admin/users/424242/enable").status_code == 404
