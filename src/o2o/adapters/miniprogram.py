"""What a mini-program platform's login gives back, and how it fails (shared by WeChat and Douyin).

A mini-program calls `wx.login` / `tt.login` and sends us the one-time `code`; we exchange it with the
platform (code2session) for the user's openid (per app), unionid (per developer account, when the
app is bound to one) and a session key (kept by nobody here: we issue our own session).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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
