"""WeChat mini-program login: `GET {base}/sns/jscode2session?appid&secret&js_code&grant_type=authorization_code`
answers `{openid, session_key, unionid?}` or `{errcode, errmsg}` (40029 invalid code, 40163 code
already used, 45011 rate limit, -1 busy; 40013/40125 a wrong app id or secret: our configuration)."""

from __future__ import annotations

import httpx

from o2o.adapters.miniprogram import LoginRefused, PlatformIdentity, PlatformUnavailable, json_answer

BASE_URL = "https://api.weixin.qq.com"
REFUSED = {40029, 40163, 40226}  # invalid code, code used, high-risk user blocked
BUSY = {-1, 45011}


class WechatLogin:
    platform = "wechat"

    def __init__(self, app_id: str, secret: str, base_url: str = BASE_URL, timeout_s: float = 5.0) -> None:
        self.app_id, self.secret = app_id, secret
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def code2session(self, code: str) -> PlatformIdentity:
        body = json_answer("wechat", lambda: httpx.get(
            f"{self.base_url}/sns/jscode2session", timeout=self.timeout_s,
            params={"appid": self.app_id, "secret": self.secret, "js_code": code,
                    "grant_type": "authorization_code"}))
        err = int(body.get("errcode") or 0)
        if err in REFUSED:
            raise LoginRefused(err, str(body.get("errmsg", "")))
        if err in BUSY:
            raise PlatformUnavailable(f"wechat busy: {err} {body.get('errmsg', '')}", retry_after_s=60 if err else 5)
        if err or not body.get("openid"):
            raise PlatformUnavailable(f"wechat error {err}: {body.get('errmsg', '')}")
        return PlatformIdentity(openid=str(body["openid"]), unionid=body.get("unionid") or None)
