"""Douyin mini-program login: `POST {base}/api/apps/v2/jscode2session` with JSON `{appid, secret, code}`
answers `{err_no, err_tips, data: {openid, unionid, session_key}}` (err_no 0 is success; 40018 a bad
code, 40019 a bad anonymous code; 40015/40017 a wrong app id or secret: our configuration; -1 busy)."""

from __future__ import annotations

import httpx

from o2o.adapters.miniprogram import LoginRefused, PlatformIdentity, PlatformUnavailable, json_answer

BASE_URL = "https://developer.toutiao.com"
REFUSED = {40018, 40019}


class DouyinLogin:
    platform = "douyin"

    def __init__(self, app_id: str, secret: str, base_url: str = BASE_URL, timeout_s: float = 5.0) -> None:
        self.app_id, self.secret = app_id, secret
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def code2session(self, code: str) -> PlatformIdentity:
        body = json_answer("douyin", lambda: httpx.post(
            f"{self.base_url}/api/apps/v2/jscode2session", timeout=self.timeout_s,
            json={"appid": self.app_id, "secret": self.secret, "code": code}), rate_limited_retry_s=60)
        err = int(body.get("err_no") or 0)
        if err in REFUSED:
            raise LoginRefused(err, str(body.get("err_tips", "")))
        data = body.get("data") or {}
        if err or not data.get("openid"):
            raise PlatformUnavailable(f"douyin error {err}: {body.get('err_tips', '')}")
        return PlatformIdentity(openid=str(data["openid"]), unionid=data.get("unionid") or None)
