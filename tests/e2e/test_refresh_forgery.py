"""A refresh token names its session (ids are sequential), so a made-up token for that session must
change nothing; only a token the server really issued for the session, presented again after it was
superseded, ends the session."""

from __future__ import annotations

import re

import pytest

from o2o import bootstrap
from tests.factories.auth import PASSWORD

PHONE = "13912345670"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _customer_tokens(client, container) -> dict:
    assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    bootstrap.relay(container).run_once()
    code = next(re.search(r"(\d{6})", m.text).group(1) for m in container.sms.inbox if m.to == PHONE)
    r = client.post("/api/v1/auth/otp/verify", json={"phone": PHONE, "code": code})
    assert r.status_code == 200, r.text
    return r.json()


def _staff_tokens(client, auth) -> dict:
    auth.staff_user("operator", login="rt-operator")
    r = client.post("/api/v1/auth/staff/login", json={"login": "rt-operator", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()


def _forgeries(token: str) -> list[str]:
    session_id = token.removeprefix("rt_").split(".")[0]
    real = token.removeprefix(f"rt_{session_id}.")
    return [f"rt_{session_id}.anything-at-all", f"rt_{session_id}.{'A' * 43}",
            f"rt_{session_id}.{real[:-1]}{'0' if real[-1] != '0' else '1'}",  # one character off
            f"rt_{session_id}.{real.split('.')[0]}.{'f' * 64}"]


@pytest.mark.parametrize("who", ["customer", "staff"])
def test_a_forged_refresh_token_changes_nothing_when_it_names_someone_elses_session(client, container, auth, who):
    tokens = _customer_tokens(client, container) if who == "customer" else _staff_tokens(client, auth)
    for forged in _forgeries(tokens["refresh_token"]):
        r = client.post("/api/v1/auth/refresh", json={"refresh_token": forged})
        assert r.status_code == 401, forged
        # the victim's session and refresh token still work
        assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 200, forged
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200, r.text
    new = r.json()
    assert client.get("/api/v1/me", headers=bearer(new["access_token"])).status_code == 200
    # forging against the rotated session changes nothing either
    for forged in _forgeries(new["refresh_token"]):
        assert client.post("/api/v1/auth/refresh", json={"refresh_token": forged}).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(new["access_token"])).status_code == 200
    # a really issued, superseded token coming back still ends the session for everyone
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(new["access_token"])).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": new["refresh_token"]}).status_code == 401


def test_a_refresh_token_with_odd_digits_for_its_session_is_refused_not_a_crash(client):
    """"rt_².…": str.isdigit() took "²" and int() refused it, a 500 for anyone (no sign-in needed)."""
    for token in ("rt_\u00b2.aaaaaaaaaa", "rt_\u00b9\u00b2.aaaaaaaaaa", "rt_\u0661.aaaaaaaaaa"):
        r = client.post("/api/v1/auth/refresh", json={"refresh_token": token})
        assert r.status_code == 401, (token, r.status_code, r.text[:200])
