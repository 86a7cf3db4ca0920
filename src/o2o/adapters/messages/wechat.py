"""WeChat mini-program subscription messages (订阅消息), with httpx (no SDK needed for two calls).

- The access token comes from `POST /cgi-bin/stable_token` (client_credential, force_refresh false):
  unlike the older `/cgi-bin/token`, asking for it does not invalidate the token other processes
  hold, so each process (every `o2o worker`) may fetch and cache its own. Cached until 5 minutes
  before `expires_in`; an answer saying the token is invalid or expired (40001, 42001, 40014)
  refreshes it once (force_refresh) and retries.
- `POST /cgi-bin/message/subscribe/send?access_token=...` with touser (openid), template_id, page,
  data {key: {value}} and miniprogram_state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import httpx

TOKEN_ERRORS = frozenset({40001, 42001, 40014})
# about this customer's consent or openid: final (the one-time consent is gone or never was)
FINAL_ERRORS = frozenset({43101, 40003, 47003})


class WechatError(Exception):
    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(f"wechat {errcode} {errmsg}".strip())
        self.errcode, self.errmsg = errcode, errmsg

    @property
    def final(self) -> bool:
        return self.errcode in FINAL_ERRORS


class WechatMini:
    def __init__(self, app_id: str, secret: str, base_url: str = "https://api.weixin.qq.com",
                 state: str = "formal", timeout_s: float = 5.0, client: httpx.Client | None = None) -> None:
        self.app_id, self.secret, self.state = app_id, secret, state
        self.base_url = base_url.rstrip("/")
        self.client = client or httpx.Client(timeout=timeout_s)
        self._token: tuple[str, float] | None = None  # (token, monotonic time it is good until)
        self._lock = threading.Lock()

    def _call(self, path: str, body: dict[str, Any], params: dict[str, str] | None = None) -> dict[str, Any]:
        try:
            r = self.client.post(f"{self.base_url}{path}", params=params, json=body)
        except httpx.TimeoutException as exc:
            raise WechatError(-2, "timeout") from exc
        except httpx.TransportError as exc:
            raise WechatError(-3, type(exc).__name__) from exc
        if r.status_code != 200:
            raise WechatError(-r.status_code, "http")
        try:
            answer = r.json()
        except ValueError as exc:
            raise WechatError(-4, "not JSON") from exc
        if not isinstance(answer, dict):
            raise WechatError(-4, "not an object")
        if answer.get("errcode"):
            raise WechatError(int(answer["errcode"]), str(answer.get("errmsg", ""))[:120])
        return answer

    def access_token(self, force: bool = False) -> str:
        with self._lock:
            if not force and self._token and time.monotonic() < self._token[1]:
                return self._token[0]
            answer = self._call("/cgi-bin/stable_token", {"grant_type": "client_credential", "appid": self.app_id,
                                                          "secret": self.secret, "force_refresh": force})
            token, expires = str(answer["access_token"]), int(answer.get("expires_in", 7200))
            self._token = (token, time.monotonic() + max(60, expires - 300))
            return token

    def send(self, openid: str, template_id: str, data: Mapping[str, str], page: str = "") -> str:
        """The message's msgid; raises WechatError."""
        body = {"touser": openid, "template_id": template_id, "page": page, "lang": "zh_CN",
                "miniprogram_state": self.state, "data": {k: {"value": v} for k, v in data.items()}}
        for attempt in (0, 1):
            try:
                answer = self._call("/cgi-bin/message/subscribe/send", body,
                                    {"access_token": self.access_token(force=attempt == 1)})
                return str(answer.get("msgid", ""))
            except WechatError as exc:
                if exc.errcode not in TOKEN_ERRORS or attempt == 1:
                    raise
        raise AssertionError("unreachable")
