"""What a mini-program platform's login gives back, and how it fails (shared by WeChat and Douyin).

A mini-program calls `wx.login` / `tt.login` and sends us the one-time `code`; we exchange it with the
platform (code2session) for the user's openid (per app), unionid (per developer account, when the
app is bound to one) and a session key (kept by nobody here: we issue our own session).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx


@dataclass(frozen=True)
class PlatformIdentity:
    openid: str
    unionid: str | None = None


class LoginRefused(Exception):
    """The platform says the code is no good (invalid, used, expired): the caller's fault, not ours."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class PlatformUnavailable(Exception):
    """The platform did not answer usefully (down, timed out, busy, rate-limited, misconfigured app)."""

    def __init__(self, message: str, retry_after_s: int = 5) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class MiniProgramLogin(Protocol):
    platform: str  # "wechat" | "douyin"

    def code2session(self, code: str) -> PlatformIdentity: ...


def json_answer(platform: str, send: Callable[[], httpx.Response], rate_limited_retry_s: int = 5) -> dict[str, Any]:
    """The platform's JSON answer to `send()`; a transport error, HTTP 5xx/429 or an answer that is not
    JSON is PlatformUnavailable (the login adapters share this; their error codes are their own)."""
    try:
        resp = send()
    except httpx.HTTPError as exc:
        raise PlatformUnavailable(f"{platform}: {type(exc).__name__}") from exc
    if resp.status_code >= 500 or resp.status_code == 429:
        raise PlatformUnavailable(f"{platform}: HTTP {resp.status_code}",
                                  retry_after_s=rate_limited_retry_s if resp.status_code == 429 else 5)
    try:
        body: dict[str, Any] = resp.json()
    except ValueError as exc:
        raise PlatformUnavailable(f"{platform}: HTTP {resp.status_code}, not JSON") from exc
    return body
