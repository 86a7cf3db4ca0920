"""The app-wide dependency that decides, for every request, who is calling and whether they may.

It reads the route's rule from the permission table (a route missing there is refused), finds
the caller from a bearer token, an API key or the session cookie, applies per-key and per-IP
rate limits, checks CSRF on cookie-authenticated and form requests, and leaves the principal on
`request.state.principal` for the route to scope by.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from urllib.parse import quote

from cachetools import TTLCache
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from o2o.deps import Container
from o2o.iam import admin, service
from o2o.iam.permissions import ROUTES, decide
from o2o.iam.tokens import API_KEY, Csrf, digest
from o2o.kernel.auth import Principal
from o2o.kernel.errors import Forbidden, NotFound, Problem, SignInRequired, TooManyRequests

SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER, CSRF_FIELD = "o2o_session", "o2o_csrf", "x-csrf-token", "csrf_token"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN_PATHS = frozenset({"/api/v1/auth/otp", "/api/v1/auth/otp/verify", "/api/v1/auth/login",
                           "/api/v1/auth/staff/login", "/api/v1/auth/refresh", "/api/v1/auth/invite/accept", "/login",
                           # each asks the platform's code2session (a network call counted against our app id)
                           "/api/v1/auth/wechat", "/api/v1/auth/douyin"})
SIGN_INS_PER_IP_MINUTE = RateLimitItemPerMinute(30)


class NotInPermissionTable(Problem):
    status, kind, message_key = 500, "route-not-in-permission-table", "internal"


class BadCsrf(Problem):
    status, kind, message_key = 403, "csrf", "csrf"


class SignInPage(Exception):
    """An anonymous browser asked for a page that needs a user: send it to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class Limits:
    """In-process moving windows (per API key, per IP on sign-in routes). Each worker process keeps
    its own counts; the lock-outs that matter for security live in the database."""

    def __init__(self) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, item: RateLimitItemPerMinute, *key: str) -> None:
        if not self.limiter.hit(item, *key):
            reset = self.limiter.get_window_stats(item, *key).reset_time
            raise TooManyRequests("rate limit exceeded", max(1, int(reset - time.time())))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _credential(request: Request) -> tuple[str, str] | None:
    """("key" | "token" | "cookie", value) from the request, if it carries one."""
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        value = value.strip()
        return ("key", value) if value.startswith(API_KEY) else ("token", value)
    if key := request.headers.get("x-api-key"):
        return "key", key
    if cookie := request.cookies.get(SESSION_COOKIE):
        return "cookie", cookie
    return None


class Principals:
    """Who a token or key stands for, remembered for a few seconds so that a busy client costs no
    database read per request. Sign-outs, disables and key revocations in this process forget
    everything at once; other worker processes notice within `ttl_s`. An entry never outlives
    its session's or key's own expiry."""

    def __init__(self, ttl_s: float = 5.0, size: int = 50_000) -> None:
        self._cache: TTLCache = TTLCache(maxsize=size, ttl=ttl_s)
        self._lock = threading.Lock()

    def get(self, key: str, now: datetime) -> tuple[Principal, int] | None:
        """(principal, rate per minute) while remembered and not expired; unknown tokens are not cached."""
        with self._lock:
            hit = self._cache.get(key)
        if hit is None:
            return None
        principal, rate, until = hit
        return (principal, rate) if until is None or until > now else None

    def put(self, key: str, principal: Principal, rate: int, until: datetime | None) -> None:
        with self._lock:
            self._cache[key] = (principal, rate, until)

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()


def _lookup(c: Container, kind: str, value: str) -> tuple[Principal, int, datetime | None] | None:
    now = c.clock.now()
    if kind == "key":
        return admin.principal_for_key(c.db, value, now)
    found = service.principal_for_token(c.db, value, now)
    if found is None or (kind == "cookie") != found[0].via_cookie:
        return None
    return found[0], 0, found[1]


