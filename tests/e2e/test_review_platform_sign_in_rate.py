"""Review: the mini-program sign-ins (POST /api/v1/auth/wechat and /auth/douyin) call the platform's
code2session for every request (a network call of up to 5 s on a worker thread, counted by the
platform against our app id): they had no per-IP budget, unlike every other sign-in route, so an
anonymous flood could tie up the workers and get the app id rate-limited (45011) for every shopper."""

from __future__ import annotations


def test_platform_sign_ins_share_the_sign_in_budget_per_ip(client):
    for path in ("/api/v1/auth/wechat", "/api/v1/auth/douyin"):
        r = client.post(path, json={"code": "x" * 10})
        assert r.status_code != 429, r.text
    for _ in range(28):
        client.post("/api/v1/auth/wechat", json={"code": "x" * 10})
    for path in ("/api/v1/auth/wechat", "/api/v1/auth/douyin", "/api/v1/auth/otp"):
        r = client.post(path, json={"code": "x" * 10})
        assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 60, (path, r.status_code)
