"""Secrets made and checked without the database: tokens, digests, passwords, CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ACCESS, REFRESH, COOKIE, INVITE = "at_", "rt_", "cs_", "iv_"
API_KEY = "o2o_"


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def new_refresh(session_id: int, key: bytes) -> str:
    """`rt_<session id>.<random>.<signature>`: it names its session, so a replayed old one can end that
    session; the signature (an HMAC under a server key) proves the server issued it for that session,
    so a made-up token naming someone's session id is merely refused."""
    body = f"{REFRESH}{session_id}.{secrets.token_urlsafe(32)}"
    return f"{body}.{keyed_digest(key, body)}"


def issued_refresh(key: bytes, token: str) -> bool:
    """Whether the server issued this refresh token (for the session it names), current or superseded."""
    body, dot, sig = token.rpartition(".")
    return bool(dot) and refresh_session(body) is not None and same(sig, keyed_digest(key, body))


def refresh_session(token: str) -> int | None:
    head, dot, _ = token.removeprefix(REFRESH).partition(".")
    # isascii: str.isdigit() also takes "²", which int() refuses (a 500 for anyone)
    ok = token.startswith(REFRESH) and dot and head.isascii() and head.isdigit() and len(head) < 19
    return int(head) if ok else None


def digest(token: str) -> str:
    """Tokens carry 256 random bits: a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_digest(key: bytes, value: str) -> str:
    """For low-entropy secrets (6-digit codes): a keyed hash the database alone cannot brute-force."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def new_api_key() -> tuple[str, str, str]:
    """(full key shown once, public prefix, secret digest)."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return f"{API_KEY}{prefix}_{secret}", prefix, digest(secret)


def split_api_key(key: str) -> tuple[str, str] | None:
    if not key.startswith(API_KEY):
        return None
    prefix, sep, secret = key[len(API_KEY):].partition("_")
    return (prefix, secret) if sep and prefix and secret else None


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Passwords:
    """argon2id; `cheap` lowers the memory cost for tests only."""

    def __init__(self, cheap: bool = False) -> None:
        self._ph = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1) if cheap else PasswordHasher()
        self._dummy: str | None = None  # made on first use: hashing takes 64 MiB for a moment

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        if stored is None and self._dummy is None:
            self._dummy = self._ph.hash(secrets.token_urlsafe(16))
        try:
            # an unknown user is verified against a dummy hash, so both paths cost the same
            return self._ph.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False


class Csrf:
    """Signed double-submit bound to the session: a random value plus an HMAC over it and the digest
    of the session cookie it goes with (none before sign-in), in a cookie and in each unsafe request.
    Another user's valid pair, or one minted before sign-in, is worth nothing with my session cookie."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _sign(self, nonce: str, session: str | None) -> str:
        return keyed_digest(self._key, f"{digest(session) if session else '-'}.{nonce}")[:32]

    def new(self, session: str | None = None) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce, session)}"

    def fits(self, token: str | None, session: str | None) -> bool:
        """Whether the token was made for this session cookie (or for no session when there is none)."""
        nonce, dot, sig = (token or "").partition(".")
        return bool(nonce and dot) and same(sig, self._sign(nonce, session))

    def current(self, cookie: str | None, session: str | None) -> str:
        """What a page should carry: the CSRF cookie's value while it fits the session, else a new one."""
        return cookie if cookie and self.fits(cookie, session) else self.new(session)

    def valid(self, cookie: str | None, sent: str | None, session: str | None = None) -> bool:
        if not cookie or not sent or not same(cookie, sent):
            return False
        return self.fits(cookie, session)