async def _resolve(c: Container, guard: Guardian, kind: str, value: str) -> Principal | None:
    key = f"{kind}:{digest(value)}"  # a bearer token is never taken for a cookie, nor a cookie for one
    hit = guard.principals.get(key, c.clock.now())
    if hit is None:
        found = await run_in_threadpool(_lookup, c, kind, value)
        if found is None:
            return None
        guard.principals.put(key, *found)
        hit = found[0], found[1]
    principal, rate = hit
    if principal.kind == "api_key":
        guard.limits.hit(RateLimitItemPerMinute(rate), "key", str(principal.id))
    return principal


def start_cookie_session(request: Request, response: Response, access_token: str) -> None:
    """After a cookie sign-in: the HttpOnly session cookie (Secure under HTTPS, SameSite=Lax) and a fresh
    CSRF cookie bound to the new session, so a token planted before sign-in is worth nothing after it."""
    settings = request.app.state.container.settings
    max_age = settings.cookie_session_days * 86400
    response.set_cookie(SESSION_COOKIE, access_token, max_age=max_age, httponly=True, secure=settings.https,
                        samesite="lax", path="/")
    response.set_cookie(CSRF_COOKIE, request.app.state.guardian.csrf.new(access_token), max_age=max_age,
                        httponly=False, secure=settings.https, samesite="strict", path="/")


def forget_principals(request: Request) -> None:
    """Call after ending sessions or revoking keys: this process stops trusting them at once."""
    request.app.state.guardian.principals.forget()


async def _csrf_ok(request: Request, csrf: Csrf) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return csrf.valid(request.cookies.get(CSRF_COOKIE), sent, request.cookies.get(SESSION_COOKIE))


async def authorize(request: Request) -> Principal | None:
    c: Container = request.app.state.container
    guard: Guardian = request.app.state.guardian
    route = request.scope.get("route")
    method = "GET" if request.method == "HEAD" else request.method
    rule = ROUTES.get((method, getattr(route, "path", "")))
    if rule is None:
        raise NotInPermissionTable(f"{method} {getattr(route, 'path', '?')} has no entry in the permission table")
    if rule.dev_only and not c.settings.dev:
        raise NotFound("page", request.url.path)
    if method == "POST" and request.url.path in SIGN_IN_PATHS:
        guard.limits.hit(SIGN_INS_PER_IP_MINUTE, "sign-in", client_ip(request))

    principal = None
    cred = _credential(request)
    if cred is not None:
        principal = await _resolve(c, guard, *cred)
        if principal is None and cred[0] != "cookie":
            raise SignInRequired("the token or key is unknown, expired or revoked")
    request.state.principal = principal

    is_page = not request.url.path.startswith("/api/")
    needs_csrf = method not in SAFE and ((principal is not None and principal.via_cookie) or is_page)
    if needs_csrf and not await _csrf_ok(request, guard.csrf):
        raise BadCsrf("missing or wrong CSRF token")

    status = decide(rule, principal.kind if principal else None, principal.actions if principal else frozenset())
    if status == 401:
        if is_page and method == "GET":
            raise SignInPage(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        raise SignInRequired()
    if status == 403:
        raise Forbidden(f"{method} {route.path} needs {rule.action or 'a customer account'}")
    return principal


class Guardian:
    """Per-app state of the guard: the CSRF signer and the in-process rate limits."""

    def __init__(self, csrf: Csrf) -> None:
        self.csrf = csrf
        self.limits = Limits()
        self.principals = Principals()


def install(app, c: Container) -> None:  # type: ignore[no-untyped-def]
    app.state.guardian = Guardian(Csrf(service.secret_key(c.settings, "csrf")))

    @app.exception_handler(SignInPage)
    async def _to_sign_in(request: Request, exc: SignInPage) -> RedirectResponse:
        """Shoppers sign in with a phone code on the storefront; staff on /login."""
        page = "/shop/signin" if exc.next_url.startswith("/shop") else "/login"
        return RedirectResponse(f"{page}?next={quote(exc.next_url, safe='')}", status_code=303)
